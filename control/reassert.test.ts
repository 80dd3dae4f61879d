import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import type { ReassertSettings } from '../core/control/schema.ts';
import { createLogger } from '../core/log.ts';
import { ControlDb } from './db.ts';
import { ControlEngine, type Dispatcher, type WriteOutcome } from './engine.ts';

/**
 * Issue 17: a point that does not follow its command is written again with backoff (default 1, 2,
 * 5, 10 min, then every 10 min, for at most 24 h) until it follows; a point that follows is never
 * written again. The device here is in memory; test/controlReassert.test.ts runs the real path
 * (device-sims' ignore_writes fault, gateway, Mosquitto, alarm service).
 */
const demo = loadSite(join(import.meta.dirname, '../examples/demo-site.yaml'));
const log = createLogger({ level: 'error' });
const AC = 'zonghe-lou-f1-3-ac';
const MIN = 60_000;

function setup(reassert?: Partial<ReassertSettings>) {
  const control = demo.config.control;
  const site = reassert
    ? {
        ...demo,
        config: { ...demo.config, control: { ...control, reassert: { ...control.reassert, ...reassert } } },
      }
    : demo;
  const start = Date.parse('2025-09-29T09:00:00+08:00');
  const clock = new ManualClock(start);
  const device = new Map<string, number>();
  /** The device takes what is written, or acknowledges and keeps its own value (device-sims' ignore_writes). */
  let ignoring = false;
  const dispatcher: Dispatcher = {
    write: async (c): Promise<WriteOutcome> => {
      if (!ignoring) device.set(`${c.device}/${c.point}`, c.value);
      return { status: 'written', readBack: device.get(`${c.device}/${c.point}`) ?? 0 };
    },
  };
  const db = new ControlDb(join(mkdtempSync(join(tmpdir(), 'jn-control-reassert-')), 'control.db'));
  const latest = (d: string, p: string) => device.get(`${d}/${p}`);
  const engine = new ControlEngine({ site, db, dispatcher, clock, log, latest });
  /** Control cycles every 10 s of site time for `ms`, as the service runs them. */
  const run = async (ms: number) => {
    for (const end = clock.now() + ms; clock.now() < end; ) {
      clock.advance(10_000);
      await engine.tick();
      engine.checkFollowing(latest);
    }
  };
  const reasserts = (point?: string) =>
    db
      .auditLog({ limit: 10_000 })
      .filter((a) => a.action === 'reassert' && (point === undefined || `${a.device}/${a.point}` === point))
      .reverse(); // oldest first
  /** Minutes after the start of the test, as the audit's time says. */
  const minutes = (at: string) => (Date.parse(at) - start) / MIN;
  const notFollowing = (key: string) =>
    engine.conditions.list().some((c) => c.rule === 'not_following' && c.key === key);
  const ignore = (on: boolean) => {
    ignoring = on;
  };
  return { clock, device, engine, db, run, reasserts, minutes, notFollowing, ignore, latest };
}

describe('re-assertion of a command that is not followed', () => {
  it('writes the value in effect again after 1, 2, 5, 10 min and then every 10 min; the re-write that lands clears not_following, and nothing is written after it', async () => {
    const { device, engine, run, reasserts, minutes, notFollowing, ignore } = setup();
    const key = `${AC}/cooling_setpoint`;
    device.set(key, 26);
    ignore(true);
    const r = await engine.request({
      device: AC,
      point: 'cooling_setpoint',
      priority: 8,
      value: 27,
      source: 'user:张工',
    });
    expect(r.write).toMatchObject({ status: 'written', readBack: 26 });
    expect(notFollowing(key)).toBe(true);

    await run(60 * MIN);
    const tries = reasserts(key);
    // Each one 1, 2, 5, 10, 10, … min after the one before (measured from the write that was not followed).
    expect(tries.map((a) => minutes(a.at))).toEqual([1, 3, 8, 18, 28, 38, 48, 58]);
    expect(tries[0]).toMatchObject({
      source: 'user:张工',
      priority: 8,
      requested: 27,
      read_back: 26,
      outcome: 'not_following',
    });
    expect(tries[0]?.reason).toMatch(/^第 1 次重新下发（自 2025-09-29T09:00:00\+08:00 起未执行）/);
    expect(tries[1]?.reason).toMatch(
      /re-assert 2 \(not following since 2025-09-29T09:00:00\+08:00\): read back 26 after writing 27$/,
    );
    expect(notFollowing(key)).toBe(true);

    // The unit is mended: the next re-write (10 min after the last) lands and the condition clears.
    ignore(false);
    await run(10 * MIN);
    expect(reasserts(key).at(-1)).toMatchObject({ outcome: 'written', read_back: 27, requested: 27 });
    expect(reasserts(key)).toHaveLength(tries.length + 1);
    expect(notFollowing(key)).toBe(false);
    expect(device.get(key)).toBe(27);
    // It follows: no periodic writes.
    await run(3 * 60 * MIN);
    expect(reasserts(key)).toHaveLength(tries.length + 1);
  });

  it('never re-writes a point that follows', async () => {
    const { device, engine, run, reasserts } = setup({ delays: [MIN] });
    device.set(`${AC}/cooling_setpoint`, 26);
    await engine.request({
      device: AC,
      point: 'cooling_setpoint',
      priority: 8,
      value: 27,
      source: 'user:张工',
    });
    await run(2 * 60 * MIN);
    expect(reasserts()).toEqual([]);
    expect(engine.conditions.list()).toEqual([]);
  });

  it('stops after give_up_after, audited once; the condition stays until a new command', async () => {
    const { device, engine, run, reasserts, notFollowing, ignore } = setup({ give_up_after: 30 * MIN });
    const key = `${AC}/cooling_setpoint`;
    device.set(key, 26);
    ignore(true);
    await engine.request({
      device: AC,
      point: 'cooling_setpoint',
      priority: 8,
      value: 27,
      source: 'user:张工',
    });
    await run(3 * 60 * MIN);
    const lines = reasserts(key);
    expect(lines.map((a) => a.outcome)).toEqual([
      'not_following', // 1 min
      'not_following', // 3
      'not_following', // 8
      'not_following', // 18
      'not_following', // 28
      'gave_up', // 38: 30 min passed
    ]);
    expect(lines.at(-1)?.reason).toMatch(/不再重新下发.*已重新下发 5 次/);
    expect(notFollowing(key)).toBe(true);
    // A new command is a new value: written (ignored), and its own backoff starts.
    await engine.request({
      device: AC,
      point: 'cooling_setpoint',
      priority: 8,
      value: 28,
      source: 'user:张工',
    });
    await run(2 * MIN);
    expect(reasserts(key).at(-1)).toMatchObject({ requested: 28, outcome: 'not_following' });
  });

  it('keeps to the point’s write rate (max_writes_per_hour): a re-write waits for it', async () => {
    const { device, engine, db, run, reasserts, ignore } = setup({ delays: [MIN] });
    const key = `${AC}/on_off`; // max_writes_per_hour: 12 in the demo site
    device.set(key, 0);
    ignore(true);
    await engine.request({ device: AC, point: 'on_off', priority: 8, value: 1, source: 'user:张工' });
    await run(3 * 60 * MIN);
    const writes = db.writes(AC, 'on_off').map((w) => w.at);
    for (const at of writes)
      expect(writes.filter((t) => t > at - 60 * MIN && t <= at).length).toBeLessThanOrEqual(12);
    expect(reasserts(key).length).toBeGreaterThan(24); // it went on, 12 an hour
    expect(reasserts(key).every((a) => a.outcome === 'not_following')).toBe(true);
  });

  it('writes back a value changed at the unit’s panel (drift), and clears when the unit follows', async () => {
    const { device, engine, run, reasserts, notFollowing } = setup();
    const key = `${AC}/cooling_setpoint`;
    await engine.request({
      device: AC,
      point: 'cooling_setpoint',
      priority: 8,
      value: 27,
      source: 'user:张工',
    });
    expect(device.get(key)).toBe(27);
    device.set(key, 24); // someone at the panel
    await run(2 * MIN + 10_000);
    expect(notFollowing(key)).toBe(true);
    await run(MIN);
    expect(device.get(key)).toBe(27);
    expect(notFollowing(key)).toBe(false);
    expect(reasserts(key)).toMatchObject([{ outcome: 'written', read_back: 27, requested: 27 }]);
  });

  it('can be switched off (control.reassert.enabled: false)', async () => {
    const { device, engine, run, reasserts, notFollowing, ignore } = setup({ enabled: false });
    device.set(`${AC}/cooling_setpoint`, 26);
    ignore(true);
    await engine.request({
      device: AC,
      point: 'cooling_setpoint',
      priority: 8,
      value: 27,
      source: 'user:张工',
    });
    await run(60 * MIN);
    expect(reasserts()).toEqual([]);
    expect(notFollowing(`${AC}/cooling_setpoint`)).toBe(true);
  });
});
