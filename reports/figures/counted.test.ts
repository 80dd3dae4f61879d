import { describe, expect, it } from 'vitest';
import { intensityReport } from './intensity.ts';
import { emptyInput, meteredDays, testBuilding, testSite } from './testData.ts';

/** Second review, defect 4: a year to date ending today is counted to yesterday, everywhere. */
const site = testSite([testBuilding('hq', '综合楼', 10_000, 400)]);
const r = intensityReport({
  ...emptyInput(site, '2025-01-01', '2025-09-15'),
  today: '2025-09-15',
  baselineYear: 2020,
  metered: [
    ...meteredDays('hq', 'electricity', '2020-01-01', '2020-12-31', 1_000),
    ...meteredDays('hq', 'electricity', '2024-01-01', '2024-12-31', 1_000),
    // today's rollup is still filling: a partial value that must not count
    ...meteredDays('hq', 'electricity', '2025-01-01', '2025-09-15', 900),
  ],
});

describe('a year to date ending today', () => {
  it('counts 2025-01-01..09-14 and says so (was 覆盖 99.61 %, 缺 2025-09-15)', () => {
    expect(r.counted_to).toBe('2025-09-14');
    expect(r.counted_text).toBe('今日数据未满一天，统计至 2025-09-14');
    expect(r.to).toBe('2025-09-15');
    expect(r.days).toBe(257);
    expect(r.organization.coverage).toBe('complete');
    expect(r.organization.missing).toEqual([]);
  });
  it('compares 同比 over the same clipped dates', () => {
    const yoy = r.period_comparisons.find((c) => c.kind === 'year_on_year');
    expect([yoy?.base_from, yoy?.base_to]).toEqual(['2024-01-01', '2024-09-14']);
    // 900 × 257 / (1,000 × 258) − 1 = −10.349 % (2024-01-01..09-14 holds 29 February: 258 days);
    // was null: the base ran to 2024-09-15 while today was not counted
    expect(yoy?.figures.find((f) => f.name === '电')?.change).toBeCloseTo((900 * 257) / (1_000 * 258) - 1, 9);
  });
  it('projects from the 257 ended days', () => {
    expect(r.projection?.days_elapsed).toBe(257);
    expect(r.projection?.method).toBe('previous_year_shape');
  });
});

describe('环比 across months of different lengths (defect 7)', () => {
  it('says both day counts', () => {
    const feb = intensityReport({
      ...emptyInput(site, '2025-02-01', '2025-02-28'),
      baselineYear: 2020,
      metered: meteredDays('hq', 'electricity', '2025-01-01', '2025-02-28', 1_000),
    });
    const mom = feb.period_comparisons.find((c) => c.kind === 'previous_period');
    expect(mom?.base_text).toBe('环比：与上月 2025-01-01 至 2025-01-31 比较（本期 28 天，基期 31 天）');
    // 28,000 / 31,000 − 1 = −9.68 % at the same daily use: the counts say why
    expect(mom?.figures.find((f) => f.name === '电')?.change).toBeCloseTo(28 / 31 - 1, 9);
  });
});

describe('a projection shaped on a leap year (defect 8)', () => {
  it('counts the report year’s 365 days', () => {
    const r = intensityReport({
      ...emptyInput(site, '2025-01-01', '2025-03-31'),
      today: '2025-04-01',
      baselineYear: 2020,
      metered: [
        ...meteredDays('hq', 'electricity', '2020-01-01', '2020-12-31', 1_000),
        ...meteredDays('hq', 'electricity', '2024-01-01', '2024-12-31', 1_000),
        ...meteredDays('hq', 'electricity', '2025-01-01', '2025-03-31', 1_000),
      ],
    });
    // 90 days at 1,000 and 2024 at 1,000 every day: 365 days × 1,000 = 365,000 kWh (was
    // 90,000 × 366,000 / 91,000 = 361,978.02: 2024's Jan–Mar holds 29 February); × 0.1229 kgce/kWh
    const kWh = 365_000;
    expect(r.projection?.method).toBe('previous_year_shape');
    expect(r.projection?.energy_kgce).toBeCloseTo(kWh * 0.1229, 3);
    expect(r.projection?.method_text).toContain(
      '按日均折算（本年 365 天、至今 90 天；上年 366 天、同期 91 天）',
    );
  });
});
