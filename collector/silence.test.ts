import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/log.ts';
import { SilenceWatch } from './silence.ts';

const mark = (seq: number) => ({ gateway: 'gw', epoch: 'e1', seq, at: '2026-12-01T00:00:00Z' });

describe('silence watch', () => {
  it('calls a collector deaf when a publishing gateway has nothing stored for the period, once, and says when it ends', () => {
    const lines: string[] = [];
    let now = 0;
    const resubscribed: string[] = [];
    const watch = new SilenceWatch({
      log: createLogger({ sink: { write: (l) => lines.push(l) } }),
      silenceMs: 60_000,
      minBatches: 1,
      now: () => now,
      onSilent: (g) => resubscribed.push(g),
    });
    watch.availability('gw', { state: 'online' });
    watch.progress('gw', mark(10));
    watch.stored('gw');
    const checks: number[] = [];
    for (let t = 5_000; t <= 120_000; t += 5_000) {
      now = t;
      watch.progress('gw', mark(10 + t / 5_000)); // the broker acknowledges a batch every 5 s
      if (t <= 30_000) watch.stored('gw');
      if (t <= 90_000) checks.push(watch.check().length); // 60 s after the last store: not yet
    }
    expect(checks.every((n) => n === 0)).toBe(true);
    now = 120_000;
    expect(watch.check()).toEqual([{ gateway: 'gw', silent_s: 90, published: 15 }]);
    expect(watch.check()).toHaveLength(1);
    expect(resubscribed).toEqual(['gw']);
    expect(lines.filter((l) => l.includes('no telemetry of the gateway stored'))).toHaveLength(1);
    watch.stored('gw');
    expect(watch.check()).toEqual([]);
    expect(lines.some((l) => l.includes('telemetry of the gateway is stored again'))).toBe(true);
  });

  it('says nothing of a gateway that is offline or not publishing', () => {
    let now = 0;
    const watch = new SilenceWatch({ log: createLogger(), silenceMs: 60_000, minBatches: 1, now: () => now });
    watch.availability('quiet', { state: 'online' });
    watch.progress('quiet', { ...mark(5), gateway: 'quiet' });
    watch.availability('off', { state: 'offline' });
    watch.progress('off', { ...mark(5), gateway: 'off' });
    now = 300_000;
    watch.progress('off', { ...mark(50), gateway: 'off' });
    expect(watch.check()).toEqual([]);
  });

  it('does not take a slow gateway for silence while the batch its newest mark announces is being stored', () => {
    let now = 0;
    const lines: string[] = [];
    const watch = new SilenceWatch({
      log: createLogger({ sink: { write: (l) => lines.push(l) } }),
      silenceMs: 60_000,
      minBatches: 1,
      now: () => now,
    });
    watch.availability('slow', { state: 'online' });
    for (let k = 1; k <= 6; k++) {
      now = k * 300_000; // a batch every 5 min: its mark arrives a moment before the batch is stored
      watch.progress('slow', { ...mark(k), gateway: 'slow' });
      expect(watch.check()).toEqual([]);
      now += 20;
      watch.stored('slow');
      now += 30_000;
      expect(watch.check()).toEqual([]);
    }
    expect(lines.filter((l) => l.includes('ERROR'))).toEqual([]);
  });

  it('judges nothing while the store is down (that outage has its own log line)', () => {
    let now = 0;
    const watch = new SilenceWatch({
      log: createLogger(),
      silenceMs: 60_000,
      minBatches: 1,
      now: () => now,
      busy: () => true,
    });
    watch.availability('gw', { state: 'online' });
    for (let t = 0; t <= 300_000; t += 5_000) {
      now = t;
      watch.progress('gw', mark(t / 5_000));
    }
    expect(watch.check()).toEqual([]);
  });
});
