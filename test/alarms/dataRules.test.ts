import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { DataRules } from '../../alarms/rules/data.ts';
import { RollupJob } from '../../collector/rollups.ts';
import type { Condition } from '../../core/alarms/model.ts';
import { ManualClock } from '../../core/clock.ts';
import { type LoadedSite, loadSite } from '../../core/config/loadSite.ts';
import { createLogger } from '../../core/log.ts';
import { InfluxStore } from '../../core/store/influxStore.ts';
import { SqliteStore } from '../../core/store/sqliteStore.ts';
import type { RollupRow, Store, StoredReading } from '../../core/store/store.ts';
import { simulatedHistory } from '../../device-sims/history/history.ts';
import { type AlarmPath, alarmPath, startRobot } from './receiver.ts';

const HOUR = 3_600_000;
const demo = loadSite(join(import.meta.dirname, '../../examples/demo-site.yaml'));
/** The 企业微信 robot stand-in every alarm of these tests is sent to (test/alarms/receiver.ts). */
const robot = await startRobot();
afterAll(() => robot.close());
/**
 * The demo site with a target set for 2026 (十四五 ends with 2025): energy −1 % by 2030 against
 * 2025, due −0.2 % by 2026. The demo's energy improves 0.6–1.8 % on 2025, so it is on track; the
 * same history with 综合办公楼 using 8 % more is not. No water target: the demo's water follows
 * the working days and is flat on 2025 in September (+0.0 % for 综合办公楼) — any water target
 * would rightly be at risk. Every alarm goes to the robot: one route, no quiet hours, a rate limit
 * no test reaches; the demo's rule settings as they are.
 */
const site: LoadedSite = {
  ...demo,
  config: {
    ...demo.config,
    alarms: {
      ...demo.config.alarms,
      channels: [{ id: 'wx', type: 'wecom', url: robot.url }],
      routes: [{ id: 'all', channels: ['wx'] }],
      rate_limit: { per_hour: 1000 },
    },
    reports: {
      ...demo.config.reports,
      targets: [
        {
          id: 'test-15th',
          name: '测试目标（2026–2030）',
          source: '测试',
          base_year: 2025,
          end_year: 2030,
          targets: {
            energy_per_area_kgce_m2: -0.01,
            energy_per_capita_kgce: -0.01,
          },
          verified: false,
        },
      ],
    },
  },
};
const at = (local: string) => Date.parse(`${local}+08:00`);
const until = at('2026-12-02T13:20:00');

type MakeStore = () => Store;
let made = 0;
const embedded: MakeStore = () =>
  new SqliteStore(join(mkdtempSync(join(tmpdir(), 'jn-data-rules-')), 'jieneng.db'));
const influx: MakeStore = () => new InfluxStore(`${inject('influxUrl')}/data_rules_${process.pid}_${made++}`);

/** A store with the demo's history from `from`, each row passed through `edit`: rows as the collector writes them. */
async function storeWith(
  make: MakeStore,
  from: string,
  edit: (r: RollupRow) => RollupRow | undefined = (r) => r,
): Promise<Store> {
  const store = make();
  await store.open();
  const rows = simulatedHistory(site, { from, until }).flatMap((r) => edit(r) ?? []);
  for (let i = 0; i < rows.length; i += 5000) await store.writeRollups(rows.slice(i, i + 5000));
  return store;
}

/** The alarm paths of the test running: stopped after it. */
const paths: { path: AlarmPath; dir: string }[] = [];
afterEach(async () => {
  for (const { path, dir } of paths.splice(0)) {
    await path.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
/** The longest engine delay of the four rules (the site's settings): a tick's raises are due after it. */
const delay = Math.max(
  ...(['meter_balance', 'after_hours', 'night_flow', 'target_trend'] as const).map(
    (r) => site.config.alarms.rules[r].delay,
  ),
);

/**
 * The data rules on `store`, their conditions through the alarm engine and the real notifier to
 * the robot, as the alarm service runs them. `tick(t)` judges at `t` (the clock at `t`), lets the
 * rules' delay pass and waits for what the notifier sends; `sent(...)` is what the robot showed
 * since, containing every part (the text as the person on duty reads it).
 */
function rulesOn(store: Store, logged: string[] = []) {
  const reported: Condition[] = [];
  const clock = new ManualClock(until);
  const log = createLogger({ level: 'info', sink: { write: (l) => logged.push(l) } });
  const dir = mkdtempSync(join(tmpdir(), 'jn-data-rules-alarms-'));
  const path = alarmPath({ site, clock, log, dir });
  paths.push({ path, dir });
  const rules = new DataRules({
    site,
    store,
    clock,
    log,
    report: (c) => {
      reported.push(c);
      path.report(c);
    },
  });
  const from = robot.messages.length;
  const tick = async (t: number) => {
    clock.set(t);
    await rules.tick(t);
    clock.set(t + delay);
    await path.settle();
  };
  const sent = (...parts: string[]) =>
    robot.messages
      .slice(from)
      .map((m) => m.shown)
      .filter((m) => parts.every((p) => m.includes(p)));
  return { rules, reported, logged, tick, sent, path };
}

/** The value of the `label：…` line of a robot message as shown (undefined when it has none). */
const line = (shown: string | undefined, label: string): string | undefined =>
  shown
    ?.split('\n')
    .find((l) => l.startsWith(`${label}：`))
    ?.slice(label.length + 1);

/**
 * The raise and the clear as the person on duty reads them: the 【severity】rule · subject
 * heading, 状态 发生 / 已恢复, the building. Returns the raise.
 */
function expectSent(
  messages: string[],
  want: { heading: string; building?: string; cleared: boolean },
): string | undefined {
  const [raised, cleared, ...more] = messages;
  expect(more, JSON.stringify(messages)).toEqual([]);
  // The subject may be followed by what it is (zonghe-water（综合办公楼水表）).
  expect(raised?.split('\n')[0]?.startsWith(want.heading), raised).toBe(true);
  expect(raised).toMatch(/^状态：发生$/m);
  if (want.building) expect(line(raised, '建筑')).toBe(want.building);
  if (!want.cleared) expect(cleared).toBeUndefined();
  else {
    expect(cleared?.split('\n')[0]?.startsWith(`【恢复】${want.heading}`), cleared).toBe(true);
    expect(cleared).toMatch(/^状态：已恢复$/m);
    expect(line(cleared, '恢复时间')).toMatch(/^2026-\d\d-\d\d \d\d:\d\d:\d\d$/);
  }
  return raised;
}

describe('data rules on a normal demo history', () => {
  let store: Store;
  beforeAll(async () => {
    store = await storeWith(embedded, '2025-01-01');
  });
  afterAll(() => store.close());

  it('raise nothing over weeks that hold 国庆节 and the last days (counts per rule printed)', async () => {
    const { tick, reported, sent } = rulesOn(store);
    // The first tick judges all four rules (the year's trend reads two years of daily rollups).
    const first = Date.now();
    await tick(until);
    console.log(`first tick (all four rules, SQLite): ${Date.now() - first} ms`);
    const t0 = Date.now();
    let ticks = 0;
    for (let t = at('2026-09-20T00:15:00'); t < at('2026-10-15T00:00:00'); t += HOUR) {
      await tick(t);
      ticks++;
    }
    for (let t = at('2026-11-20T00:15:00'); t < until; t += HOUR) {
      await tick(t);
      ticks++;
    }
    const raised = reported.filter((c) => c.active);
    const counts = Object.fromEntries(
      ['meter_balance', 'after_hours', 'night_flow', 'target_trend'].map((r) => [
        r,
        {
          raised: raised.filter((c) => c.rule === r).length,
          reported: reported.filter((c) => c.rule === r).length,
        },
      ]),
    );
    console.log(`normal demo history, ${ticks} ticks in ${Date.now() - t0} ms:`, JSON.stringify(counts));
    for (const c of raised.slice(0, 5)) console.log(c.rule, c.key, c.message);
    expect(raised).toEqual([]);
    expect(sent()).toEqual([]); // nothing reached the robot either
  });
});

/** Every condition reported for `rule`, as (key, active) in order. */
const seen = (reported: Condition[], rule: string) =>
  reported.filter((c) => c.rule === rule).map((c) => `${c.key} ${c.active ? 'raised' : 'clear'}`);

/** Each rule raising and clearing, on both stores (the reports read both alike). */
for (const [name, make] of [
  ['embedded', embedded],
  ['InfluxDB', influx],
] as [string, MakeStore][]) {
  describe(`meter_balance: 总分表 against the sum of its sub-meters, per local day (${name} store)`, () => {
    it('raises the day a sub-meter under-counts, clears on a balanced day, and leaves a day with a hole unjudged', async () => {
      const day = (r: RollupRow, date: string) =>
        r.start >= at(`${date}T00:00:00`) && r.start < at(`${date}T00:00:00`) + 24 * HOUR;
      const store = await storeWith(make, '2026-11-20', (r) => {
        // 11-29: 照明插座's meter counts 30 % of what it should (a CT fault); 12-01 too, but an hour of the main meter is missing.
        if (r.meter === 'zonghe-lighting-socket' && (day(r, '2026-11-29') || day(r, '2026-12-01')))
          return { ...r, value: r.value * 0.3 };
        if (r.meter === 'zonghe-main' && r.period === 'hour' && r.start === at('2026-12-01T03:00:00'))
          return undefined;
        return r;
      });
      try {
        const logged: string[] = [];
        const { tick, reported, sent } = rulesOn(store, logged);
        await tick(at('2026-11-29T12:00:00')); // judges 11-28: balanced everywhere
        expect(reported.filter((c) => c.active)).toEqual([]);
        await tick(at('2026-11-30T00:40:00')); // judges 11-29
        const raised = reported.filter((c) => c.active);
        expect(raised).toHaveLength(1);
        expect(raised[0]).toMatchObject({
          rule: 'meter_balance',
          key: 'zonghe-lou/electricity',
          building: 'zonghe-lou',
          at: '2026-11-30T00:00:00+08:00',
        });
        expect(raised[0]?.message_zh).toMatch(
          /综合办公楼 电 2026-11-29：总分表不平衡——总表 [\d,.]+ kWh，分表合计 [\d,.]+ kWh，差值占总表 \d+\.\d %（允许 10\.0 %）/,
        );
        await tick(at('2026-12-01T00:40:00')); // 11-30 balances: cleared
        await tick(at('2026-12-02T00:40:00')); // 12-01 has a hole: neither raised nor cleared
        expect(seen(reported, 'meter_balance').filter((x) => x.startsWith('zonghe-lou/'))).toEqual([
          'zonghe-lou/electricity clear',
          'zonghe-lou/electricity raised',
          'zonghe-lou/electricity clear',
        ]);
        expect(logged.join('')).toMatch(
          /meter_balance zonghe-lou\/electricity 2026-12-01: not judged, the day is not whole \(zonghe-main 23\/24 h\)/,
        );
        // At the robot: raised for 11-29 with both totals and the share, cleared by 11-30; the day with a hole sends nothing.
        const shown = expectSent(sent('总分表不平衡'), {
          heading: '【次要】总分表不平衡 · zonghe-lou/electricity',
          building: '综合办公楼（zonghe-lou）',
          cleared: true,
        });
        expect(line(shown, '内容')).toMatch(
          /^综合办公楼 电 2026-11-29：总分表不平衡——总表 [\d,.]+ kWh，分表合计 [\d,.]+ kWh，差值占总表 \d+\.\d %（允许 10\.0 %）$/,
        );
        const share = Number(/差值占总表 ([\d.]+) %/.exec(shown ?? '')?.[1]);
        expect(share).toBeCloseTo((raised[0]?.value ?? 0) * 100, 1);
        expect(share).toBeGreaterThan(10);
        expect(line(shown, '对象')).toContain('zonghe-lou/electricity');
      } finally {
        await store.close();
      }
    });
  });

  describe(`night_flow: the quietest night hour of a water meter (${name} store)`, () => {
    it('raises 疑似漏水 on the 3rd night of a leak and clears after a dry night', async () => {
      // A leak of 0.4 m³/h from 11-26 noon until 11-29 08:00: the nights to 11-27, 11-28 and 11-29.
      const store = await storeWith(make, '2026-11-20', (r) =>
        r.meter === 'zonghe-water' &&
        r.period === 'hour' &&
        r.start >= at('2026-11-26T12:00:00') &&
        r.start < at('2026-11-29T08:00:00')
          ? { ...r, value: r.value + 0.4 }
          : r,
      );
      try {
        const { tick, reported, sent } = rulesOn(store);
        const nights: string[][] = [];
        for (const date of ['2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30']) {
          await tick(at(`${date}T05:30:00`));
          nights.push(seen(reported, 'night_flow').filter((x) => x.startsWith('zonghe-water')));
        }
        expect(nights[1]).toEqual(nights[0]); // not yet after 2 nights
        expect(nights[2]?.at(-1)).toBe('zonghe-water raised');
        expect(nights[3]?.at(-1)).toBe('zonghe-water clear');
        const leak = reported.find((c) => c.rule === 'night_flow' && c.active);
        expect(leak).toMatchObject({
          key: 'zonghe-water',
          building: 'zonghe-lou',
          at: '2026-11-29T05:00:00+08:00',
        });
        expect(leak?.message_zh).toMatch(
          /综合办公楼水表（综合办公楼）：连续 3 晚 01:00-05:00 最小小时流量超过 0.05 m³\/h（2026-11-29 0\.4\d\d，2026-11-28 0\.4\d\d，2026-11-27 0\.4\d\d m³\/h），疑似漏水/,
        );
        expect(reported.filter((c) => c.active && c.key !== 'zonghe-water')).toEqual([]);
        // At the robot: the leak with each night's lowest flow, on the water meter; cleared after the dry night.
        const shown = expectSent(sent('夜间用水'), {
          heading: '【重要】夜间用水（疑似漏水） · zonghe-water',
          building: '综合办公楼（zonghe-lou）',
          cleared: true,
        });
        expect(line(shown, '内容')).toMatch(
          /^综合办公楼水表（综合办公楼）：连续 3 晚 01:00-05:00 最小小时流量超过 0.05 m³\/h（2026-11-29 0\.4\d\d，2026-11-28 0\.4\d\d，2026-11-27 0\.4\d\d m³\/h），疑似漏水$/,
        );
        expect(line(shown, '设备')).toContain('zonghe-water');
        expect(line(shown, '发生时间')).toMatch(/^2026-11-29 05:\d\d:\d\d$/); // raised when the 3rd night was judged
        expect(sent()).toHaveLength(2); // nothing else was sent
      } finally {
        await store.close();
      }
    });
  });

  describe(`after_hours: electricity outside working hours against the learned hour-of-week baseline (${name} store)`, () => {
    it('raises on 国庆节 with the air-conditioning left on, judged against the rest-day baseline, and says when it cannot judge yet', async () => {
      // 2026-10-03 (国庆节): 综合办公楼's air-conditioning runs all day, 160 kWh an hour more.
      const store = await storeWith(make, '2026-08-20', (r) =>
        (r.meter === 'zonghe-main' || r.meter === 'zonghe-hvac') &&
        r.period === 'hour' &&
        r.start >= at('2026-10-03T00:00:00') &&
        r.start < at('2026-10-04T00:00:00')
          ? { ...r, value: r.value + 160 }
          : r,
      );
      try {
        const logged: string[] = [];
        const { tick, reported, sent } = rulesOn(store, logged);
        await tick(at('2026-09-10T21:15:00')); // three weeks of hours only: learning
        expect(logged.join('')).toMatch(
          /after_hours zonghe-lou: not judged until 4 weeks of hourly electricity are stored \(since 2026-08-20\)/,
        );
        expect(seen(reported, 'after_hours')).toEqual([]);
        await tick(at('2026-10-02T10:15:00')); // a holiday morning as usual
        await tick(at('2026-10-03T10:15:00')); // the AC left on
        await tick(at('2026-10-04T10:15:00')); // off again
        expect(seen(reported, 'after_hours').filter((x) => x.startsWith('zonghe-lou'))).toEqual([
          'zonghe-lou clear',
          'zonghe-lou raised',
          'zonghe-lou clear',
        ]);
        const raised = reported.find((c) => c.rule === 'after_hours' && c.active);
        expect(raised).toMatchObject({
          key: 'zonghe-lou',
          building: 'zonghe-lou',
          at: '2026-10-03T10:00:00+08:00',
        });
        expect(raised?.message_zh).toMatch(
          /综合办公楼：非工作时间用电异常，2026-10-03 09:00–10:00（节假日（国庆节））[\d,.]+ kWh，基线 [\d,.]+ kWh/,
        );
        expect(reported.filter((c) => c.active && c.key !== 'zonghe-lou')).toEqual([]);
        // At the robot: the hour, the day's kind, what it used against its baseline; cleared the next day.
        const shown = expectSent(sent('非工作时间用能异常'), {
          heading: '【次要】非工作时间用能异常 · zonghe-lou',
          building: '综合办公楼（zonghe-lou）',
          cleared: true,
        });
        const figures =
          /^综合办公楼：非工作时间用电异常，2026-10-03 09:00–10:00（节假日（国庆节））([\d,.]+) kWh，基线 ([\d,.]+) kWh（近 4 周 \d+ 个同类时段的中位数；超过 1.5 倍且多 5 kWh 即告警）$/.exec(
            line(shown, '内容') ?? '',
          );
        expect(figures, shown).not.toBeNull();
        const [used, baseline] = [figures?.[1], figures?.[2]].map((x) => Number(x?.replace(/,/g, '')));
        expect(used).toBeGreaterThan(1.5 * (baseline ?? 0));
        expect(used).toBeGreaterThan((baseline ?? 0) + 160 * 0.9); // the AC's 160 kWh an hour shows
      } finally {
        await store.close();
      }
    });
  });

  describe(`target_trend: the year to date projected to the year end against the target due by now (${name} store)`, () => {
    it('raises for 综合办公楼 (and the organization) when it uses 8 % more than the demo', async () => {
      const store = await storeWith(make, '2025-01-01', (r) =>
        r.meter.startsWith('zonghe-') && r.category === 'electricity' && r.start >= at('2026-01-01T00:00:00')
          ? { ...r, value: r.value * 1.08 }
          : r,
      );
      try {
        const { tick, reported, sent } = rulesOn(store);
        await tick(until);
        const raised = reported.filter((c) => c.active).map((c) => c.key);
        expect(raised).toEqual(
          expect.arrayContaining([
            'zonghe-lou/energy_per_area_kgce_m2',
            'zonghe-lou/energy_per_capita_kgce',
            'fz-jgswj/energy_per_area_kgce_m2',
          ]),
        );
        expect(
          raised.filter(
            (k) => k.startsWith('dangan-lou/') || k.startsWith('fuwu-lou/') || k.includes('water'),
          ),
        ).toEqual([]);
        const c = reported.find((x) => x.key === 'zonghe-lou/energy_per_area_kgce_m2');
        expect(c).toMatchObject({
          rule: 'target_trend',
          building: 'zonghe-lou',
          at: '2026-12-02T00:00:00+08:00',
        });
        expect(c?.message_zh).toMatch(
          /综合办公楼 单位建筑面积能耗趋势超目标：2026 年全年预测 [\d.]+ kgce\/m²，较基准年 2025（[\d.]+ kgce\/m²）\+\d\.\d %；按进度 2026 年应达 −0\.2 %.*按上年同期占比推算/,
        );
        // At the robot: one message per indicator raised, the building's with its projection against the target.
        const area = sent('能耗强度趋势超目标 · zonghe-lou/energy_per_area_kgce_m2');
        const shown = expectSent(area, {
          heading: '【次要】能耗强度趋势超目标 · zonghe-lou/energy_per_area_kgce_m2',
          building: '综合办公楼（zonghe-lou）',
          cleared: false,
        });
        expect(line(shown, '内容')).toMatch(
          /^综合办公楼 单位建筑面积能耗趋势超目标：2026 年全年预测 [\d.]+ kgce\/m²，较基准年 2025（[\d.]+ kgce\/m²）\+\d\.\d %；按进度 2026 年应达 −0\.2 %（测试目标（2026–2030）：2030 年 −1\.0 %）；/,
        );
        const headings = sent('能耗强度趋势超目标').map((m) => m.split('\n')[0] ?? '');
        expect(headings).toHaveLength(raised.length);
        for (const k of raised)
          expect(headings.filter((h) => h.startsWith(`【次要】能耗强度趋势超目标 · ${k}`))).toHaveLength(1);
        // The organization's has no building: its subject is named instead.
        const org = sent('能耗强度趋势超目标 · fz-jgswj/energy_per_area_kgce_m2')[0];
        expect(line(org, '建筑')).toBeUndefined();
        expect(line(org, '对象')).toContain('fz-jgswj/energy_per_area_kgce_m2');

        // The year's figures put right (综合办公楼 as the demo uses): on track the next day, cleared.
        const corrected = simulatedHistory(site, { from: '2026-01-01', until }).filter(
          (r) => r.meter.startsWith('zonghe-') && r.category === 'electricity',
        );
        for (let i = 0; i < corrected.length; i += 5000)
          await store.writeRollups(corrected.slice(i, i + 5000));
        await tick(until + 24 * HOUR);
        expect(reported.filter((x) => x.key === c?.key).map((x) => x.active)).toEqual([true, false]);
        expectSent(sent('能耗强度趋势超目标 · zonghe-lou/energy_per_area_kgce_m2'), {
          heading: '【次要】能耗强度趋势超目标 · zonghe-lou/energy_per_area_kgce_m2',
          building: '综合办公楼（zonghe-lou）',
          cleared: true,
        });
      } finally {
        await store.close();
      }
    });
  });

  describe(`night_flow from the water meter's readings through the collector's rollups (${name} store)`, () => {
    it('raises on the 3rd night of a leak and clears after a dry night; the meters without readings are holes, not alarms', async () => {
      const store = make();
      await store.open();
      try {
        // zonghe-water's counter every 15 min from 11-24: 0.6 m³/h by day, 0.01 at night, and a
        // 0.4 m³/h leak from 11-26 12:00 until a plumber closes it at 11-29 08:00.
        const readings: StoredReading[] = [];
        let volume = 1234.5;
        const step = 15 * 60_000;
        for (let t = at('2026-11-24T00:00:00'); t <= at('2026-11-30T08:00:00'); t += step) {
          const hour = new Date(t + 8 * HOUR).getUTCHours();
          const leak = t >= at('2026-11-26T12:00:00') && t < at('2026-11-29T08:00:00') ? 0.4 : 0;
          volume += ((hour >= 7 && hour < 20 ? 0.6 : 0.01) + leak) * (step / HOUR);
          readings.push({
            site: 'fz-demo',
            building: 'zonghe-lou',
            device: 'zonghe-water',
            point: 'total_volume',
            meter: 'zonghe-water',
            category: 'water',
            value: Math.round(volume * 1000) / 1000,
            unit: 'm³',
            ts: t,
            quality: 'good',
          });
        }
        await store.writeReadings(readings);
        const clock = new ManualClock(at('2026-11-30T08:30:00'));
        const job = new RollupJob({ site, store, clock, log: createLogger({ level: 'error' }) });
        job.markDirty(readings);
        // A backlog is worked through a span per run, as the collector does after a spool replay.
        for (let i = 0; i < 20; i++) await job.runOnce();
        expect(job.counters.errors).toBe(0);
        const { tick, reported, sent } = rulesOn(store);
        const states: string[] = [];
        for (const date of ['2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30']) {
          await tick(at(`${date}T05:40:00`));
          states.push(seen(reported, 'night_flow').join(', '));
        }
        // The 1st and 2nd nights of the leak: above, not yet for 3 nights — neither raised nor a clear.
        expect(states).toEqual(['', '', 'zonghe-water raised', 'zonghe-water raised, zonghe-water clear']);
        expect(reported.find((c) => c.active)?.value).toBeCloseTo(0.41, 2);
        const shown = expectSent(sent(), {
          heading: '【重要】夜间用水（疑似漏水） · zonghe-water',
          building: '综合办公楼（zonghe-lou）',
          cleared: true,
        });
        expect(line(shown, '内容')).toMatch(
          /（2026-11-29 0\.41\d，2026-11-28 0\.41\d，2026-11-27 0\.41\d m³\/h），疑似漏水$/,
        );
      } finally {
        await store.close();
      }
    });
  });
}
