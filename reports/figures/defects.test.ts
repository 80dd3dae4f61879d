import { describe, expect, it } from 'vitest';
import { JnError } from '../../core/errors.ts';
import { comparisonPeriods, intensityReport } from './intensity.ts';
import { bill, emptyInput, meteredDays, testBuilding, testSite } from './testData.ts';

/** The reviewer's defects of issue 14's engine, each with the figures computed by hand. */
const site = testSite([testBuilding('hq', '综合楼', 10_000, 400)]);
const monthly = (year: number, perMonth: number) =>
  Array.from({ length: 12 }, (_, m) => {
    const mm = String(m + 1).padStart(2, '0');
    const last = new Date(Date.UTC(year, m + 1, 0)).getUTCDate();
    return bill('hq', 'electricity', `${year}-${mm}-01`, `${year}-${mm}-${last}`, perMonth);
  });
const electricity = (r: ReturnType<typeof intensityReport>) =>
  r.organization.totals.find((t) => t.energy_type === 'electricity');

describe('metered wins day by day (defect 1)', () => {
  // twelve monthly bills of 95,000 kWh; the main meter online 2025-01-01..10 only (3,000/day)
  const input = {
    ...emptyInput(site, '2025-01-01', '2025-12-31'),
    baselineYear: 2020,
    metered: meteredDays('hq', 'electricity', '2025-01-01', '2025-01-10', 3_000),
    entries: monthly(2025, 95_000),
  };
  it('counts each bill on its days without a metered value', () => {
    const t = electricity(intensityReport(input));
    // 10 metered days: 30,000; January's bill for 01-11..31: 95,000 × 21/31 = 64,354.84;
    // February–December: 11 × 95,000 = 1,045,000 → 1,139,354.84 kWh, every day covered
    expect(t?.metered).toBe(30_000);
    expect(t?.entered).toBeCloseTo((95_000 * 21) / 31 + 11 * 95_000, 6);
    expect(t?.coverage.share).toBe(1);
    expect(t?.coverage.metered_days).toBe(10);
  });
  it('supersedes only the metered days', () => {
    const r = intensityReport(input);
    expect(r.entries_superseded.map((e) => [e.period, e.quantity])).toEqual([
      ['2025-01-01 至 2025-01-10', (95_000 * 10) / 31],
    ]);
    expect(r.entries_used).toHaveLength(12);
  });
  it('a gap after the meter came online is covered by the bill, not read as 0', () => {
    // the meter reports 01-01..10 and 01-21..31: the bill counts on 01-11..20 (95,000 × 10/31)
    const r = intensityReport({
      ...input,
      to: '2025-01-31',
      metered: [
        ...meteredDays('hq', 'electricity', '2025-01-01', '2025-01-10', 3_000),
        ...meteredDays('hq', 'electricity', '2025-01-21', '2025-01-31', 3_000),
      ],
    });
    const t = electricity(r);
    expect(t?.quantity).toBeCloseTo(63_000 + (95_000 * 10) / 31, 6);
    expect(t?.coverage.state).toBe('complete');
    expect(r.entries_superseded.map((e) => e.period)).toEqual([
      '2025-01-01 至 2025-01-10',
      '2025-01-21 至 2025-01-31',
    ]);
  });
});

describe('overlapping stored entries are not summed twice (defect 2)', () => {
  const r = intensityReport({
    ...emptyInput(site, '2025-01-01', '2025-12-31'),
    baselineYear: 2020,
    entries: [bill('hq', 'electricity', '2025-01-01', '2025-12-31', 1_200_000), ...monthly(2025, 100_000)],
  });
  it('counts neither on the shared days and names both with the fix', () => {
    // every day of 2025 is claimed twice: nothing counted, so 缺数据 rather than 2,400,000 complete
    expect(electricity(r)?.quantity).toBeNull();
    expect(r.status).toBe('incomplete');
    const text = r.buildings[0]?.missing[0]?.text ?? '';
    expect(text).toContain(
      '录入重叠：2025-01-01 至 2025-12-31 1200000（电费/水费单） 与 2025-01-01 至 2025-01-31 100000',
    );
    expect(text).toContain('jieneng import entries FILE --replace');
  });
});

describe('a day counts only once it has ended (defect 3)', () => {
  it('a month ending today is counted to yesterday, and says so', () => {
    const r = intensityReport({
      ...emptyInput(site, '2025-06-01', '2025-06-30'),
      today: '2025-06-30',
      baselineYear: 2020,
      metered: meteredDays('hq', 'electricity', '2025-06-01', '2025-06-30', 2_000),
      entries: [bill('hq', 'electricity', '2020-01-01', '2020-12-31', 1_000_000)],
    });
    const t = electricity(r);
    // second review, defect 4: today has not ended, so the period counted is 06-01..06-29 — 29 whole
    // days, 58,000 kWh, all covered (was share 29/30, incomplete); today is not "missing"
    expect(t?.quantity).toBe(58_000);
    expect(t?.coverage.share).toBe(1);
    expect(r.counted_to).toBe('2025-06-29');
    expect(r.counted_text).toBe('今日数据未满一天，统计至 2025-06-29');
    expect(r.organization.missing).toEqual([]);
    // the baseline's same period is clipped alike: 2020-06-01..06-29
    expect(r.baseline_basis?.base_to).toBe('2020-06-29');
  });
});

describe('a building opened mid-period (defect 6)', () => {
  // hq and new both 1,000 kWh/day on 10,000 m²; new from 2025-07-01 with 0 kWh entered for Jan–Jun
  const opened = { ...testBuilding('new', '新楼', 10_000, 400) };
  opened.floor_area = [{ from: '2025-07-01', value: 10_000 }];
  opened.headcount = [{ from: '2025-07-01', value: 400 }];
  const two = testSite([testBuilding('hq', '综合楼', 10_000, 400), opened]);
  const r = intensityReport({
    ...emptyInput(two, '2026-01-01', '2026-12-31'),
    baselineYear: 2025,
    metered: [
      ...meteredDays('hq', 'electricity', '2025-01-01', '2026-12-31', 1_000),
      ...meteredDays('new', 'electricity', '2025-07-01', '2026-12-31', 1_000),
    ],
    entries: [bill('new', 'electricity', '2025-01-01', '2025-06-30', 0)],
  });
  const change = (scope: string) =>
    r.comparisons.find((c) => c.scope === scope && c.indicator === 'energy_per_area_kgce_m2')?.change;
  it('weighs its area by the days it existed and expects no energy before', () => {
    // 2025: new 10,000 m² × 184/365 = 5,041.1 m², 184,000 kWh → 36.5 kWh/m², as in 2026 (365,000 / 10,000)
    expect(r.baseline?.buildings[1]?.floor_area_m2).toBeCloseTo((10_000 * 184) / 365, 6);
    expect(r.baseline?.buildings[1]?.totals[0]?.coverage.state).toBe('complete');
    expect(change('new')).toBeCloseTo(0, 9);
    // organization: 549,000 kWh / 15,041.1 m² = 36.5 in 2025, 730,000 / 20,000 = 36.5 in 2026
    expect(change('org')).toBeCloseTo(0, 9);
  });
});

describe('a short or linear projection is never on track (defect 4)', () => {
  const ytd = (to: string, today: string) =>
    intensityReport({
      ...emptyInput(site, '2025-01-01', to),
      today,
      baselineYear: 2020,
      metered: meteredDays('hq', 'electricity', '2025-01-01', to, 1_500),
      entries: [bill('hq', 'electricity', '2020-01-01', '2020-12-31', 1_000_000)],
    });
  it('7 days with no last year: the change is shown, the status is incomplete with why', () => {
    // 7 × 1,500 × 365/7 = 547,500 kWh against 1,000,000: −45.25 %
    const r = ytd('2025-01-07', '2025-01-08');
    const perArea = r.comparisons.find((c) => c.scope === 'org' && c.indicator === 'energy_per_area_kgce_m2');
    expect(perArea?.change).toBeCloseTo(-0.4525, 9);
    expect(perArea?.status).toBe('incomplete');
    expect(perArea?.status_text).toContain('本年至今仅 7 天（< 90 天）');
    expect(r.status).toBe('incomplete');
  });
  it('the elapsed days stop before today', () => {
    // ending today: 2025-01-01..06 have ended, 6 days
    expect(ytd('2025-01-07', '2025-01-07').projection?.days_elapsed).toBe(6);
  });
});

describe('the plan, the baseline and missing data (defects 5, 7, 8, 9)', () => {
  const year2025 = {
    ...emptyInput(site, '2025-01-01', '2025-12-31'),
    metered: meteredDays('hq', 'electricity', '2020-01-01', '2025-12-31', 1_000),
  };
  it('a baseline year on or after the report year is a bad request', () => {
    const run = () => intensityReport({ ...year2025, baselineYear: 2025 });
    expect(run).toThrow(JnError);
    // second review, defect 9: in Chinese, what an officer reads
    expect(run).toThrow('基准年 2025 不早于报告年 2025：基准年须为更早的年份（如 2020）');
    try {
      run();
    } catch (e) {
      expect((e as JnError).code).toBe('bad_request');
    }
  });
  it('a baseline other than the plan’s base year: no_target, saying the targets are against 2020', () => {
    const r = intensityReport({ ...year2025, baselineYear: 2024 });
    const perArea = r.comparisons.find((c) => c.scope === 'org' && c.indicator === 'energy_per_area_kgce_m2');
    expect(perArea?.change).toBeCloseTo(365_000 / 366_000 - 1, 9); // 2024 has 366 days of 1,000 kWh
    expect(perArea?.status).toBe('no_target');
    expect(perArea?.status_text).toContain('目标以其基准年 2020 为基准');
  });
  it('a range across two calendar years: no_target, the base period named truly', () => {
    const r = intensityReport({ ...year2025, from: '2024-07-01', to: '2025-06-30' });
    expect(r.baseline_basis?.text).toContain(
      '与基准期 2020-07-01 至 2021-06-30（基准年 2020 起的相同日期，跨 2020、2021 两年）',
    );
    // water has no data at all: incomplete wins; every other indicator is no_target
    const energy = r.comparisons.filter((c) => c.indicator !== 'water_per_capita_m3');
    expect(energy.every((c) => c.status === 'no_target')).toBe(true);
    expect(r.comparisons[0]?.status_text).toContain('跨两个年度');
  });
  it('a partly covered side gives no change; missing data wins over no plan', () => {
    // 2025 metered 10 of 365 days: the value stays (10,000 kWh), no change, incomplete
    const partial = intensityReport({
      ...year2025,
      metered: [
        ...meteredDays('hq', 'electricity', '2020-01-01', '2020-12-31', 1_000),
        ...meteredDays('hq', 'electricity', '2025-01-01', '2025-01-10', 1_000),
      ],
    });
    const perArea = partial.comparisons.find(
      (c) => c.scope === 'org' && c.indicator === 'energy_per_area_kgce_m2',
    );
    expect(perArea?.value).toBeCloseTo((10_000 * 0.1229) / 10_000, 12);
    expect(perArea?.change).toBeNull();
    expect(perArea?.status).toBe('incomplete');
    // 2027 year to date, no data, in the unpublished 十五五: both said
    const none = intensityReport({ ...emptyInput(site, '2027-01-01', '2027-03-31') });
    expect(none.status).toBe('incomplete');
    expect(none.status_text).toContain('综合楼 电 2027-01-01 至 2027-03-31 缺数据');
    expect(none.status_text).toContain('十五五目标未发布');
    // 2031, outside every plan: both said
    const outside = intensityReport({ ...emptyInput(site, '2031-01-01', '2031-03-31') });
    expect(outside.status_text).toContain('综合楼 电 2031-01-01 至 2031-03-31 缺数据');
    expect(outside.status_text).toContain('2031 年不在已配置的规划期内');
  });
});

describe('同比 and 环比 (defects 5, 11)', () => {
  it('a base covered 3 of 28 days gives no change and says so', () => {
    const r = intensityReport({
      ...emptyInput(site, '2025-02-01', '2025-02-28'),
      baselineYear: 2020,
      metered: [
        ...meteredDays('hq', 'electricity', '2024-02-01', '2024-02-03', 1_000),
        ...meteredDays('hq', 'electricity', '2025-02-01', '2025-02-28', 1_000),
      ],
    });
    const yoy = r.period_comparisons.find((x) => x.kind === 'year_on_year');
    const kwh = yoy?.figures.find((f) => f.unit === 'kWh');
    // 28,000 against 3,000 (3 of the base's 28 days, 2024-02-01..28): +833 % before, now no change
    expect(kwh?.value).toBe(28_000);
    expect(kwh?.base).toBe(3_000);
    expect(kwh?.base_coverage).toBeCloseTo(3 / 28, 9);
    expect(kwh?.change).toBeNull();
    expect(yoy?.base_text).toBe(
      '同比：与上年同期 2024-02-01 至 2024-02-28 比较；基期数据不全（覆盖 10.7 %），未计算变化',
    );
  });
  it('上季度 only for a calendar quarter; 12 months that are not a year: 环比 is 同比, said once', () => {
    expect(comparisonPeriods('2025-02-01', '2025-04-30')[1]?.text).toBe(
      '环比：与前3个月 2024-11-01 至 2025-01-31 比较（本期 89 天，基期 92 天）',
    );
    expect(comparisonPeriods('2025-04-01', '2025-06-30')[1]?.text).toBe(
      '环比：与上季度 2025-01-01 至 2025-03-31 比较（本期 91 天，基期 90 天）',
    );
    // To date (the console's 本月, 本周, 本年, counted to yesterday): like with like.
    expect(comparisonPeriods('2026-12-01', '2026-12-15')[1]).toMatchObject({
      from: '2026-11-01',
      to: '2026-11-15',
      text: '环比：与上月同期 2026-11-01 至 2026-11-15 比较',
    });
    expect(comparisonPeriods('2026-03-01', '2026-03-30')[1]).toMatchObject({
      from: '2026-02-01',
      to: '2026-02-28',
    });
    expect(comparisonPeriods('2026-11-30', '2026-12-01')[1]).toMatchObject({
      from: '2026-11-23',
      to: '2026-11-24',
      text: '环比：与上周同期 2026-11-23 至 2026-11-24 比较',
    });
    // Monday 1 June: the week rule, not 1–3 May (劳动节) against working days.
    expect(comparisonPeriods('2026-06-01', '2026-06-03')[1]).toMatchObject({
      from: '2026-05-25',
      to: '2026-05-27',
    });
    expect(comparisonPeriods('2026-01-01', '2026-12-01')[1]).toMatchObject({
      same_as: 'year_on_year',
      from: '2025-01-01',
      to: '2025-12-01',
      text: '环比：年初至今的上一期即上年同期，与同比相同，见同比',
    });
    const twelve = comparisonPeriods('2024-07-01', '2025-06-30');
    expect(twelve[1]).toMatchObject({ same_as: 'year_on_year', from: '2023-07-01', to: '2024-06-30' });
  });
});

describe('the grid CO₂ factor across years (newcomer’s point 13)', () => {
  const input = {
    ...emptyInput(site, '2025-01-01', '2025-12-31'),
    metered: meteredDays('hq', 'electricity', '2020-01-01', '2025-12-31', 1_000),
  };
  const carbon = (r: ReturnType<typeof intensityReport>) =>
    r.comparisons.find((c) => c.scope === 'org' && c.indicator === 'carbon_per_area_kgco2_m2')?.change;
  it('one_rate: both years on the report year’s factor, so carbon moves with energy', () => {
    // 365,000 kWh in 2025 against 366,000 in 2020 (leap year), both × 0.5306: 365/366 − 1
    const r = intensityReport(input);
    expect(carbon(r)).toBeCloseTo(365 / 366 - 1, 9);
    expect(r.grid_co2?.mode).toBe('one_rate');
  });
  it('each_year: each year its own (2020 → 2022’s 0.5366), said so', () => {
    const r = intensityReport({ ...input, coalRate: 'each_year' });
    expect(carbon(r)).toBeCloseTo((365_000 * 0.5306) / (366_000 * 0.5366) - 1, 9);
    expect(r.grid_co2?.text).toContain('变化中含电网排放因子的变化');
  });
});
