import { describe, expect, it } from 'vitest';
import { intensityReport } from './intensity.ts';
import { bill, emptyInput, meteredDays, testBuilding, testSite } from './testData.ts';

/**
 * Issue 14 §2: missing data never reads as zero. 综合楼 (hq) is metered all 2025; 附楼 (annex) has
 * its 2020 bills but its 2025 bills were never entered.
 */
const site = testSite([testBuilding('hq', '综合楼', 10_000, 400), testBuilding('annex', '附楼', 2_000, 100)]);
const base = {
  ...emptyInput(site, '2025-01-01', '2025-12-31'),
  baselineYear: 2020,
  metered: [
    ...meteredDays('hq', 'electricity', '2025-01-01', '2025-12-31', 2_000), // 730,000 kWh
    ...meteredDays('hq', 'water', '2025-01-01', '2025-12-31', 10), // 3,650 m³
  ],
  entries: [
    bill('hq', 'electricity', '2020-01-01', '2020-12-31', 800_000),
    bill('hq', 'water', '2020-01-01', '2020-12-31', 4_000),
    bill('annex', 'electricity', '2020-01-01', '2020-12-31', 200_000),
    bill('annex', 'water', '2020-01-01', '2020-12-31', 1_000),
  ],
};

describe('a year with one building’s bills missing', () => {
  const r = intensityReport(base);
  const annex = r.buildings[1];

  it('shows the building as missing, never as 0', () => {
    // annex is expected to have electricity and water (its 2020 bills) and has neither in 2025
    expect(annex?.totals.map((t) => [t.energy_type, t.quantity, t.kgce, t.coverage.state])).toEqual([
      ['electricity', null, null, 'missing'],
      ['water', null, null, 'missing'],
    ]);
    expect(annex?.energy_kgce).toBeNull();
    expect(annex?.indicators).toEqual({
      energy_per_area_kgce_m2: null,
      energy_per_capita_kgce: null,
      water_per_capita_m3: null,
      carbon_per_area_kgco2_m2: null,
      electricity_per_area_kwh_m2: null,
    });
    expect(annex?.coverage).toBe('missing');
    expect(annex?.missing.map((m) => m.text)).toEqual([
      '附楼 电 2025-01-01 至 2025-12-31 缺数据',
      '附楼 水 2025-01-01 至 2025-12-31 缺数据',
    ]);
  });

  it('leaves it out of the ranking and says why', () => {
    expect(r.ranking.energy_per_area_kgce_m2.map((x) => x.building)).toEqual(['hq']);
    expect(r.ranking.water_per_capita_m3.map((x) => x.building)).toEqual(['hq']);
    expect(r.ranking.unranked).toEqual([
      {
        building: 'annex',
        name: '附楼',
        indicator: 'energy_per_area_kgce_m2',
        reason: '数据不全：附楼 电 2025-01-01 至 2025-12-31 缺数据',
      },
      {
        building: 'annex',
        name: '附楼',
        indicator: 'water_per_capita_m3',
        reason: '数据不全：附楼 水 2025-01-01 至 2025-12-31 缺数据',
      },
    ]);
  });

  it('makes the organization incomplete, never on track', () => {
    // Summing what is there would give 730,000 kWh against 1,000,000: −27 % "on track". Instead:
    expect(r.organization.totals.find((t) => t.energy_type === 'electricity')?.quantity).toBeNull();
    expect(r.organization.energy_kgce).toBeNull();
    expect(r.organization.indicators.energy_per_area_kgce_m2).toBeNull();
    // organization coverage in building-days: hq 365 of 365, annex 0 of 365 → 0.5
    expect(r.organization.totals[0]?.coverage).toMatchObject({ days: 730, metered_days: 365, share: 0.5 });
    const org = r.comparisons.filter((c) => c.scope === 'org');
    expect(org.map((c) => c.status)).toEqual(['incomplete', 'incomplete', 'incomplete', 'incomplete']);
    expect(org[0]?.status_text).toBe('数据不全：附楼 电 2025-01-01 至 2025-12-31 缺数据');
    expect(r.status).toBe('incomplete');
    expect(r.status_text).toContain('附楼 电 2025-01-01 至 2025-12-31 缺数据');
    expect(r.status_text).toContain('附楼 水 2025-01-01 至 2025-12-31 缺数据');
  });

  it('still judges the building that has its data', () => {
    // hq: 730,000 / 800,000 − 1 = −8.75 % per m² and per person (target −5 %, −6 %); water
    // 3,650 / 4,000 − 1 = −8.75 % (−6 %); carbon on one grid factor (point 13) 730,000 / 800,000 − 1
    // = −8.75 % (−7 %; with 2022's 0.5366 for 2020 it read −9.77 %)
    const hq = r.comparisons.filter((c) => c.scope === 'hq');
    expect(hq.map((c) => c.status)).toEqual(['on_track', 'on_track', 'on_track', 'on_track']);
    expect(hq[0]?.change).toBeCloseTo(-0.0875, 9);
    expect(hq[3]?.change).toBeCloseTo(-0.0875, 9);
    expect(r.comparisons.filter((c) => c.scope === 'annex').every((c) => c.status === 'incomplete')).toBe(
      true,
    );
  });

  it('a half-covered year is partial: figures marked, not ranked, never on track', () => {
    // annex bills for Jan–Jun only (181 of 365 days): 100,000 kWh, 500 m³
    const half = intensityReport({
      ...base,
      entries: [
        ...base.entries,
        {
          ...bill('annex', 'electricity', '2025-01-01', '2025-06-30', 100_000),
          quantity_given: 100,
          unit_given: 'MWh',
          conversion: '100 MWh × 1000 kWh/MWh',
        },
        bill('annex', 'water', '2025-01-01', '2025-06-30', 500),
      ],
    });
    const a = half.buildings[1];
    expect(a?.totals[0]?.coverage).toMatchObject({ entered_days: 181, share: 181 / 365, state: 'partial' });
    expect(a?.totals[0]?.quantity).toBe(100_000);
    expect(a?.coverage).toBe('partial');
    // the organization's electricity 830,000 kWh is computed but marked partial
    expect(half.organization.totals[0]?.quantity).toBe(830_000);
    expect(half.organization.totals[0]?.coverage.state).toBe('partial');
    expect(half.ranking.unranked.map((u) => u.reason)).toContain(
      '数据不全：附楼 电 2025-07-01 至 2025-12-31 有缺（覆盖 49.6 %）',
    );
    expect(half.status).toBe('incomplete');
    // the entries used carry what the officer gave and how it was converted
    expect(half.entries_used.find((e) => e.energy_type === 'electricity')).toMatchObject({
      building: 'annex',
      quantity: 100_000,
      quantity_given: 100,
      unit_given: 'MWh',
      conversion: '100 MWh × 1000 kWh/MWh',
      counted_quantity: 100_000,
      counted_from: '2025-01-01',
      counted_to: '2025-06-30',
    });
    expect(half.comparisons.some((c) => c.scope === 'org' && c.status === 'on_track')).toBe(false);
  });
});
