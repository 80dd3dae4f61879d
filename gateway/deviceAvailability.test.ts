import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { DeviceAvailability, type DeviceState } from './deviceAvailability.ts';

function tracker() {
  const clock = new ManualClock(Date.parse('2026-12-01T08:00:00Z'));
  const lines: string[] = [];
  const changes: [string, DeviceState | undefined][] = [];
  const availability = new DeviceAvailability({
    clock,
    log: createLogger({ sink: { write: (l) => lines.push(l.slice(25)) }, now: () => 0 }),
    onChange: (device, state) => changes.push([device, state]),
  });
  return { clock, lines, changes, availability };
}

describe('DeviceAvailability', () => {
  it('logs every outage once when it starts and once when it ends, also a second one with the same reason', () => {
    const { clock, lines, availability } = tracker();
    availability.up('m1');
    for (let outage = 0; outage < 2; outage++) {
      for (let i = 0; i < 5; i++) {
        availability.down('m1', 'cannot connect to 127.0.0.1:502: connect ECONNREFUSED');
        clock.advance(2000);
      }
      availability.up('m1');
      availability.up('m1');
      clock.advance(60_000);
    }
    const line =
      'WARN  device offline device=m1 reason="cannot connect to 127.0.0.1:502: connect ECONNREFUSED"\n';
    const back =
      'INFO  device back online device=m1 outage_s=10 reason="cannot connect to 127.0.0.1:502: connect ECONNREFUSED"\n';
    expect(lines).toEqual([line, back, line, back]);
  });

  it('reports each transition with since, and the devices a reload removed', () => {
    const { clock, changes, availability } = tracker();
    availability.up('m1');
    clock.advance(1500);
    availability.down('m2', 'timed out');
    availability.down('m2', 'timed out again');
    availability.retain(new Set(['m1']));
    expect(changes).toEqual([
      ['m1', { state: 'online', since: '2026-12-01T08:00:00.000Z' }],
      ['m2', { state: 'offline', since: '2026-12-01T08:00:01.500Z', reason: 'timed out' }],
      ['m2', undefined],
    ]);
    expect(availability.snapshot()).toEqual({ m1: { state: 'online', since: '2026-12-01T08:00:00.000Z' } });
  });
});
