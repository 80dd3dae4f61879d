import { describe, expect, it } from 'vitest';
import { periodOf, periodText, shiftYears } from './dates.ts';
import { intensityReport } from './intensity.ts';
import { bill, emptyInput, meteredDays, testBuilding, testSite } from './testData.ts';

/**
 * Issue 14 §1: a period is compared with the same calendar dates of the baseline year, and a year
 * to date by its full-year projection, with the projection's method and coverage stated.
 */
const site = testSite([testBuilding('hq', '综合楼', 10_000, 500)]);

describe('like for like', () => {
  // 2020 bills: Jan–Jun 600,000 kWh and 3,000 m³; Jul–Dec 900,000 kWh and 3,600 m³.
  // 2025 metered Jan–Jun (181 days): 3,000 kWh and 15 m³ a day → 543,000 kWh, 2,715 m³.
  const input = {
    ...emptyInput(site, '2025-01-01', '2025-06-30'),
    today: '2026-01-10',
    baselineYear: 2020,
    metered: [
      ...meteredDays('hq', 'electricity', '2025-01-01', '2025-06-30', 3_000),
      ...meteredDays('hq', 'water', '2025-01-01', '2025-06-30', 15),
    ],
    entries: [
      bill('hq', 'electricity', '2020-01-01', '2020-06-30', 600_000),
      bill('hq', 'electricity', '2020-07-01', '2020-12-31', 900_000),
      bill('hq', 'water', '2020-01-01', '2020-06-30', 3_000),
      bill('hq', 'water', '2020-07-01', '2020-12-31', 3_600),
    ],
  };

  it('compares a half year with the same half of the baseline year', () => {
    const r = intensityReport(input);
    expect(r.baseline_basis).toEqual({
      method: 'same_period',
      base_from: '2020-01-01',
      base_to: '2020-06-30',
      // 2020 has 29 February: the days differ and both are said (newcomer's point 12)
      text: '与基准年同期 2020-01-01 至 2020-06-30 比较（本期 181 天，基准期 182 天）',
    });
    const row = (i: string) => r.comparisons.find((c) => c.scope === 'org' && c.indicator === i);
    // energy per m²: 543,000 × 0.1229 / 10,000 = 6.67347 against 600,000 × 0.1229 / 10,000 = 7.374:
    // −9.50 % (against the whole of 2020, 1,500,000 kWh, it read −63.8 %)
    expect(row('energy_per_area_kgce_m2')?.value).toBeCloseTo(6.67347, 9);
    expect(row('energy_per_area_kgce_m2')?.baseline).toBeCloseTo(7.374, 9);
    expect(row('energy_per_area_kgce_m2')?.change).toBeCloseTo(-0.095, 9);
    expect(row('energy_per_capita_kgce')?.change).toBeCloseTo(-0.095, 9);
    // water per person: 2,715 / 500 = 5.43 against 3,000 / 500 = 6 → −9.50 %
    expect(row('water_per_capita_m3')?.change).toBeCloseTo(-0.095, 9);
    // carbon: 543,000 × 0.5306 (2023, for 2025) = 288,115.8 against 600,000 × 0.5306 (one_rate: the
    // report year's grid factor for 2020 too, point 13; 2022's 0.5366 gave −10.51 %) = 318,360 → −9.50 %
    expect(row('carbon_per_area_kgco2_m2')?.change).toBeCloseTo(288_115.8 / 318_360 - 1, 9);
    expect(r.grid_co2?.text).toBe(
      '碳排放：本期、基准期及各比较期均按报告年 2025 的电网 CO₂ 排放因子折算（电网 CO₂ 排放因子 全国 2023 年 0.5306 kgCO2/kWh，无 2025 年数值，采用 2023 年）；各年同一因子，电网排放因子的变化不计为本单位减排',
    );
    expect(r.comparisons.filter((c) => c.scope === 'org').map((c) => c.status)).toEqual([
      'on_track',
      'on_track',
      'on_track',
      'on_track',
    ]);
    expect(r.status).toBe('on_track');
    expect(r.projection).toBeNull(); // made in 2026: no year to date
  });

  it('takes 29 February sanely', () => {
    // Feb 2024 (29 days) against 2023: 2023-02-01 … 2023-02-28
    expect(periodText(shiftYears(periodOf('2024-02-01', '2024-02-29'), -1))).toBe('2023-02-01 至 2023-02-28');
    // a leap day alone against 2020 (a leap year) stays the leap day
    expect(periodText(shiftYears(periodOf('2024-02-29', '2024-02-29'), -4))).toBe('2020-02-29 至 2020-02-29');
    const r = intensityReport({ ...input, from: '2025-02-01', to: '2025-02-28' });
    expect(r.baseline_basis?.text).toBe('与基准年同期 2020-02-01 至 2020-02-28 比较');
    // 2020-02-01 … 02-28 is 28 of the 182 days of the first bill: 600,000 × 28/182
    expect(r.baseline?.organization.totals[0]?.quantity).toBeCloseTo((600_000 * 28) / 182, 6);
  });
});

describe('a year to date: the full-year projection against the whole baseline year', () => {
  const ytd = (entries: ReturnType<typeof bill>[], metered2024: ReturnType<typeof meteredDays> = []) =>
    intensityReport({
      ...emptyInput(site, '2025-01-01', '2025-06-30'),
      today: '2025-07-01', // made the next day: a year to date
      baselineYear: 2020,
      metered: [...meteredDays('hq', 'electricity', '2025-01-01', '2025-06-30', 2_000), ...metered2024],
      entries: [bill('hq', 'electricity', '2020-01-01', '2020-12-31', 1_000_000), ...entries],
    });

  it('by last year’s shape when last year is well covered', () => {
    // 2024 bills: Jan–Jun 400,000 kWh, Jul–Dec 600,000 kWh (both periods covered: shares 1).
    // YTD 2,000 × 181 = 362,000 kWh. By daily rates (second review, defect 8: 2024's Jan–Jun has
    // 182 days, 2025's 181): this year's rate against last year's is 2,000 / (400,000 / 182) = 0.91;
    // the rest 600,000 / 184 per day × 0.91 × 184 days = 546,000 → 908,000 kWh × 0.1229 =
    // 111,593.2 kgce (was 905,000 → 111,224.5: 2025's half-year read as 182 days)
    const r = ytd([
      bill('hq', 'electricity', '2024-01-01', '2024-06-30', 400_000),
      bill('hq', 'electricity', '2024-07-01', '2024-12-31', 600_000),
    ]);
    expect(r.baseline_basis?.method).toBe('projection');
    expect(r.baseline_basis?.base_to).toBe('2020-12-31');
    expect(r.projection).toMatchObject({
      method: 'previous_year_shape',
      days_elapsed: 181,
      days_in_year: 365,
      coverage: { ytd: 1, previous_same: 1, previous_full: 1 },
      warning: null,
    });
    expect(r.projection?.energy_kgce).toBeCloseTo(111_593.2, 6);
    expect(r.projection?.method_text).toContain('上年同期 2024-01-01 至 2024-06-30');
    expect(r.projection?.method_text).toContain('≥ 90.0 %');
    // against the whole of 2020 (1,000,000 kWh): 908,000 / 1,000,000 − 1 = −9.2 % per m² (was 905,000: −9.5 %)
    const perArea = r.comparisons.find((c) => c.scope === 'org' && c.indicator === 'energy_per_area_kgce_m2');
    expect(perArea?.change).toBeCloseTo(-0.092, 9);
  });

  it('falls back to days with a warning when last year is thin (it came out 31× the actual)', () => {
    // 2024 metered only 06-25 … 12-31: 6 days of the same period (12,000 kWh, coverage 6/182 = 3.3 %)
    // and 190 days of the year (380,000 kWh, 190/366 = 51.9 %). By that shape: 362,000 × 380,000 /
    // 12,000 = 11,463,333 kWh, 31.7× the year to date. Linear instead: 362,000 × 365/181 = 730,000 kWh.
    const r = ytd([], meteredDays('hq', 'electricity', '2024-06-25', '2024-12-31', 2_000));
    expect(r.projection?.method).toBe('linear');
    expect(r.projection?.coverage.previous_same).toBeCloseTo(6 / 182, 9);
    expect(r.projection?.coverage.previous_full).toBeCloseTo(190 / 366, 9);
    expect(r.projection?.energy_kgce).toBeCloseTo(730_000 * 0.1229, 6);
    expect(r.projection?.warning).toBe(
      '上年数据覆盖不足（同期最低 3.3 %，全年最低 51.9 %，需 ≥ 90.0 %）：未按上年占比，按天数线性推算，季节差异未计入',
    );
  });

  it('says the projection cannot be trusted when the year to date itself is thin', () => {
    // metered only 2025-06-01 … 06-30 of the 181 days: coverage 30/181 = 16.6 % (made on 07-01: 06-30 has ended)
    const r = intensityReport({
      ...emptyInput(site, '2025-01-01', '2025-06-30'),
      today: '2025-07-01',
      baselineYear: 2020,
      metered: meteredDays('hq', 'electricity', '2025-06-01', '2025-06-30', 2_000),
      entries: [bill('hq', 'electricity', '2020-01-01', '2020-12-31', 1_000_000)],
    });
    expect(r.projection?.coverage.ytd).toBeCloseTo(30 / 181, 9);
    expect(r.projection?.warning).toContain('本年至今数据覆盖最低 16.6 %（< 90.0 %）：全年推算不可信');
    expect(r.comparisons.filter((c) => c.scope === 'org').every((c) => c.status === 'incomplete')).toBe(true);
    expect(r.status).toBe('incomplete');
  });
});
