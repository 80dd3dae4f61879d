import { describe, expect, it } from 'vitest';
import { siteSchema } from '../../core/config/siteSchema.ts';
import type { EnergyEntry } from '../../core/reports/report.ts';
import { loadFactors } from '../factors.ts';
import { comparisonPeriods, type IntensityInput, intensityReport, type MeteredDay } from './intensity.ts';

/**
 * The golden organization: three buildings, 2020 from bills (entries), 2025 metered plus fuel
 * entries, building C metered only from July (its bills count before), and building A's headcount
 * rising from 300 to 400 on 2025-07-01. Every expected figure is worked out by hand beside it.
 */
const building = (id: string, name: string, area: number, people: number) => ({
  id,
  name,
  category: 'office',
  climate_zone: 'hot_summer_warm_winter',
  floor_area: [{ from: '2015-01-01', value: area }],
  headcount: [{ from: '2015-01-01', value: people }],
  areas: id === 'a' ? [{ id: 'f1', name: '一层 办事大厅', area: 2_000 }] : [],
});
const site = siteSchema.parse({
  version: 1,
  site: { id: 'golden', name: '黄金园区' },
  organization: {
    id: 'golden-org',
    name: '某市机关事务管理局',
    buildings: [
      building('a', '综合楼', 10_000, 300),
      building('b', '服务楼', 4_000, 100),
      building('c', '档案楼', 6_000, 50),
    ],
  },
});

function days(
  b: string,
  category: string,
  from: string,
  to: string,
  perDay: number,
  estimatedDays = 0,
): MeteredDay[] {
  const out: MeteredDay[] = [];
  for (
    let t = Date.parse(`${from}T00:00:00Z`), i = 0;
    t < Date.parse(`${to}T00:00:00Z`);
    t += 86_400_000, i++
  )
    out.push({
      building: b,
      category,
      date: new Date(t).toISOString().slice(0, 10),
      value: perDay,
      estimated: i < estimatedDays ? perDay : 0,
    });
  return out;
}
const entry = (
  b: string,
  energy_type: EnergyEntry['energy_type'],
  period_start: string,
  period_end: string,
  quantity: number,
): EnergyEntry => ({
  building: b,
  energy_type,
  period_start,
  period_end,
  quantity,
  source: '2020 年能源资源消费统计报表',
});

/** A figure that must be there (NaN fails every closeTo when it is null). */
const num = (x: number | null | undefined) => x ?? Number.NaN;

const input: IntensityInput = {
  site: site,
  factors: loadFactors(),
  from: '2025-01-01',
  to: '2025-12-31', // the last day, included
  baselineYear: 2020,
  basis: 'equivalent',
  metered: [
    ...days('a', 'electricity', '2025-01-01', '2026-01-01', 2_600, 10), // 10 days estimated (a gap)
    ...days('a', 'water', '2025-01-01', '2026-01-01', 40),
    ...days('b', 'electricity', '2025-01-01', '2026-01-01', 1_000),
    ...days('b', 'gas', '2025-01-01', '2026-01-01', 50),
    ...days('b', 'water', '2025-01-01', '2026-01-01', 13),
    ...days('c', 'electricity', '2025-07-01', '2026-01-01', 800), // meter installed in July
    ...days('c', 'water', '2025-01-01', '2026-01-01', 2.5),
    // A's ground floor has its own sub-meter: 300 kWh a day, inside A's main meter
    ...days('a', 'electricity', '2025-01-01', '2026-01-01', 300).map((d) => ({ ...d, area: 'f1' })),
  ],
  entries: [
    entry('a', 'electricity', '2020-01-01', '2020-12-31', 1_000_000),
    entry('a', 'water', '2020-01-01', '2020-12-31', 15_000),
    entry('a', 'gasoline', '2020-01-01', '2020-12-31', 10_000),
    entry('b', 'electricity', '2020-01-01', '2020-12-31', 400_000),
    entry('b', 'natural_gas', '2020-01-01', '2020-12-31', 20_000),
    entry('b', 'water', '2020-01-01', '2020-12-31', 5_000),
    entry('c', 'electricity', '2020-01-01', '2020-12-31', 300_000),
    entry('c', 'water', '2020-01-01', '2020-12-31', 1_000),
    entry('a', 'gasoline', '2025-01-01', '2025-12-31', 9_000), // vehicle fuel cards
    entry('c', 'electricity', '2025-01-01', '2025-12-31', 292_000), // bills, overlapping the meter from July
  ],
  facts: [{ building: 'a', effective_from: '2025-07-01', floor_area_m2: 10_000, headcount: 400 }],
};

describe('intensity report: the golden organization', () => {
  const r = intensityReport(input);
  const org = r.organization;
  const total = (t: string) => org.totals.find((x) => x.energy_type === t);

  it('totals by energy type: metered, entered, and never both for the same days', () => {
    // electricity: A 2,600 × 365 = 949,000; B 1,000 × 365 = 365,000;
    // C: bills 292,000 over 365 days count for Jan–Jun (181 days) = 292,000 × 181/365 = 144,800,
    //    metered Jul–Dec 800 × 184 = 147,200 → C = 292,000. Total 949,000 + 365,000 + 292,000 = 1,606,000
    expect(total('electricity')?.quantity).toBeCloseTo(1_606_000, 6);
    expect(total('electricity')?.entered).toBeCloseTo(144_800, 6);
    // the bills' July–December share (292,000 × 184/365 = 147,200) is superseded, and said so
    expect(r.entries_superseded).toEqual([
      {
        building: 'c',
        energy_type: 'electricity',
        period: '2025-07-01..2025-12-31',
        quantity: expect.closeTo(147_200, 6),
        reason: 'metered data from 2025-07-01 wins over the entry (2020 年能源资源消费统计报表)',
      },
    ]);
    // natural gas: B 50 × 365 = 18,250 m³; gasoline 9,000 kg; water 40×365 + 13×365 + 2.5×365 = 20,257.5 m³
    expect(total('natural_gas')?.quantity).toBeCloseTo(18_250, 6);
    expect(total('gasoline')?.quantity).toBe(9_000);
    expect(total('water')?.quantity).toBeCloseTo(20_257.5, 6);
    expect(total('water')?.kgce).toBeNull(); // water is never converted
  });

  it('综合能耗 and CO₂ with the factors it prints', () => {
    // 1,606,000 × 0.1229 = 197,377.4; 18,250 × 1.2143 = 22,160.975; 9,000 × 1.4714 = 13,242.6
    // 综合能耗 = 232,780.975 kgce
    expect(org.energy_kgce).toBeCloseTo(232_780.975, 6);
    // CO₂: grid 2025 → latest national value, 2023: 0.5306 → 852,143.6; gas 18,250 × 2.1622 = 39,460.15;
    // gasoline 9,000 × 2.9251 = 26,325.9 → 917,929.65 kgCO₂
    expect(org.carbon_kgco2).toBeCloseTo(917_929.65, 6);
    const grid = r.factors.find((f) => f.what === 'grid electricity CO₂ national 2023');
    expect(grid?.note).toBe('no 2025 value; 2023 used');
    expect(r.basis_text).toContain('当量值');
    expect(r.factors.find((f) => f.what === 'electricity 当量值')).toMatchObject({
      value: 0.1229,
      verified: true,
    });
  });

  it('area and headcount are time-weighted over the range', () => {
    // A: 300 for 181 days, 400 for 184 days → (54,300 + 73,600)/365 = 350.4109589…; + 100 + 50
    expect(org.headcount).toBeCloseTo(127_900 / 365 + 150, 9);
    expect(org.floor_area_m2).toBe(20_000);
  });

  it('the four indicators and electricity intensity', () => {
    const people = 127_900 / 365 + 150;
    expect(org.indicators.energy_per_area_kgce_m2).toBeCloseTo(232_780.975 / 20_000, 9); // 11.63904875
    expect(org.indicators.energy_per_capita_kgce).toBeCloseTo(232_780.975 / people, 9); // 465.18…
    expect(org.indicators.water_per_capita_m3).toBeCloseTo(20_257.5 / people, 9); // 40.48…
    expect(org.indicators.carbon_per_area_kgco2_m2).toBeCloseTo(917_929.65 / 20_000, 9); // 45.8964825
    expect(org.indicators.electricity_per_area_kwh_m2).toBeCloseTo(1_606_000 / 20_000, 9); // 80.3
  });

  it('against 2020 and the 十四五 targets: three on track, carbon at risk', () => {
    // 2020 from bills: electricity 1,700,000 × 0.1229 = 208,930; gas 20,000 × 1.2143 = 24,286;
    // gasoline 10,000 × 1.4714 = 14,714 → 247,930 kgce; 20,000 m²; 450 people; water 21,000 m³.
    // CO₂ 2020 (grid: no 2020 value or earlier → 2022's 0.5366): 912,220 + 43,244 + 29,251 = 984,715
    expect(r.baseline_basis).toEqual({
      method: 'full_year',
      base_from: '2020-01-01',
      base_to: '2020-12-31',
      text: '全年与基准年 2020 全年 2020-01-01 至 2020-12-31 比较',
    });
    expect(r.baseline?.organization.energy_kgce).toBeCloseTo(247_930, 6);
    expect(r.baseline?.organization.carbon_kgco2).toBeCloseTo(984_715, 6);
    const people = 127_900 / 365 + 150;
    const by = Object.fromEntries(
      r.comparisons.filter((c) => c.scope === 'golden-org').map((c) => [c.indicator, c]),
    );
    // energy per m²: 11.63904875 / 12.3965 − 1 = −6.11 % ≤ −5 % → on track
    expect(by.energy_per_area_kgce_m2?.change).toBeCloseTo(232_780.975 / 20_000 / (247_930 / 20_000) - 1, 9);
    expect(by.energy_per_area_kgce_m2?.status).toBe('on_track');
    // per capita: 465.18 / 550.96 − 1 = −15.6 % → on track; water: 40.48 / 46.67 − 1 = −13.3 % → on track
    expect(by.energy_per_capita_kgce?.change).toBeCloseTo(232_780.975 / people / (247_930 / 450) - 1, 9);
    expect(by.energy_per_capita_kgce?.status).toBe('on_track');
    expect(by.water_per_capita_m3?.change).toBeCloseTo(20_257.5 / people / (21_000 / 450) - 1, 9);
    expect(by.water_per_capita_m3?.status).toBe('on_track');
    // carbon per m²: 45.8964825 / 49.23575 − 1 = −6.78 %, short of −7 % → at risk
    expect(by.carbon_per_area_kgco2_m2?.change).toBeCloseTo(917_929.65 / 984_715 - 1, 9);
    expect(by.carbon_per_area_kgco2_m2?.target).toBe(-0.07);
    expect(by.carbon_per_area_kgco2_m2?.status).toBe('at_risk');
    expect(by.carbon_per_area_kgco2_m2?.status_text).toBe(
      '变化 -6.78 %，按进度应达 -7.00 %（十四五公共机构节约能源资源工作规划 2025 年目标 -7.00 %）：未达进度',
    );
    expect(by.energy_per_area_kgce_m2?.national_base).toBe(18.48);
    expect(r.plan).toMatchObject({
      name: '十四五公共机构节约能源资源工作规划',
      origin: 'standard',
      base_year: 2020,
    });
    expect(r.plan_note).toContain('目标值未经核对'); // targets.yaml has verified: false
    expect(r.status).toBe('at_risk');
  });

  it('has a status per building, each against its own 2020', () => {
    // energy per m², 2025 vs 2020 (target −5 % due by 2025):
    // A 12.98747 vs (1,000,000 × 0.1229 + 10,000 × 1.4714) / 10,000 = 13.7614 → −5.62 % on track
    // B 16.75486875 vs (400,000 × 0.1229 + 20,000 × 1.2143) / 4,000 = 18.3615 → −8.75 % on track
    // C 5.98113… vs 300,000 × 0.1229 / 6,000 = 6.145 → −2.67 % at risk
    const row = (b: string) =>
      r.comparisons.find((c) => c.scope === b && c.indicator === 'energy_per_area_kgce_m2');
    expect(row('a')?.change).toBeCloseTo(12.98747 / 13.7614 - 1, 9);
    expect(row('a')?.status).toBe('on_track');
    expect(row('b')?.change).toBeCloseTo(16.75486875 / 18.3615 - 1, 9);
    expect(row('b')?.status).toBe('on_track');
    expect(row('c')?.change).toBeCloseTo(35_886.8 / 6_000 / 6.145 - 1, 9);
    expect(row('c')?.status).toBe('at_risk');
    // one row per scope × indicator: 3 buildings + the organization, 4 indicators each
    expect(r.comparisons).toHaveLength(16);
    expect(r.baseline?.buildings.map((b) => b.energy_kgce)).toEqual([
      expect.closeTo(137_614, 6),
      expect.closeTo(73_446, 6),
      expect.closeTo(36_870, 6),
    ]);
  });

  it('counts every figure complete and lists the entries it used', () => {
    expect(org.coverage).toBe('complete');
    expect(org.missing).toEqual([]);
    // C's electricity: 181 days from the bill, 184 metered
    const c = r.buildings[2]?.totals.find((t) => t.energy_type === 'electricity')?.coverage;
    expect(c).toEqual({
      days: 365,
      metered_days: 184,
      entered_days: 181,
      share: 1,
      estimated_share: 0,
      state: 'complete',
    });
    expect(r.entries_used.map((e) => [e.building, e.energy_type, e.counted_from, e.counted_to])).toEqual([
      ['a', 'gasoline', '2025-01-01', '2025-12-31'],
      ['c', 'electricity', '2025-01-01', '2025-06-30'],
    ]);
    expect(r.entries_used[1]?.counted_quantity).toBeCloseTo(144_800, 6);
    expect(r.buildings[0]?.facts_text).toBe(
      '建筑面积 10000 m² 2015-01-01 起；用能人数按天加权：300 人 2015-01-01 起，400 人 2025-07-01 起 → 350.4',
    );
  });

  it('says how much of a figure is estimated', () => {
    // A's electricity had 10 estimated days: 26,000 of 1,606,000 kWh = 1.6 %
    expect(total('electricity')?.estimated).toBe(26_000);
    expect(org.notes).toContain('electricity: 1.6 % estimated (gaps, frozen or reset meters interpolated)');
  });

  it('switching the electricity basis changes 综合能耗 by exactly kWh × (等价值 − 当量值)', () => {
    const gen = intensityReport({ ...input, basis: 'generation' });
    // 2025 report → the 2024 generation coal rate; none in the data yet → 2023's 0.2997 (noted).
    // Δ = 1,606,000 × (0.2997 − 0.1229) = 1,606,000 × 0.1768 = 283,940.8 kgce
    expect(num(gen.organization.energy_kgce) - num(org.energy_kgce)).toBeCloseTo(283_940.8, 6);
    expect(gen.basis_text).toContain('等价值');
    expect(gen.factors.find((f) => f.what.startsWith('electricity 等价值'))?.note).toBe(
      'no 2024 value; 2023 used',
    );
    // CO₂ does not depend on the basis
    expect(gen.organization.carbon_kgco2).toBeCloseTo(num(org.carbon_kgco2), 6);
  });

  it('ranks the buildings, lowest intensity first (能效/水效领跑者)', () => {
    // energy per m²: A (949,000 × 0.1229 + 9,000 × 1.4714) / 10,000 = 129,874.7 / 10,000 = 12.98747
    //                B (365,000 × 0.1229 + 18,250 × 1.2143) / 4,000 = 67,019.475 / 4,000 = 16.75486875
    //                C 292,000 × 0.1229 / 6,000 = 35,886.8 / 6,000 = 5.98113…
    expect(r.ranking.energy_per_area_kgce_m2.map((x) => [x.building, x.rank])).toEqual([
      ['c', 1],
      ['a', 2],
      ['b', 3],
    ]);
    expect(r.ranking.energy_per_area_kgce_m2[1]?.value).toBeCloseTo(12.98747, 9);
    // water per person: C 912.5 / 50 = 18.25; A 14,600 / 350.41 = 41.67; B 4,745 / 100 = 47.45
    expect(r.ranking.water_per_capita_m3.map((x) => x.building)).toEqual(['c', 'a', 'b']);
  });

  it('reports an area with its own meter apart, without adding it to the building', () => {
    // 300 × 365 = 109,500 kWh over 2,000 m² = 54.75 kWh/m²; A's electricity stays 949,000
    expect(r.areas).toEqual([
      {
        building: 'a',
        area: 'f1',
        name: '一层 办事大厅',
        floor_area_m2: 2_000,
        electricity_kwh: 109_500,
        estimated_kwh: 0,
        electricity_per_area_kwh_m2: 54.75,
      },
    ]);
    expect(r.buildings[0]?.totals.find((t) => t.energy_type === 'electricity')?.quantity).toBe(949_000);
  });

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
    // against the whole of 2020: −6.11 % per m², on track (the projection was not thin)
    const perArea = linear.comparisons.find(
      (c) => c.scope === 'golden-org' && c.indicator === 'energy_per_area_kgce_m2',
    );
    expect(perArea?.change).toBeCloseTo(232_780.975 / 247_930 - 1, 9);
    expect(perArea?.status).toBe('on_track');
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
    expect(pop?.base_text).toBe('环比：与上月 2025-06-01 至 2025-06-30 比较');
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
      '环比：与上季度 2025-01-01 至 2025-03-31 比较',
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
    const used = own.factors.find((f) => f.what === 'natural_gas 折标准煤 (organization override)');
    expect(used).toMatchObject({ value: 1.33, source: '燃气公司热值检测报告 2024', verified: true });
    expect(used?.note).toContain('replaces 1.2143 kgce/m³');
    // A regional grid factor: Fujian 2022 for a 2022 report
    const fujian = intensityReport({ ...input, from: '2022-01-01', to: '2022-12-31', region: 'fujian' });
    expect(fujian.factors.find((f) => f.what.startsWith('grid electricity CO₂'))).toMatchObject({
      value: 0.4092,
    });
  });
});
