import { describe, expect, it } from 'vitest';
import { goldenInput as input, num } from './goldenOrg.ts';
import { intensityReport } from './intensity.ts';

/** The golden organization (goldenOrg.ts): every expected figure is worked out by hand beside it. */
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
        period: '2025-07-01 至 2025-12-31',
        quantity: expect.closeTo(147_200, 6),
        reason: '这些天有计量数据，以计量为准（2020 年能源资源消费统计报表）',
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
    const grid = r.factors.find((f) => f.what === '电网 CO₂ 排放因子 全国 2023 年');
    expect(grid?.note).toBe('无 2025 年数值，采用 2023 年');
    expect(r.basis_text).toContain('当量值');
    expect(r.factors.find((f) => f.what === '电力 当量值')).toMatchObject({
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
    // CO₂ 2020 on the report year's grid factor (one_rate, point 13: 2025 → 2023's 0.5306; it was
    // 2022's 0.5366 for 2020, counting the grid's change as the building's): 902,020 + 43,244 + 29,251 = 974,515
    expect(r.baseline_basis).toEqual({
      method: 'full_year',
      base_from: '2020-01-01',
      base_to: '2020-12-31',
      text: '全年与基准年 2020 全年 2020-01-01 至 2020-12-31 比较',
    });
    expect(r.baseline?.organization.energy_kgce).toBeCloseTo(247_930, 6);
    expect(r.baseline?.organization.carbon_kgco2).toBeCloseTo(974_515, 6);
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
    // carbon per m²: 45.8964825 / 48.72575 − 1 = −5.81 %, short of −7 % → at risk
    expect(by.carbon_per_area_kgco2_m2?.change).toBeCloseTo(917_929.65 / 974_515 - 1, 9);
    expect(by.carbon_per_area_kgco2_m2?.target).toBe(-0.07);
    expect(by.carbon_per_area_kgco2_m2?.status).toBe('at_risk');
    expect(by.carbon_per_area_kgco2_m2?.status_text).toBe(
      '变化 -5.81 %，按进度应达 -7.00 %（十四五公共机构节约能源资源工作规划 2025 年目标 -7.00 %）：未达进度',
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
    expect(org.notes).toContain('电：1.6 % 为估算（缺测、冻结或复位期间插补）');
  });

  it('switching the electricity basis changes 综合能耗 by exactly kWh × (等价值 − 当量值)', () => {
    const gen = intensityReport({ ...input, basis: 'generation' });
    // 2025 report → the 2024 generation coal rate; none in the data yet → 2023's 0.2997 (noted).
    // Δ = 1,606,000 × (0.2997 − 0.1229) = 1,606,000 × 0.1768 = 283,940.8 kgce
    expect(num(gen.organization.energy_kgce) - num(org.energy_kgce)).toBeCloseTo(283_940.8, 6);
    expect(gen.basis_text).toContain('等价值');
    expect(gen.factors.find((f) => f.what.startsWith('电力 等价值'))?.note).toBe(
      '无 2024 年数值，采用 2023 年',
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
});
