import { describe, expect, it } from 'vitest';
import { quotaTables } from '../render/quotaTables.ts';
import { intensityReport, type MeteredDay } from './intensity.ts';
import { emptyInput, testBuilding, testSite } from './testData.ts';

/**
 * The report's quota table on the hand-computed building of test/alarms/quota.test.ts (the same
 * figures the quota alarm judges): 10 000 m², 200 people; 单位建筑面积能耗 against DB37/T 2672-2019
 * 市级及以下 A 区 约束值 20.0 kgce/(m²·a) at its 0.31 kgce/kWh; 人均用水量 against its own 25 m³/(人·a).
 *
 * Electricity 2025 (kWh): 40k 40k 40k 40k 50k 60k | 70k 70k 60k 50k 40k 40k = 600 000; 2026
 * January–June 0.9 × 2025's, July–December 1.3 × 2025's. Water only in 2026, 12 m³ a day.
 *
 * June (1 January – 30 June 2026): share 270/600 = 45 %; prorated 20 × 0.45 = 9.0 kgce/m²; YTD
 * 243 000 kWh × 0.31 / 10 000 = 7.533 kgce/m²; 83.7 % → 预警; projection 7.533 / 0.45 = 16.74.
 * Water: by days (2025 missing), 181/365; 2 172 m³ / 200 = 10.86; prorated 12.397; 87.6 % → 预警.
 * December (the whole year): 672 000 kWh × 0.31 / 10 000 = 20.832; 104.2 % → 超定额, rating 需整改
 * (above the 约束值). Water 4 380 / 200 = 21.9; 87.6 % → 预警.
 * GB/T 51161-2016 (government office, 夏热冬暖 A: 65 / 50 kWh/m², unverified): June projection
 * 243 000 / 10 000 / 0.45 = 54.0 kWh/m² → ≤ 约束值; December 67.2 → 超约束值.
 */
const last2025 = [40, 40, 40, 40, 50, 60, 70, 70, 60, 50, 40, 40].map((k) => k * 1000);
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

function days(category: string, year: number, monthly: (m: number) => number): MeteredDay[] {
  const out: MeteredDay[] = [];
  for (let m = 0; m < 12; m++)
    for (let d = 1; d <= daysIn(year, m + 1); d++)
      out.push({
        building: 'h',
        category,
        date: `${year}-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
        value: monthly(m) / daysIn(year, m + 1),
        estimated: 0,
      });
  return out;
}

const site = testSite([testBuilding('h', '手算楼', 10_000, 200)], {
  quotas: [
    { building: 'h', indicator: 'energy_per_area_kgce_m2', standard: 'DB37/T 2672-2019', category: 'city_a' },
    { building: 'h', indicator: 'water_per_capita_m3', value: 25, source: '本单位用水定额（测试）' },
  ],
  office_benchmarks: [{ building: 'h', type: 'government', class: 'A' }],
});
const metered = [
  ...days('electricity', 2025, (m) => last2025[m] ?? 0),
  ...days('electricity', 2026, (m) => (last2025[m] ?? 0) * (m < 6 ? 0.9 : 1.3)),
  ...days('water', 2026, (m) => 12 * daysIn(2026, m + 1)),
];
const report = (to: string) =>
  intensityReport({ ...emptyInput(site, '2026-01-01', to), today: '2027-01-10', metered }).quotas;

describe('the report’s quota table', () => {
  it('30 June: 预警 on both, energy by last year’s months, water by days (marked)', () => {
    const q = report('2026-06-30');
    expect(q?.year).toBe(2026);
    const [energy, water] = q?.rows ?? [];
    expect(energy).toMatchObject({
      indicator: 'energy_per_area_kgce_m2',
      quota: 20,
      level_name: '约束值',
      standard: 'DB37/T 2672-2019',
      category: '市级及以下党政机关 A 区',
      verified: false,
      method: 'previous_year_shape',
      status: 'warning',
      status_zh: '预警',
      basis_text: '等价值 0.31 kgce/kWh（DB37/T 2672-2019 规定）',
    });
    expect(energy?.share).toBeCloseTo(0.45, 9);
    expect(energy?.prorated).toBeCloseTo(9, 9);
    expect(energy?.ytd).toBeCloseTo(7.533, 9);
    expect(energy?.ratio).toBeCloseTo(7.533 / 9, 9);
    expect(energy?.projection).toBeCloseTo(7.533 / 0.45, 9);
    expect(water).toMatchObject({ method: 'days', status: 'warning', source: '本单位用水定额（测试）' });
    expect(water?.share).toBeCloseTo(181 / 365, 9);
    expect(water?.ytd).toBeCloseTo(10.86, 9);
    expect(water?.ratio).toBeCloseTo(10.86 / ((25 * 181) / 365), 9);
    expect(water?.method_text).toContain(
      '上年（2025 年）1 月数据缺失，按天数分摊：181/365 天 = 49.6 %（标记：非按上年逐月分摊）',
    );
    expect(q?.benchmarks[0]).toMatchObject({ limit: 65, guide: 50, status_zh: '≤ 约束值', verified: false });
    expect(q?.benchmarks[0]?.value).toBeCloseTo(243_000 / 10_000 / 0.45, 9);
    expect(q?.notes.join('\n')).toContain('未作修正');
  });

  it('31 December: 超定额 (需整改) on energy, 预警 on water, GB/T 51161 超约束值', () => {
    const [energy, water] = report('2026-12-31')?.rows ?? [];
    expect(energy).toMatchObject({ status: 'exceeded', status_zh: '超定额', share: 1, rating: '需整改' });
    expect(energy?.ytd).toBeCloseTo(20.832, 9);
    expect(energy?.ratio).toBeCloseTo(1.0416, 9);
    expect(water).toMatchObject({ status: 'warning', share: 1 });
    expect(water?.ratio).toBeCloseTo(21.9 / 25, 9);
    const b = report('2026-12-31')?.benchmarks[0];
    expect(b?.value).toBeCloseTo(67.2, 9);
    expect(b?.status_zh).toBe('超约束值');
  });

  it('is the 定额 and 办公建筑基准 tables of every format: quota, YTD, share, projection, status, source, verified', () => {
    const r = intensityReport({
      ...emptyInput(site, '2026-01-01', '2026-06-30'),
      today: '2027-01-10',
      metered,
    });
    const [quota, bench] = quotaTables(r);
    expect(quota?.name).toBe('定额');
    expect(quota?.rows[0]?.slice(0, 5)).toEqual([
      '手算楼',
      '单位建筑面积能耗',
      'kgce/(m²·a)',
      20,
      'DB37/T 2672-2019 市级及以下党政机关 A 区 约束值',
    ]);
    expect(quota?.rows[0]?.slice(10)).toEqual([
      '预警（达标）',
      '按上年逐月',
      'DB37/T 2672-2019 表（市级及以下 A 区 非供暖能耗）',
      '未核对',
    ]);
    expect(quota?.rows[1]?.slice(10)).toEqual([
      '预警',
      '按天数（上年缺数据）',
      '本单位用水定额（测试）',
      '未核对',
    ]);
    expect(bench?.rows[0]?.slice(0, 7)).toEqual([
      '手算楼',
      '党政机关办公 A 类',
      '夏热冬暖',
      65,
      50,
      expect.closeTo(243_000 / 10_000 / 0.45, 9),
      '≤ 约束值',
    ]);
  });
});
