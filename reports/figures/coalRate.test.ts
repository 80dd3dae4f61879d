import { describe, expect, it } from 'vitest';
import { intensityReport } from './intensity.ts';
import { bill, emptyInput, meteredDays, testBuilding, testSite } from './testData.ts';

/**
 * Issue 14 §4: 等价值 compares years on one footing. Electricity only: 2020 billed 1,000,000 kWh,
 * 2025 metered 2,500 kWh a day = 912,500 kWh.
 */
const site = testSite([testBuilding('hq', '综合楼', 10_000, 500)]);
const input = {
  ...emptyInput(site, '2025-01-01', '2025-12-31'),
  baselineYear: 2020,
  metered: meteredDays('hq', 'electricity', '2025-01-01', '2025-12-31', 2_500),
  entries: [bill('hq', 'electricity', '2020-01-01', '2020-12-31', 1_000_000)],
};
const change = (r: ReturnType<typeof intensityReport>) =>
  r.comparisons.find((c) => c.scope === 'org' && c.indicator === 'energy_per_area_kgce_m2')?.change;

describe('等价值 across two years', () => {
  it('on one coal rate gives the same change as 当量值', () => {
    // 当量值: 912,500 / 1,000,000 − 1 = −8.75 %, whatever the factor
    const equivalent = intensityReport(input);
    expect(equivalent.coal_rate).toBeNull();
    expect(change(equivalent)).toBeCloseTo(-0.0875, 12);
    // one rate: both years at 2025's rate — the 2024 rate, none yet → 2023's 0.2997:
    // 912,500 × 0.2997 / (1,000,000 × 0.2997) − 1 = −8.75 %
    const one = intensityReport({ ...input, basis: 'generation' });
    expect(change(one)).toBeCloseTo(-0.0875, 12);
    expect(one.baseline?.organization.energy_kgce).toBeCloseTo(299_700, 6);
    expect(one.coal_rate?.mode).toBe('one_rate');
    expect(one.coal_rate?.rate).toMatchObject({ value: 0.2997, note: '无 2024 年数值，采用 2023 年' });
    expect(one.coal_rate?.text).toBe(
      '等价值：本期与基准年 2020 及各比较期均按报告年 2025 的上一年度火电供电标准煤耗折算：电力 等价值（2023 年火电供电标准煤耗） 0.2997 kgce/kWh（无 2024 年数值，采用 2023 年）；各年同一折算系数，电网效率的变化不计为本单位节能',
    );
  });

  it('each year on its own rate differs, and says which years stood in', () => {
    // 2025 at 0.2997 (2023's for 2024); 2020 at the 2019 rate — none, nor earlier than 2015 → 2015's 0.315:
    // 912,500 × 0.2997 / (1,000,000 × 0.315) − 1 = 273,476.25 / 315,000 − 1 = −13.18 %
    const each = intensityReport({ ...input, basis: 'generation', coalRate: 'each_year' });
    expect(change(each)).toBeCloseTo(273_476.25 / 315_000 - 1, 12);
    expect(each.coal_rate?.mode).toBe('each_year');
    expect(each.coal_rate?.text).toContain(
      '基准年 2020 电力 等价值（2015 年火电供电标准煤耗） 0.315 kgce/kWh（无 2019 年数值，采用 2015 年）',
    );
    expect(each.coal_rate?.text).toContain('变化中含电网效率的变化');
    expect(each.factors.filter((f) => f.what.startsWith('电力 等价值')).map((f) => f.value)).toEqual([
      0.2997, 0.315,
    ]);
  });
});

describe('the grid CO₂ factor with each_year (second review, defect 10)', () => {
  it('names the factor each year is converted with', () => {
    const each = intensityReport({ ...input, basis: 'generation', coalRate: 'each_year' });
    expect(each.grid_co2?.mode).toBe('each_year');
    // factors: 2022 0.5366, 2023 0.5306 (none later, none earlier than 2022)
    expect(each.grid_co2?.text).toBe(
      '碳排放：各年按其当年的电网 CO₂ 排放因子折算（2025 年用 2023 年 0.5306 kgCO2/kWh（无 2025 年数值）；2024 年用 2023 年 0.5306 kgCO2/kWh（无 2024 年数值）；2020 年用 2022 年 0.5366 kgCO2/kWh（无 2020 年数值））；变化中含电网排放因子的变化',
    );
  });
});
