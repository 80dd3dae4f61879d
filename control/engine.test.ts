import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { ControlDb } from './db.ts';
import { ControlEngine, type Dispatcher } from './engine.ts';
import { ScheduleRunner } from './strategies.ts';

/**
 * Priority arbitration on the demo site's points. The dispatcher here is an in-memory device
 * (it records what reaches it and reads back what it holds); the real MQTT → gateway → OPC UA
 * path is tested in test/controlSafety.test.ts.
 */
const site = loadSite(join(import.meta.dirname, '../examples/demo-site.yaml'));
const log = createLogger({ level: 'error' });
const AC = 'zonghe-lou-f1-3-ac';

function setup(start = Date.parse('2025-09-29T07:00:00+08:00')) {
  const clock = new ManualClock(start);
  const device = new Map<string, number>();
  const writes: { point: string; value: number; at: number }[] = [];
  const dispatcher: Dispatcher = {
    write: async (c) => {
      device.set(`${c.device}/${c.point}`, c.value);
      writes.push({ point: `${c.device}/${c.point}`, value: c.value, at: clock.now() });
      return { status: 'written', readBack: c.value };
    },
  };
  const file = join(mkdtempSync(join(tmpdir(), 'jn-control-')), 'control.db');
  const db = new ControlDb(file);
  // What the device reports: the value last written to it (or set by the test, as the building left it).
  const latest = (d: string, p: string) => device.get(`${d}/${p}`);
  const engine = new ControlEngine({ site, db, dispatcher, clock, log, latest });
  return { clock, device, writes, db, engine, file, dispatcher };
}

/** The demo site's schedules run against `engine`, with no telemetry and no API overrides. */
function scheduleRunner(engine: ControlEngine, db: ControlDb): ScheduleRunner {
  return new ScheduleRunner({
    site,
    engine,
    db,
    latest: () => undefined,
    schedules: () => site.config.control.schedules,
    overrides: () => [],
  });
}

describe('priority arrays', () => {
  it('an operator override (8) beats the schedule (16) and expires back to it', async () => {
    const { clock, device, db, engine } = setup();
    const runner = scheduleRunner(engine, db);
    // 2025-09-29 is a Monday: at 07:00 the schedule's default (off) holds, at 08:00 it switches on.
    await runner.tick(clock.now());
    await engine.tick();
    expect(device.get(`${AC}/on_off`)).toBe(0);
    clock.set(Date.parse('2025-09-29T08:00:00+08:00'));
    await runner.tick(clock.now());
    await engine.tick();
    expect(device.get(`${AC}/on_off`)).toBe(1);
    expect(engine.effective(`${AC}/on_off`)).toMatchObject({
      value: 1,
      level: 16,
      source: 'schedule:zonghe-office-ac',
    });

    // Operator: off for half an hour (the unit has run 15 min: its minimum on time allows it).
    clock.set(Date.parse('2025-09-29T08:20:00+08:00'));
    const r = await engine.request({
      device: AC,
      point: 'on_off',
      priority: 8,
      value: 0,
      source: 'user:张工',
      expiresAt: Date.parse('2025-09-29T08:50:00+08:00'),
    });
    expect(r).toMatchObject({
      accepted: true,
      effective: { value: 0, level: 8 },
      write: { status: 'written' },
    });
    expect(device.get(`${AC}/on_off`)).toBe(0);
    // The schedule still wants on; the override wins until it expires.
    clock.set(Date.parse('2025-09-29T08:40:00+08:00'));
    await runner.tick(clock.now());
    await engine.tick();
    expect(device.get(`${AC}/on_off`)).toBe(0);
    clock.set(Date.parse('2025-09-29T08:51:00+08:00'));
    await runner.tick(clock.now());
    await engine.tick();
    expect(device.get(`${AC}/on_off`)).toBe(1);
    expect(engine.effective(`${AC}/on_off`)).toMatchObject({ value: 1, level: 16 });
    const expired = db.auditLog({ device: AC, point: 'on_off' }).find((a) => a.action === 'expire');
    expect(expired).toMatchObject({ source: 'user:张工', priority: 8, outcome: 'expired' });
  });

  it('a level-1 write beats everything, and relinquishing every slot returns the relinquish default', async () => {
    const { device, engine } = setup();
    const key = `${AC}/cooling_setpoint`;
    // The relinquish default (26 °C) is written on the first cycle.
    await engine.tick();
    expect(device.get(key)).toBe(26);
    for (const [priority, value] of [
      [16, 27],
      [10, 28],
      [8, 27.5],
    ] as const)
      await engine.request({
        device: AC,
        point: 'cooling_setpoint',
        priority,
        value,
        source: `test:${priority}`,
      });
    expect(engine.effective(key)).toMatchObject({ value: 27.5, level: 8 });
    const top = await engine.request({
      device: AC,
      point: 'cooling_setpoint',
      priority: 1,
      value: 28,
      source: 'user:消防联动',
    });
    expect(top).toMatchObject({ accepted: true, effective: { value: 28, level: 1 } });
    expect(device.get(key)).toBe(28);
    // Relinquish level 1: back to level 8; then all of them: the relinquish default.
    await engine.request({
      device: AC,
      point: 'cooling_setpoint',
      priority: 1,
      value: null,
      source: 'user:消防联动',
    });
    expect(device.get(key)).toBe(27.5);
    for (const priority of [8, 10, 16])
      await engine.request({
        device: AC,
        point: 'cooling_setpoint',
        priority,
        value: null,
        source: `test:${priority}`,
      });
    expect(engine.effective(key)).toEqual({ value: 26, level: null, source: 'relinquish_default' });
    expect(device.get(key)).toBe(26);
    const levels = (engine.array(key)?.levels ?? []).filter((l) => l.value !== null);
    expect(levels).toEqual([]);
  });

  it('keeps the slots across a restart (persisted in control.db)', async () => {
    const { clock, engine, file, dispatcher, db } = setup();
    await engine.request({
      device: AC,
      point: 'cooling_setpoint',
      priority: 8,
      value: 27,
      source: 'user:张工',
    });
    db.close();
    const again = new ControlEngine({ site, db: new ControlDb(file), dispatcher, clock, log });
    expect(again.effective(`${AC}/cooling_setpoint`)).toMatchObject({
      value: 27,
      level: 8,
      source: 'user:张工',
    });
  });

  it('rejects with the reason, and never clamps: policy, minimum on time, write rate', async () => {
    const { clock, device, writes, engine, db } = setup();
    const low = await engine.request({
      device: AC,
      point: 'cooling_setpoint',
      priority: 8,
      value: 24,
      source: 'user:张工',
    });
    expect(low.accepted).toBe(false);
    expect(low.reason).toMatch(
      /cooling setpoint 24 °C .* below the policy minimum 26 °C: 《福建省公共机构节能管理办法》/,
    );
    const high = await engine.request({
      device: AC,
      point: 'cooling_setpoint',
      priority: 8,
      value: 29,
      source: 'user:张工',
    });
    expect(high.reason).toMatch(/29 °C .* above its limit 28 °C/);
    const notBinary = await engine.request({
      device: AC,
      point: 'on_off',
      priority: 8,
      value: 0.5,
      source: 'user:张工',
    });
    expect(notBinary.reason).toMatch(/on\/off: 0 or 1/);
    expect(writes.filter((w) => w.point.endsWith('cooling_setpoint'))).toEqual([]);

    await engine.request({ device: AC, point: 'on_off', priority: 8, value: 1, source: 'user:张工' });
    clock.advance(5 * 60_000);
    const early = await engine.request({
      device: AC,
      point: 'on_off',
      priority: 8,
      value: 0,
      source: 'user:张工',
    });
    expect(early.reason).toMatch(/minimum on time is 15 min, so off is allowed from 07:15/);
    expect(device.get(`${AC}/on_off`)).toBe(1);
    const rejected = db.auditLog({ device: AC }).filter((a) => a.outcome === 'rejected');
    expect(rejected).toHaveLength(4);
  });

  it('holds a not-following condition when the read-back differs', async () => {
    const { clock, db } = setup();
    const stuck: Dispatcher = { write: async () => ({ status: 'written', readBack: 0 }) };
    const engine = new ControlEngine({ site, db, dispatcher: stuck, clock, log });
    await engine.request({ device: AC, point: 'on_off', priority: 8, value: 1, source: 'user:张工' });
    expect(engine.conditions.list()).toMatchObject([
      { rule: 'not_following', key: `${AC}/on_off`, device: AC, point: 'on_off', value: 0 },
    ]);
    expect(db.auditLog({ device: AC }).find((a) => a.action === 'write')).toMatchObject({
      outcome: 'not_following',
      requested: 1,
      read_back: 0,
    });
  });

  it('counts the minimum off time from a switch: writing off a unit already off does not start one', async () => {
    const { clock, device, writes, engine } = setup(Date.parse('2025-09-29T01:10:00+08:00'));
    // The unit off all night; control's first write after its start holds it off.
    device.set(`${AC}/on_off`, 0);
    const hold = await engine.request({
      device: AC,
      point: 'on_off',
      priority: 16,
      value: 0,
      source: 'schedule:x',
    });
    expect(hold.write?.status).toBe('written');
    clock.advance(2 * 60_000);
    // 加班 two minutes later: allowed (the unit has been off for hours, not since 01:10).
    const on = await engine.request({
      device: AC,
      point: 'on_off',
      priority: 8,
      value: 1,
      source: 'user:王工',
    });
    expect(on, on.reason).toMatchObject({ accepted: true });
    expect(device.get(`${AC}/on_off`)).toBe(1);
    expect(writes.map((w) => w.value)).toEqual([0, 1]);
    // That write switched it on: its minimum on time (15 min) holds from 01:12.
    clock.advance(60_000);
    const off = await engine.request({
      device: AC,
      point: 'on_off',
      priority: 8,
      value: 0,
      source: 'user:王工',
    });
    expect(off.reason).toMatch(
      /has been on since 01:12; its minimum on time is 15 min, so off is allowed from 01:27/,
    );
  });

  it('retries a schedule refused for its minimum off time once that time has passed, not before', async () => {
    const { clock, device, db, engine } = setup(Date.parse('2025-09-29T08:00:00+08:00'));
    // The unit was switched off at 07:55 (minimum off time 10 min).
    db.recordWrite(AC, 'on_off', 0, Date.parse('2025-09-29T07:55:00+08:00'));
    const runner = scheduleRunner(engine, db);
    const refusals = () =>
      db
        .auditLog({ device: AC, point: 'on_off', source: 'schedule:' })
        .filter((a) => a.outcome === 'rejected');
    await runner.tick(clock.now());
    expect(refusals()).toHaveLength(1);
    expect(refusals()[0]?.reason).toMatch(/minimum off time is 10 min, so on is allowed from 08:05/);
    clock.set(Date.parse('2025-09-29T08:02:00+08:00'));
    await runner.tick(clock.now());
    expect(refusals()).toHaveLength(1); // not asked again before 08:05
    clock.set(Date.parse('2025-09-29T08:05:00+08:00'));
    await runner.tick(clock.now());
    expect(refusals()).toHaveLength(1);
    expect(device.get(`${AC}/on_off`)).toBe(1);
  });
});
