import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlarmDb } from '../core/alarms/db.ts';
import type { AlarmEvent, Condition } from '../core/alarms/model.ts';
import { alarmsSchema } from '../core/alarms/schema.ts';
import { ManualClock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { AlarmEngine } from './engine.ts';
import { siteSource } from './main.ts';

const t0 = Date.parse('2026-03-02T09:00:00+08:00');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(alarms: unknown = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'jn-engine-'));
  dirs.push(dir);
  const db = new AlarmDb(join(dir, 'alarms.db'), 'Asia/Shanghai');
  const clock = new ManualClock(t0);
  const lines: string[] = [];
  const log = createLogger({ level: 'warn', sink: { write: (l) => lines.push(l) } });
  const site = { config: { alarms: alarmsSchema.parse(alarms) } } as unknown as LoadedSite;
  const engine = new AlarmEngine({ site, db, clock, log, graceMs: 60_000 });
  const events: AlarmEvent[] = [];
  engine.onEvents((e) => events.push(...e));
  const step = (ms: number) => {
    clock.advance(ms);
    engine.tick();
  };
  return { db, clock, engine, events, lines, step, log };
}

const cond = (over: Partial<Condition> & Pick<Condition, 'rule' | 'key' | 'active'>): Condition => ({
  at: new Date(t0).toISOString(),
  message: `${over.rule} ${over.key}`,
  message_zh: `${over.rule} ${over.key}`,
  ...over,
});

describe('AlarmEngine', () => {
  it('raises a condition only once it held its delay; a clear before that is nothing', () => {
    const { db, engine, events, step } = setup();
    engine.report(cond({ rule: 'device_offline', key: 'm-1', active: true }));
    step(59_000);
    expect(db.list()).toHaveLength(0);
    engine.report(cond({ rule: 'device_offline', key: 'm-1', active: false }));
    step(120_000);
    expect(db.list()).toHaveLength(0);
    engine.report(cond({ rule: 'device_offline', key: 'm-1', active: true }));
    step(61_000);
    const [a] = db.list();
    expect(a).toMatchObject({ rule: 'device_offline', key: 'm-1', severity: 'major', state: 'active' });
    expect(events.map((e) => e.transition.action)).toEqual(['raise']);
    engine.report(cond({ rule: 'device_offline', key: 'm-1', active: false }));
    expect(db.list()[0]?.state).toBe('cleared');
  });

  it('takes the site file’s severity, and a disabled rule raises nothing', () => {
    const { db, engine, step } = setup({
      rules: { device_offline: { severity: 'critical', delay: '1ms' }, stale: { enabled: false } },
    });
    engine.report(cond({ rule: 'device_offline', key: 'm-1', active: true }));
    engine.report(cond({ rule: 'stale', key: 'm-1/p', active: true }));
    step(3_600_000);
    expect(db.list().map((a) => [a.rule, a.severity])).toEqual([['device_offline', 'critical']]);
  });

  it('counts a condition whose cause is open in the cause, not as an alarm of its own', () => {
    const { db, engine, step } = setup();
    engine.report(cond({ rule: 'gateway_offline', key: 'gw-1', active: true }));
    for (const d of ['m-1', 'm-2', 'm-3'])
      engine.report(cond({ rule: 'device_offline', key: d, active: true, cause: 'gateway_offline:gw-1' }));
    step(30_000); // the gateway's delay
    step(30_000); // the devices'
    const list = db.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ rule: 'gateway_offline', affected: 3 });
    expect(list[0]?.affected_keys).toEqual([
      'device_offline:m-1',
      'device_offline:m-2',
      'device_offline:m-3',
    ]);
  });

  it('a flapping device is one alarm with a count', () => {
    const { db, engine, step } = setup({ rules: { device_offline: { delay: '1s' } } });
    for (let i = 0; i < 10; i++) {
      engine.report(cond({ rule: 'device_offline', key: 'm-1', active: true }));
      step(2_000);
      engine.report(cond({ rule: 'device_offline', key: 'm-1', active: false }));
      step(28_000);
    }
    const all = db.list({ status: 'all' });
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ count: 10, state: 'cleared' });
  });

  it('a broker outage is one alarm; what it explains is counted in it, and judged again after the grace', () => {
    const { db, engine, step } = setup();
    engine.brokerLost('127.0.0.1:1883', t0);
    step(5_000);
    engine.report(cond({ rule: 'stale', key: 'm-1/p', active: true }));
    step(10_000);
    engine.report(cond({ rule: 'device_offline', key: 'm-2', active: true }));
    step(50_000);
    engine.brokerBack('127.0.0.1:1883', t0 + 65_000);
    engine.report(cond({ rule: 'gateway_offline', key: 'gw-1', active: true }));
    engine.report(cond({ rule: 'stale', key: 'm-1/p', active: false }));
    engine.report(cond({ rule: 'gateway_offline', key: 'gw-1', active: false }));
    step(30_000);
    let list = db.list();
    expect(list.map((a) => a.rule)).toEqual(['broker_unreachable']);
    expect(list[0]).toMatchObject({ state: 'cleared', affected: 2 });
    // m-2 is still offline when the grace ends: raised after its own delay then.
    step(31_000);
    step(60_000);
    list = db.list();
    expect(list.map((a) => `${a.rule}:${a.key}`)).toEqual([
      'device_offline:m-2',
      'broker_unreachable:127.0.0.1:1883',
    ]);
  });

  it('a condition reported just before the outage was noticed (a will at the broker’s shutdown) is counted in it', () => {
    const { db, engine, step } = setup();
    engine.report(cond({ rule: 'gateway_offline', key: 'gw-1', active: true }));
    engine.brokerLost('127.0.0.1:1883', t0);
    step(11_000);
    step(20_000);
    engine.brokerBack('127.0.0.1:1883', t0 + 40_000);
    engine.report(cond({ rule: 'gateway_offline', key: 'gw-1', active: false }));
    step(120_000);
    expect(db.list().map((a) => [a.rule, a.affected])).toEqual([['broker_unreachable', 1]]);
  });

  it('a short broker hiccup (under its delay) raises nothing', () => {
    const { db, engine, step } = setup();
    engine.brokerLost('127.0.0.1:1883', t0);
    step(5_000);
    engine.brokerBack('127.0.0.1:1883', t0 + 5_000);
    step(20_000);
    expect(db.list({ status: 'all' })).toHaveLength(0);
  });

  it('snapshots: new conditions raised, gone ones cleared, a bad payload said once', () => {
    const { db, engine, lines, step } = setup({ rules: { collector_silence: { delay: '1ms' } } });
    const snap = (conditions: unknown[]) =>
      Buffer.from(JSON.stringify({ source: 'collector/c1', at: new Date(t0).toISOString(), conditions }));
    const silence = {
      rule: 'collector_silence',
      key: 'gw-1',
      gateway: 'gw-1',
      at: new Date(t0).toISOString(),
      message: 'silent',
      message_zh: '无数据',
    };
    engine.snapshot('collector/c1', snap([silence]));
    step(1000);
    expect(db.list()[0]).toMatchObject({ rule: 'collector_silence', key: 'gw-1', state: 'active' });
    engine.snapshot('collector/c1', Buffer.from('{"nope":1}'));
    engine.snapshot('collector/c1', Buffer.from('not json'));
    expect(lines.filter((l) => l.includes('condition snapshot ignored'))).toHaveLength(1);
    expect(db.list()[0]?.state).toBe('active');
    engine.snapshot('collector/c1', snap([]));
    expect(db.list()[0]?.state).toBe('cleared');
  });

  it('hands on the transitions others made in the database (the API’s acknowledgement)', () => {
    const { db, engine, events, step } = setup({ rules: { device_offline: { delay: '1ms' } } });
    engine.report(cond({ rule: 'device_offline', key: 'm-1', active: true }));
    step(1000);
    const id = db.list()[0]?.id ?? 0;
    db.acknowledge(id, 'engineer-li', '已派人检查', t0 + 2000);
    step(1000);
    expect(events.map((e) => e.transition.action)).toEqual(['raise', 'acknowledge']);
    expect(events[1]?.alarm.acknowledged_by).toBe('engineer-li');
    step(1000);
    expect(events).toHaveLength(2); // each once
  });
  it('a cleared cause explains nothing: a later condition naming it is raised on its own', () => {
    const { db, engine, step } = setup();
    engine.report(cond({ rule: 'gateway_offline', key: 'gw-1', active: true }));
    step(31_000);
    engine.report(cond({ rule: 'gateway_offline', key: 'gw-1', active: false }));
    // Cleared but not acknowledged: the gateway's alarm stays open (待处理) — and explains nothing now.
    expect(db.openAlarm('gateway_offline', 'gw-1')?.state).toBe('cleared');
    engine.report(cond({ rule: 'device_offline', key: 'm-1', active: true, cause: 'gateway_offline:gw-1' }));
    step(61_000);
    expect(db.list().map((a) => [`${a.rule}:${a.key}`, a.state, a.affected])).toEqual([
      ['device_offline:m-1', 'active', 0],
      ['gateway_offline:gw-1', 'cleared', 0],
    ]);
  });

  it('when a cause clears, what it covered and is still active is judged on its own', () => {
    const { db, engine, step } = setup();
    engine.report(cond({ rule: 'gateway_offline', key: 'gw-1', active: true }));
    for (const d of ['m-1', 'm-2'])
      engine.report(cond({ rule: 'device_offline', key: d, active: true, cause: 'gateway_offline:gw-1' }));
    step(31_000);
    step(31_000);
    expect(db.list().map((a) => a.rule)).toEqual(['gateway_offline']);
    engine.report(cond({ rule: 'gateway_offline', key: 'gw-1', active: false }));
    // m-1 answers again with its gateway; m-2 stays offline: raised after its own delay.
    engine.report(cond({ rule: 'device_offline', key: 'm-1', active: false }));
    step(30_000);
    expect(db.list().map((a) => a.rule)).toEqual(['gateway_offline']);
    step(31_000);
    expect(db.list().map((a) => [`${a.rule}:${a.key}`, a.state])).toEqual([
      ['device_offline:m-2', 'active'],
      ['gateway_offline:gw-1', 'cleared'],
    ]);
  });

  it('a big snapshot is judged in one scan of what waits, not one per condition', () => {
    const { engine } = setup({ rules: { stale: { delay: '1ms' } } });
    const n = 20_000;
    const conditions = Array.from({ length: n }, (_, i) => ({
      rule: 'stale',
      key: `m-${i}`,
      at: new Date(t0).toISOString(),
      message: `stale ${i}`,
      message_zh: `无新数据 ${i}`,
    }));
    const payload = Buffer.from(
      JSON.stringify({ source: 'control/s1', at: new Date(t0).toISOString(), conditions }),
    );
    const scans = engine.dueScans;
    engine.snapshot('control/s1', payload);
    expect(engine.dueScans - scans).toBe(1);
    expect(engine.waiting).toBe(n);
    // The tick after raises them (each a write: not what this test is about).
  });

  it('snapshots of sources it does not accept (another site’s collector) are ignored', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-engine-'));
    dirs.push(dir);
    const db = new AlarmDb(join(dir, 'alarms.db'), 'Asia/Shanghai');
    const clock = new ManualClock(t0);
    const log = createLogger({ level: 'warn', sink: { write: () => undefined } });
    const site = {
      config: { alarms: alarmsSchema.parse({ rules: { store_write_failed: { delay: '1ms' } } }) },
    } as unknown as LoadedSite;
    const engine = new AlarmEngine({
      site,
      db,
      clock,
      log,
      acceptsSource: (s) => s === 'collector/jn-collector-s1',
    });
    const snap = (source: string) =>
      Buffer.from(
        JSON.stringify({
          source,
          at: new Date(t0).toISOString(),
          conditions: [
            {
              rule: 'store_write_failed',
              key: source,
              at: new Date(t0).toISOString(),
              message: 'x',
              message_zh: 'x',
            },
          ],
        }),
      );
    engine.snapshot('collector/jn-collector-other', snap('collector/jn-collector-other'));
    engine.snapshot('collector/jn-collector-s1', snap('collector/jn-collector-s1'));
    clock.advance(1000);
    engine.tick();
    expect(db.list().map((a) => a.key)).toEqual(['collector/jn-collector-s1']);
    expect(engine.sources()).toEqual({ 'collector/jn-collector-s1': 1 });
  });

  it('takes a snapshot of its own site only, by the site id exactly (fz-demo-2 is not fz-demo)', () => {
    expect(siteSource('collector/jn-collector-fz-demo-2-host1', 'fz-demo', 'fz-demo-2')).toBe(false);
    expect(siteSource('collector/jn-collector-fz-demo-2-host1', 'fz-demo-2', 'fz-demo-2')).toBe(true);
    expect(siteSource('collector/jn-collector-fz-demo-host1', 'fz-demo', 'fz-demo')).toBe(true);
    expect(siteSource('control/fz-demo-2', 'fz-demo', 'fz-demo-2')).toBe(false);
    expect(siteSource('control/fz-demo', 'fz-demo', undefined)).toBe(true);
    const { db, clock, log } = setup();
    const site = { config: { alarms: alarmsSchema.parse({}) } } as unknown as LoadedSite;
    const engine = new AlarmEngine({
      site,
      db,
      clock,
      log,
      acceptsSource: (source, snapshotSite) => siteSource(source, 'fz-demo', snapshotSite),
    });
    const snap = (source: string, snapshotSite: string) =>
      Buffer.from(
        JSON.stringify({
          source,
          site: snapshotSite,
          at: new Date(t0).toISOString(),
          conditions: [
            {
              rule: 'store_write_failed',
              key: 'store',
              at: new Date(t0).toISOString(),
              message: 'x',
              message_zh: 'x',
            },
          ],
        }),
      );
    // Another site's collector whose client id starts like ours: its store failure is not ours.
    engine.snapshot(
      'collector/jn-collector-fz-demo-2',
      snap('collector/jn-collector-fz-demo-2', 'fz-demo-2'),
    );
    engine.snapshot('collector/jn-collector-fz-demo-2', Buffer.alloc(0));
    clock.advance(31_000);
    engine.tick();
    expect(db.list()).toEqual([]);
    engine.snapshot(
      'collector/jn-collector-fz-demo-h1',
      snap('collector/jn-collector-fz-demo-h1', 'fz-demo'),
    );
    clock.advance(31_000);
    engine.tick();
    expect(db.list().map((a) => a.rule)).toEqual(['store_write_failed']);
    expect(engine.sources()).toEqual({ 'collector/jn-collector-fz-demo-h1': 1 });
  });
});
