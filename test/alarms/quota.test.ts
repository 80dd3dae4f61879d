import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataRules } from '../../alarms/rules/data.ts';
import { AlarmDb } from '../../core/alarms/db.ts';
import type { Condition } from '../../core/alarms/model.ts';
import { ManualClock } from '../../core/clock.ts';
import { type LoadedSite, loadSite } from '../../core/config/loadSite.ts';
import { createLogger } from '../../core/log.ts';
import { siteQuotasSchema } from '../../core/reports/quotas.ts';
import { localMidnight } from '../../core/rollup/consumption.ts';
import { SqliteStore } from '../../core/store/sqliteStore.ts';
import type { RollupRow, Store } from '../../core/store/store.ts';

/**
 * The quota rule (能耗定额预警, issue 18) on a hand-computed building, through the data rules and an
 * alarm DB as the alarm service runs them. 综合办公楼 made 10 000 m², 200 people, one electricity and
 * one water main meter; its quotas:
 *
 * - 单位建筑面积能耗: DB37/T 2672-2019 市级及以下 A 区 约束值 20.0 kgce/(m²·a), electricity at the
 *   standard's 0.31 kgce/kWh → 200 000 kgce a year for the building.
 * - 人均用水量: its own 25 m³/(人·a), no water metered last year → prorated by days.
 *
 * Electricity 2025 by month (kWh): 40k 40k 40k 40k 50k 60k | 70k 70k 60k 50k 40k 40k = 600 000.
 * 2026: January–June 0.9 × 2025's, July–December 1.3 × 2025's.
 *
 * 30 June 2026: share = (40+40+40+40+50+60)/600 = 270/600 = 45 %; prorated quota 20 × 0.45 = 9.0;
 * YTD 0.9 × 270 000 = 243 000 kWh × 0.31 = 75 330 kgce ÷ 10 000 m² = 7.533 kgce/m²;
 * 7.533 / 9.0 = 83.7 % → 预警 (not 超定额); projection 7.533 / 0.45 = 16.74.
 * Water 12 m³/day: 181 days × 12 = 2 172 m³ ÷ 200 = 10.86 m³/人; share 181/365; prorated
 * 25 × 181/365 = 12.397; 10.86 / 12.397 = 87.6 % → 预警.
 *
 * 31 December 2026: share 100 %; 243 000 + 1.3 × 330 000 = 672 000 kWh × 0.31 = 208 320 kgce
 * → 20.832 kgce/m²; 20.832 / 20 = 104.2 % → 超定额 (and 预警). Water 365 × 12 / 200 = 21.9,
 * 21.9 / 25 = 87.6 % → 预警.
 *
 * Put right (July–December rewritten at 0.5 × 2025's): 243 000 + 165 000 = 408 000 kWh × 0.31 =
 * 126 480 kgce → 12.648 kgce/m², 63.2 % → both energy alarms cleared.
 */
const demo = loadSite(join(import.meta.dirname, '../../examples/demo-site.yaml'));
const TZ = 'Asia/Shanghai';
const at = (local: string) => Date.parse(`${local}+08:00`);
const B = 'zonghe-lou';

const site: LoadedSite = {
  ...demo,
  config: {
    ...demo.config,
    organization: {
      ...demo.config.organization,
      buildings: demo.config.organization.buildings
        .filter((b) => b.id === B)
        .map((b) => ({
          ...b,
          floor_area: [{ from: '2020-01-01', value: 10_000 }],
          headcount: [{ from: '2020-01-01', value: 200 }],
        })),
    },
    meters: demo.config.meters.filter((m) => m.id === 'zonghe-main' || m.id === 'zonghe-water'),
    reports: {
      ...demo.config.reports,
      quotas: siteQuotasSchema.parse([
        {
          building: B,
          indicator: 'energy_per_area_kgce_m2',
          standard: 'DB37/T 2672-2019',
          category: 'city_a',
        },
        { building: B, indicator: 'water_per_capita_m3', value: 25, source: '本单位用水定额（测试）' },
      ]),
    },
  },
};

const last2025 = [40, 40, 40, 40, 50, 60, 70, 70, 60, 50, 40, 40].map((k) => k * 1000);
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** Daily rows of one meter spreading each month's total evenly over its days. */
function rows(meter: string, year: number, monthly: (m: number) => number, months = [...Array(12).keys()]) {
  const out: RollupRow[] = [];
  for (const i of months) {
    const n = daysIn(year, i + 1);
    for (let d = 1; d <= n; d++) {
      const date = `${year}-${String(i + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
      out.push({ period: 'day', meter, start: localMidnight(date, TZ), value: monthly(i) / n, estimated: 0 });
    }
  }
  return out;
}

let store: Store;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jn-quota-'));
  store = new SqliteStore(join(dir, 'jieneng.db'));
  await store.open();
  await store.writeRollups(rows('zonghe-main', 2025, (m) => last2025[m] ?? 0));
  await store.writeRollups(rows('zonghe-main', 2026, (m) => (last2025[m] ?? 0) * (m < 6 ? 0.9 : 1.3)));
  await store.writeRollups(rows('zonghe-water', 2026, (m) => 12 * daysIn(2026, m + 1)));
});
afterAll(() => store.close());

describe('quota: 能耗定额预警 at 80 % and 100 % of the prorated quota', () => {
  it('raises 预警 in June, 超定额 in December, and clears once the year is put right', async () => {
    const reported: Condition[] = [];
    /** The alarm service's data rules (a new one: a restart, judging the same day again). */
    const service = () =>
      new DataRules({
        site,
        store,
        clock: new ManualClock(at('2026-07-01T06:00:00')),
        log: createLogger({ level: 'error' }),
        report: (c) => reported.push(c),
      });
    const rules = service();
    const db = new AlarmDb(join(dir, 'alarms.db'), TZ);
    const apply = (now: number) => {
      for (const c of reported.splice(0))
        if (c.rule === 'quota')
          db.observe(c, { now, severity: site.config.alarms.rules.quota.severity, holdOffMs: 0 });
    };
    const open = () =>
      Object.fromEntries(
        db
          .list({})
          .filter((a) => a.rule === 'quota' && a.state === 'active')
          .map((a) => [a.key, { severity: a.severity, value: Number(a.value?.toFixed(4)) }]),
      );

    // 30 June (judged on 1 July): 83.7 % energy, 87.6 % water — both 预警, none 超定额
    const june = at('2026-07-01T06:00:00');
    await rules.tick(june);
    apply(june);
    expect(open()).toEqual({
      [`${B}/energy_per_area_kgce_m2/warning`]: { severity: 'minor', value: Number((7.533 / 9).toFixed(4)) },
      [`${B}/water_per_capita_m3/warning`]: {
        severity: 'minor',
        value: Number((10.86 / ((25 * 181) / 365)).toFixed(4)),
      },
    });
    const warn = db.list({}).find((a) => a.key === `${B}/energy_per_area_kgce_m2/warning`);
    expect(warn?.message_zh).toContain(
      '综合办公楼 单位建筑面积能耗预警（≥ 80 %）：2026 年至今 7.53 kgce/(m²·a)，为按进度应用定额 9.00（定额 20.00 kgce/(m²·a) × 45.0 %）的 83.7 %，预计全年 16.74 kgce/(m²·a)（DB37/T 2672-2019 市级及以下党政机关 A 区 约束值',
    );
    expect(warn?.message_zh).toContain(
      '按上年（2025 年）逐月用量分摊：1–5 月及 6 月 30/30 天占上年全年 45.0 %',
    );
    const water = db.list({}).find((a) => a.key === `${B}/water_per_capita_m3/warning`);
    expect(water?.message_zh).toContain(
      '上年（2025 年）1 月数据不全，按天数分摊：181/365 天 = 49.6 %（标记：非按上年逐月分摊）',
    );

    // 31 December (judged on 1 January): 104.2 % → 超定额 (major) beside the 预警
    const december = at('2027-01-01T06:00:00');
    await rules.tick(december);
    apply(december);
    // (the data rules report on change only: the 预警 still holds and keeps June's figure)
    expect(open()).toEqual({
      [`${B}/energy_per_area_kgce_m2/warning`]: { severity: 'minor', value: Number((7.533 / 9).toFixed(4)) },
      [`${B}/energy_per_area_kgce_m2/exceeded`]: {
        severity: 'major',
        value: Number((20.832 / 20).toFixed(4)),
      },
      [`${B}/water_per_capita_m3/warning`]: { severity: 'minor', value: Number((21.9 / 25).toFixed(4)) },
    });
    const over = db.list({}).find((a) => a.key === `${B}/energy_per_area_kgce_m2/exceeded`);
    expect(over?.message_zh).toContain('超定额（≥ 100 %）：2026 年至今 20.83 kgce/(m²·a)');

    // July–December put right at 0.5 × 2025: 63.2 % — both energy alarms cleared, water stays
    // (the service restarted the same morning judges 31 December again)
    await store.writeRollups(
      rows('zonghe-main', 2026, (m) => (last2025[m] ?? 0) * 0.5, [6, 7, 8, 9, 10, 11]),
    );
    const later = december + 3_600_000;
    await service().tick(later);
    apply(later);
    expect(Object.keys(open())).toEqual([`${B}/water_per_capita_m3/warning`]);
    const cleared = db.list({}).filter((a) => a.rule === 'quota' && a.state === 'cleared');
    expect(cleared.map((a) => [a.key, Number(a.value?.toFixed(4))]).sort()).toEqual([
      [`${B}/energy_per_area_kgce_m2/exceeded`, Number((12.648 / 20).toFixed(4))],
      [`${B}/energy_per_area_kgce_m2/warning`, Number((12.648 / 20).toFixed(4))],
    ]);
    db.close();
  });
});
