import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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

const HOUR = 3_600_000;
const demo = loadSite(join(import.meta.dirname, '../../examples/demo-site.yaml'));
/**
 * The demo site with a target set for 2026 (十四五 ends with 2025): energy −1 % by 2030 against
 * 2025, due −0.2 % by 2026. The demo's energy improves 0.6–1.8 % on 2025, so it is on track; the
 * same history with 综合办公楼 using 8 % more is not. No water target: the demo's water follows
 * the working days and is flat on 2025 in September (+0.0 % for 综合办公楼) — any water target
 * would rightly be at risk.
 */
const site: LoadedSite = {
  ...demo,
  config: {
    ...demo.config,
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

function rulesOn(store: Store, logged: string[] = []) {
  const reported: Condition[] = [];
  const clock = new ManualClock(until);
  const log = createLogger({ level: 'info', sink: { write: (l) => logged.push(l) } });
  const rules = new DataRules({ site, store, clock, log, report: (c) => reported.push(c) });
  return { rules, reported, logged };
}

describe('data rules on a normal demo history', () => {
  let store: Store;
  beforeAll(async () => {
    store = await storeWith(embedded, '2025-01-01');
  });
  afterAll(() => store.close());

  it('raise nothing over weeks that hold 国庆节 and the last days (counts per rule printed)', async () => {
    const { rules, reported } = rulesOn(store);
    // The first tick judges all four rules (the year's trend reads two years of daily rollups).
    const first = Date.now();
    await rules.tick(until);
    console.log(`first tick (all four rules, SQLite): ${Date.now() - first} ms`);
    const t0 = Date.now();
    let ticks = 0;
    for (let t = at('2026-09-20T00:15:00'); t < at('2026-10-15T00:00:00'); t += HOUR) {
      await rules.tick(t);
      ticks++;
    }
    for (let t = at('2026-11-20T00:15:00'); t < until; t += HOUR) {
      await rules.tick(t);
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
        const { rules, reported } = rulesOn(store, logged);
        await rules.tick(at('2026-11-29T12:00:00')); // judges 11-28: balanced everywhere
        expect(reported.filter((c) => c.active)).toEqual([]);
        await rules.tick(at('2026-11-30T00:40:00')); // judges 11-29
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
        await rules.tick(at('2026-12-01T00:40:00')); // 11-30 balances: cleared
        await rules.tick(at('2026-12-02T00:40:00')); // 12-01 has a hole: neither raised nor cleared
        expect(seen(reported, 'meter_balance').filter((x) => x.startsWith('zonghe-lou/'))).toEqual([
          'zonghe-lou/electricity clear',
          'zonghe-lou/electricity raised',
          'zonghe-lou/electricity clear',
        ]);
        expect(logged.join('')).toMatch(
          /meter_balance zonghe-lou\/electricity 2026-12-01: not judged, the day is not whole \(zonghe-main 23\/24 h\)/,
        );
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
        const { rules, reported } = rulesOn(store);
        const nights: string[][] = [];
        for (const date of ['2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30']) {
          await rules.tick(at(`${date}T05:30:00`));
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
        const { rules, reported } = rulesOn(store, logged);
        await rules.tick(at('2026-09-10T21:15:00')); // three weeks of hours only: learning
        expect(logged.join('')).toMatch(
          /after_hours zonghe-lou: not judged until 4 weeks of hourly electricity are stored \(since 2026-08-20\)/,
        );
        expect(seen(reported, 'after_hours')).toEqual([]);
        await rules.tick(at('2026-10-02T10:15:00')); // a holiday morning as usual
        await rules.tick(at('2026-10-03T10:15:00')); // the AC left on
        await rules.tick(at('2026-10-04T10:15:00')); // off again
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
        const { rules, reported } = rulesOn(store);
        await rules.tick(until);
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
        const { rules, reported } = rulesOn(store);
        const states: string[] = [];
        for (const date of ['2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30']) {
          await rules.tick(at(`${date}T05:40:00`));
          states.push(seen(reported, 'night_flow').join(', '));
        }
        // The 1st and 2nd nights of the leak: above, not yet for 3 nights — neither raised nor a clear.
        expect(states).toEqual(['', '', 'zonghe-water raised', 'zonghe-water raised, zonghe-water clear']);
        expect(reported.find((c) => c.active)?.value).toBeCloseTo(0.41, 2);
      } finally {
        await store.close();
      }
    });
  });
}
