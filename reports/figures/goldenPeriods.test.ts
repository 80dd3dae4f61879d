import { describe, expect, it } from 'vitest';
import { entry, goldenInput as input, num } from './goldenOrg.ts';
import { comparisonPeriods, intensityReport } from './intensity.ts';

/** The golden organization (goldenOrg.ts) over other periods: a year to date, a month, other factors. */
describe('intensity report: the golden organization over other periods', () => {
  const r = intensityReport(input);
  const org = r.organization;

  it('projects a year to date; thin last-year data falls back to days, and says why', () => {
    // Jan–Jun 2025 (181 days), made on 2025-07-01: a year to date.
    const ytd = { ...input, to: '2025-06-30', today: '2025-07-01' };
    const linear = intensityReport(ytd);
    expect(linear.baseline_basis?.method).toBe('projection');
    // No 2024 data at all: linear, × 365 / 181, and a warning
    expect(linear.projection?.method).toBe('linear');
    expect(linear.projection?.coverage).toEqual({ ytd: 1, previous_same: 0, previous_full: 0 });
    const energy = linear.organization.energy_kgce ?? Number.NaN;
    expect(linear.projection?.energy_kgce).toBeCloseTo((energy * 365) / 181, 9);
    expect(linear.projection?.warning).toContain(
      '上年数据覆盖不足（同期最低 0.0 %，全年最低 0.0 %，需 ≥ 90.0 %）',
    );
    // Jan–Jun: A 470,600 + B 181,000 + C's bill 292,000 × 181/365 = 144,800 → 796,400 kWh × 0.1229
    // = 97,877.56; gas 9,050 × 1.2143 = 10,989.415; gasoline 9,000 × 181/365 × 1.4714 = 6,566.87…
    // → 115,433.85… kgce; × 365/181 = 232,780.975 (the use is the same every day), as the full year.
    expect(linear.projection?.energy_kgce).toBeCloseTo(232_780.975, 6);
    // against the whole of 2020: −6.11 % per m²; linear because last year is thin, so only
    // indicative: incomplete, not on track (defect 4), the change still shown
    const perArea = linear.comparisons.find(
      (c) => c.scope === 'golden-org' && c.indicator === 'energy_per_area_kgce_m2',
    );
    expect(perArea?.change).toBeCloseTo(232_780.975 / 247_930 - 1, 9);
    expect(perArea?.status).toBe('incomplete');
    expect(perArea?.status_text).toContain('上年数据不足，按天数线性推算：全年推算仅供参考');
    // Sparse last year: only A's 2024 electricity bills (300,000 kWh Jan–Jun, 500,000 Jul–Dec). The
    // old shape method scaled the whole organization by 800,000 / 300,000-ish and so by A's bills alone;
    // B and C have no 2024 data (coverage 0), so it falls back to days and warns.
    const sparse = intensityReport({
      ...ytd,
      entries: [
        ...input.entries,
        entry('a', 'electricity', '2024-01-01', '2024-06-30', 300_000),
        entry('a', 'electricity', '2024-07-01', '2024-12-31', 500_000),
      ],
    });
    expect(sparse.projection?.method).toBe('linear');
    expect(sparse.projection?.energy_kgce).toBeCloseTo(232_780.975, 6);
    expect(sparse.projection?.warning).toContain('按天数线性推算');
    // A report after the fact (made in 2026) of Jan–Jun is no year to date: no projection, same period
    const past = intensityReport({ ...ytd, today: '2026-03-01' });
    expect(past.projection).toBeNull();
    expect(past.baseline_basis?.method).toBe('same_period');
    // A full-year report has no projection.
    expect(r.projection).toBeNull();
  });

  it('同比 and 环比 say which period they compare with; no base is 无基期数据, not 0', () => {
    const july = intensityReport({ ...input, from: '2025-07-01', to: '2025-07-31' });
    const [yoy, pop] = july.period_comparisons;
    expect(yoy?.base_text).toBe('同比：与上年同期 2024-07-01 至 2024-07-31 比较（无基期数据）');
    expect(yoy?.base_to).toBe('2024-07-31');
    expect(pop?.base_text).toBe('环比：与上月 2025-06-01 至 2025-06-30 比较（本期 31 天，基期 30 天）');
    // July electricity: A 2,600 × 31 = 80,600; B 1,000 × 31 = 31,000; C metered 800 × 31 = 24,800 → 136,400
    // June: A 78,000; B 30,000; C from its bill 292,000 × 30/365 = 24,000 → 132,000; change 136,400/132,000 − 1
    const kwh = pop?.figures.find((f) => f.unit === 'kWh');
    expect(kwh?.value).toBeCloseTo(136_400, 6);
    expect(kwh?.base).toBeCloseTo(132_000, 6);
    expect(kwh?.change).toBeCloseTo(136_400 / 132_000 - 1, 9);
    expect(kwh?.base_coverage).toBe(1);
    // No 2024 data: no base and no change rather than a made-up one
    expect(yoy?.figures.find((f) => f.unit === 'kWh')).toMatchObject({
      base: null,
      change: null,
      base_coverage: 0,
    });
    expect(comparisonPeriods('2025-04-01', '2025-06-30')[1]?.text).toBe(
      '环比：与上季度 2025-01-01 至 2025-03-31 比较（本期 91 天，基期 90 天）',
    );
    expect(comparisonPeriods('2025-03-10', '2025-03-16')[1]?.text).toBe(
      '环比：与前7天 2025-03-03 至 2025-03-09 比较',
    );
    // a whole year: 环比 is the previous year, i.e. 同比 — said once, no figures twice
    expect(r.period_comparisons[1]).toEqual({
      kind: 'previous_period',
      label: '环比',
      base_from: '2024-01-01',
      base_to: '2024-12-31',
      base_text: '环比：全年的上一期即上年，与同比相同，见同比',
      same_as: 'year_on_year',
      figures: [],
    });
  });

  it('uses the organization’s own factors where it has them, and says so', () => {
    const own = intensityReport({
      ...input,
      overrides: { natural_gas: { value: 1.33, source: '燃气公司热值检测报告 2024', verified: true } },
    });
    // 18,250 m³ × (1.3300 − 1.2143) = 18,250 × 0.1157 = 2,111.525 kgce more
    expect(num(own.organization.energy_kgce) - num(org.energy_kgce)).toBeCloseTo(2_111.525, 6);
    const used = own.factors.find((f) => f.what === '天然气 折标准煤（本单位自定）');
    expect(used).toMatchObject({ value: 1.33, source: '燃气公司热值检测报告 2024', verified: true });
    expect(used?.note).toContain('替代 1.2143 kgce/m³');
    // A regional grid factor: Fujian 2022 for a 2022 report
    const fujian = intensityReport({ ...input, from: '2022-01-01', to: '2022-12-31', region: 'fujian' });
    expect(fujian.factors.find((f) => f.what.startsWith('电网 CO₂ 排放因子'))).toMatchObject({
      value: 0.4092,
    });
  });
});
