import { describe, expect, it } from 'vitest';
import { loadFactors } from '../factors.ts';
import { assessment } from './assessment.ts';
import { goldenInput, num } from './goldenOrg.ts';
import { choosePlan } from './plans.ts';

/**
 * The 十四五 final assessment of the golden organization (goldenOrg.ts): 2025 against 2020, all
 * four indicators, judged against the full targets (−5 %, −6 %, −6 %, −7 %). The 2025 and 2020
 * figures are the ones worked out by hand in intensity.test.ts; the shares are worked out here.
 */
const { from: _f, to: _t, baselineYear: _b, ...rest } = goldenInput;
const input = { ...rest, today: '2026-03-01' };
const ref = (name: string, site = goldenInput.site) => {
  const { chosen } = choosePlan(loadFactors(), site.reports.targets, 0, name);
  if (!chosen) throw new Error(name);
  return chosen.ref;
};

describe('十四五 final assessment: 2025 against 2020', () => {
  const a = assessment(input, ref('十四五'));
  const row = (scope: string, indicator: string) =>
    a.rows.find((r) => r.scope === scope && r.indicator === indicator);

  it('names the plan, its base year and the end year', () => {
    expect(a).toMatchObject({ kind: 'assessment', year: 2025, base_year: 2020 });
    expect(a.plan).toMatchObject({ id: '14th-five-year', short: '十四五', base_year: 2020, end_year: 2025 });
    expect(a.notes[0]).toBe(
      '十四五公共机构节约能源资源工作规划终期考核：2025 年全年与基准年 2020 全年比较，按规划目标全额（非按进度）评价；数据不全的指标不评价，不计为完成。',
    );
    // 3 buildings + the organization × 4 indicators
    expect(a.rows).toHaveLength(16);
  });

  it('the organization: three achieved, carbon not (−5.81 % against −7 %)', () => {
    const people = 127_900 / 365 + 150; // A 300 → 400 on 07-01, time-weighted; + 100 + 50
    // 2025: 232,780.975 kgce, 20,000 m²; 2020: 247,930 kgce, 450 people, 21,000 m³
    const area = row('golden-org', 'energy_per_area_kgce_m2');
    expect(num(area?.value)).toBeCloseTo(11.63904875, 9);
    expect(num(area?.base_value)).toBeCloseTo(12.3965, 9);
    expect(num(area?.change)).toBeCloseTo(11.63904875 / 12.3965 - 1, 9); // −6.11 % ≤ −5 %
    expect(area).toMatchObject({
      target: -0.05,
      result: 'achieved',
      result_text: '变化 -6.11 %，目标 -5.00 %：完成',
    });
    const capita = row('golden-org', 'energy_per_capita_kgce');
    expect(num(capita?.change)).toBeCloseTo(232_780.975 / people / (247_930 / 450) - 1, 9); // −15.6 %
    expect(capita).toMatchObject({ target: -0.06, result: 'achieved' });
    const water = row('golden-org', 'water_per_capita_m3');
    expect(num(water?.change)).toBeCloseTo(20_257.5 / people / (21_000 / 450) - 1, 9); // −13.3 %
    expect(water).toMatchObject({ target: -0.06, result: 'achieved' });
    const carbon = row('golden-org', 'carbon_per_area_kgco2_m2');
    expect(num(carbon?.change)).toBeCloseTo(917_929.65 / 974_515 - 1, 9); // −5.81 %
    expect(carbon).toMatchObject({
      target: -0.07,
      result: 'not_achieved',
      result_text: '变化 -5.81 %，目标 -7.00 %：未完成',
    });
    expect(a.result).toBe('not_achieved');
    expect(a.result_text).toBe('未完成 1 项（共 4 项有目标）');
    expect(area?.national_base).toBe(18.48);
  });

  it('each building against its own 2020', () => {
    // energy per m²: A 12.98747 / 13.7614 − 1 = −5.62 %; B 16.75486875 / 18.3615 − 1 = −8.75 %;
    // C 35,886.8 / 6,000 / 6.145 − 1 = −2.67 % (short of −5 %)
    expect(num(row('a', 'energy_per_area_kgce_m2')?.change)).toBeCloseTo(12.98747 / 13.7614 - 1, 9);
    expect(row('a', 'energy_per_area_kgce_m2')?.result).toBe('achieved');
    expect(row('b', 'energy_per_area_kgce_m2')?.result).toBe('achieved');
    expect(num(row('c', 'energy_per_area_kgce_m2')?.change)).toBeCloseTo(35_886.8 / 6_000 / 6.145 - 1, 9);
    expect(row('c', 'energy_per_area_kgce_m2')?.result).toBe('not_achieved');
  });

  it('coverage, and what is estimated or entered', () => {
    for (const r of a.rows) {
      expect(r.coverage).toBe(1); // C's electricity: 184 metered + 181 days of its bills
      expect(r.base_coverage).toBe(1); // 2020 from bills
    }
    // A's energy: 949,000 kWh × 0.1229 = 116,632.1 + 9,000 kg gasoline × 1.4714 = 13,242.6 → 129,874.7 kgce;
    // 10 days × 2,600 kWh estimated = 26,000 kWh × 0.1229 = 3,195.4 kgce → 2.46 %; gasoline entered → 10.20 %
    const aArea = row('a', 'energy_per_area_kgce_m2');
    expect(num(aArea?.estimated_share)).toBeCloseTo(3_195.4 / 129_874.7, 9);
    expect(num(aArea?.entered_share)).toBeCloseTo(13_242.6 / 129_874.7, 9);
    // organization: 3,195.4 / 232,780.975 = 1.37 % estimated; entered: gasoline 13,242.6 + C's bills
    // 144,800 kWh × 0.1229 = 17,795.92 → 31,038.52 / 232,780.975 = 13.33 %
    const org = row('golden-org', 'energy_per_capita_kgce');
    expect(num(org?.estimated_share)).toBeCloseTo(3_195.4 / 232_780.975, 9);
    expect(num(org?.entered_share)).toBeCloseTo(31_038.52 / 232_780.975, 9);
    // carbon: 26,000 kWh × 0.5306 = 13,795.6 of 917,929.65 kgCO₂; water: nothing estimated
    expect(num(row('golden-org', 'carbon_per_area_kgco2_m2')?.estimated_share)).toBeCloseTo(
      13_795.6 / 917_929.65,
      9,
    );
    expect(row('golden-org', 'water_per_capita_m3')?.estimated_share).toBe(0);
  });

  it('a building missing 2025 data is not judged, and the organization is not either', () => {
    const partial = assessment(
      { ...input, metered: input.metered.filter((d) => !(d.building === 'b' && d.category === 'water')) },
      ref('十四五'),
    );
    const w = partial.rows.find((r) => r.scope === 'b' && r.indicator === 'water_per_capita_m3');
    expect(w).toMatchObject({ result: 'incomplete', coverage: 0, value: null });
    expect(partial.result).toBe('incomplete');
    expect(partial.result_text).toContain('服务楼 水 2025-01-01 至 2025-12-31 缺数据');
  });

  it('--plan 十四五 is the standard plan even when a site set covers 2025', () => {
    const site = {
      ...goldenInput.site,
      reports: {
        ...goldenInput.site.reports,
        targets: [
          {
            id: 'own-14',
            name: '本单位十四五目标',
            source: '本单位文件',
            base_year: 2020,
            end_year: 2025,
            targets: { energy_per_area_kgce_m2: -0.1 },
            verified: true,
          },
        ],
      },
    };
    expect(assessment({ ...input, site }, ref('十四五', site)).plan.id).toBe('14th-five-year');
    const own = assessment({ ...input, site }, ref('own-14', site));
    expect(own.plan).toMatchObject({ id: 'own-14', origin: 'site' });
    expect(
      own.rows.find((r) => r.scope === 'golden-org' && r.indicator === 'energy_per_area_kgce_m2'),
    ).toMatchObject({
      target: -0.1,
      result: 'not_achieved', // −6.11 % short of −10 %
    });
  });

  it('refuses 十五五 (unpublished), an end year not over, and a plan it does not know', () => {
    expect(() => assessment(input, ref('十五五'))).toThrow(
      '十五五目标未发布，无法终期考核；站点文件可配置省、市或本单位目标（reports.targets，plan: 15th-five-year）',
    );
    expect(() => assessment({ ...input, today: '2025-12-31' }, ref('十四五'))).toThrow(
      '十四五的期末年 2025 尚未结束（今天 2025-12-31）',
    );
    expect(() => ref('十六五')).toThrow(
      '没有名为“十六五”的规划；可选：十三五（13th-five-year）、十四五（14th-five-year）、十五五（15th-five-year）',
    );
  });
});
