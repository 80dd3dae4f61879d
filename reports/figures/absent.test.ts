import { describe, expect, it } from 'vitest';
import { intensityReport } from './intensity.ts';
import { emptyInput, meteredDays, testBuilding, testSite } from './testData.ts';

/** Second review, defects 2 and 3: buildings absent from a period, energy before a building's first fact. */
const since = (id: string, name: string, from: string) => {
  const b = testBuilding(id, name, 10_000, 400);
  b.floor_area = [{ from, value: 10_000 }];
  b.headcount = [{ from, value: 400 }];
  return b;
};
const perArea = (r: ReturnType<typeof intensityReport>, scope: string) =>
  r.comparisons.find((c) => c.scope === scope && c.indicator === 'energy_per_area_kgce_m2');

describe('the organization compares only buildings present in both periods (defect 2)', () => {
  // hq since 2015: 1,000 kWh/day in 2020, 897.5 in 2025 (−10.25 %); new from 2025-07-01 at 897.5 too,
  // and 1,000 kWh/day metered on 2025-06-01..06-30 before its first fact
  const site = testSite([testBuilding('hq', '综合楼', 10_000, 400), since('new', '新楼', '2025-07-01')]);
  const r = intensityReport({
    ...emptyInput(site, '2025-01-01', '2025-12-31'),
    baselineYear: 2020,
    metered: [
      ...meteredDays('hq', 'electricity', '2020-01-01', '2020-12-31', 1_000),
      ...meteredDays('hq', 'electricity', '2025-01-01', '2025-12-31', 897.5),
      ...meteredDays('new', 'electricity', '2025-06-01', '2025-06-30', 1_000),
      ...meteredDays('new', 'electricity', '2025-07-01', '2025-12-31', 897.5),
    ],
  });
  it('keeps each building present in both periods like for like', () => {
    // 897.5 × 365 / (1,000 × 366) − 1 = −10.495 % (2020 has 366 days)
    expect(perArea(r, 'hq')?.change).toBeCloseTo((897.5 * 365) / (1_000 * 366) - 1, 9);
  });
  it('marks the organization incomplete naming the building absent from the baseline (was −13.04 % on_track)', () => {
    const org = perArea(r, 'org');
    expect(org?.change).toBeNull();
    expect(org?.status).toBe('incomplete');
    expect(org?.status_text).toContain('新楼 电 2020-01-01 至 2020-12-31 缺数据');
    expect(org?.status_text).toContain('该建筑的首个事实日期为 2025-07-01');
    expect(r.status).toBe('incomplete');
  });
  it('flags the energy metered before the first fact instead of dropping it silently', () => {
    // 30 days × 1,000 kWh = 30,000 kWh on 2025-06-01..30, not counted
    expect(r.buildings[1]?.notes).toContain(
      '新楼 电：2025-06-01 至 2025-06-30 有 30000 kWh 的计量或录入，早于该建筑的首个事实日期，未计入——请核对建筑面积/人数的起始日期',
    );
  });
});

describe('a baseline year before the buildings existed (defect 3)', () => {
  const site = testSite([since('hq', '综合楼', '2020-01-01')]);
  const r = intensityReport({
    ...emptyInput(site, '2025-01-01', '2025-12-31'),
    baselineYear: 2019,
    metered: meteredDays('hq', 'electricity', '2025-01-01', '2025-12-31', 1_000),
  });
  it('has no baseline (null) with the reason, not 0 complete', () => {
    const base = r.baseline?.buildings[0]?.totals.find((t) => t.energy_type === 'electricity');
    expect(base?.quantity).toBeNull();
    expect(base?.coverage.state).toBe('missing');
    expect(r.baseline?.buildings[0]?.missing[0]?.text).toBe(
      '综合楼 电 2019-01-01 至 2019-12-31 缺数据，该建筑的首个事实日期为 2020-01-01，此期间尚无此建筑，无此期数据（非 0）',
    );
    expect(perArea(r, 'hq')?.status).toBe('incomplete');
  });
});
