import { describe, expect, it } from 'vitest';
import { indicatorTable, summaryTable } from '../render/tables.ts';
import { goldenInput } from './goldenOrg.ts';
import { intensityReport } from './intensity.ts';
import { bill, emptyInput, meteredDays, testBuilding, testSite } from './testData.ts';

/** Issue 14 §6: after 2025 — a year outside every plan says so; a site's own target set. */
const hq = testBuilding('hq', '综合楼', 10_000, 500);
const data = (site: ReturnType<typeof testSite>) => ({
  ...emptyInput(site, '2026-01-01', '2026-12-31'),
  metered: [
    ...meteredDays('hq', 'electricity', '2026-01-01', '2026-12-31', 2_000), // 730,000 kWh
    ...meteredDays('hq', 'water', '2026-01-01', '2026-12-31', 10),
  ],
  entries: [
    bill('hq', 'electricity', '2025-01-01', '2025-12-31', 800_000),
    bill('hq', 'water', '2025-01-01', '2025-12-31', 4_000),
    bill('hq', 'electricity', '2020-01-01', '2020-12-31', 900_000),
    bill('hq', 'water', '2020-01-01', '2020-12-31', 4_000),
  ],
});

describe('plans by report year', () => {
  it('2026 falls in the unpublished 十五五 slot: measured against 2025, judged against nothing', () => {
    const r = intensityReport(data(testSite([hq])));
    expect(r.plan).toEqual({
      id: '15th-five-year',
      name: '十五五公共机构节约能源资源工作规划',
      source: expect.stringContaining('未发布'),
      verified: false,
      base_year: 2025,
      end_year: 2030,
      origin: 'standard',
      short: '十五五',
      published: false,
    });
    const why =
      '十五五目标未发布（十五五公共机构节约能源资源工作规划 2026–2030 年，基准年 2025）：站点文件未配置省、市或本单位目标（reports.targets），未评价达标';
    expect(r.plan_note).toBe(why);
    expect(r.baseline_year).toBe(2025); // the plan's base year, even before its targets are known
    for (const c of r.comparisons) {
      expect(c).toMatchObject({ status: 'no_target', status_text: why, target: null, target_by_now: null });
      expect(c.national_base).toBeNull(); // never 十四五's 2020 levels as if current
    }
    expect(r.status).toBe('no_target');
    expect(r.status_text).toBe(why);
    // the change on 2025 is there: 730,000 / 800,000 − 1 = −8.75 %
    const perArea = r.comparisons.find((c) => c.scope === 'org' && c.indicator === 'energy_per_area_kgce_m2');
    expect(perArea?.change).toBeCloseTo(-0.0875, 12);
    // with 2020 asked for, still no target (十四五 ended with 2025)
    const vs2020 = intensityReport({ ...data(testSite([hq])), baselineYear: 2020 });
    const row = vs2020.comparisons.find(
      (c) => c.scope === 'org' && c.indicator === 'energy_per_area_kgce_m2',
    );
    expect(row).toMatchObject({ status: 'no_target', target: null });
    expect(row?.change).toBeCloseTo(730_000 / 900_000 - 1, 12); // −18.9 %
  });

  it('2025 is 十四五: against 2020, the whole target due, and the tables say which plan and base year', () => {
    // the golden organization (goldenOrg.ts), its figures worked out in intensity.test.ts
    const r = intensityReport({ ...goldenInput, baselineYear: undefined });
    expect(r.plan).toMatchObject({ id: '14th-five-year', short: '十四五', published: true, base_year: 2020 });
    expect(r.baseline_year).toBe(2020); // the plan's base year by default
    const perArea = r.comparisons.find(
      (c) => c.scope === 'golden-org' && c.indicator === 'energy_per_area_kgce_m2',
    );
    expect(perArea).toMatchObject({
      target: -0.05,
      target_by_now: -0.05,
      status: 'on_track',
      national_base: 18.48,
    });
    const rows = new Map(summaryTable(r).rows.map((x) => [String(x[0]), String(x[1])]));
    expect(rows.get('对照规划')).toBe(
      '十四五公共机构节约能源资源工作规划（2021–2025 年，基准年 2020，未核对）',
    );
    expect(rows.get('基准年')).toBe('2020');
    const table = indicatorTable(r);
    expect(table.columns.map((c) => c.header)).toContain('全国2020年');
    expect(table.rows.some((row) => row.includes('达标进度内'))).toBe(true);
  });

  it('2026 in the tables: 十五五目标未发布 in the status and target cells', () => {
    const r = intensityReport(data(testSite([hq])));
    const rows = new Map(summaryTable(r).rows.map((x) => [String(x[0]), String(x[1])]));
    expect(rows.get('对照规划')).toBe(
      '十五五公共机构节约能源资源工作规划（2026–2030 年，基准年 2025，目标未发布）',
    );
    expect(rows.get('基准年')).toBe('2025');
    expect(rows.get('总体状态')).toMatch(/^十五五目标未发布（/);
    for (const row of indicatorTable(r).rows) {
      expect(row[6]).toEqual({ absent: '十五五目标未发布' }); // 规划目标
      expect(row[7]).toEqual({ absent: '十五五目标未发布' }); // 本年目标
      expect(row[8]).toBe('十五五目标未发布'); // 状态
    }
  });

  it('a year outside every plan (2031) says so and has no baseline', () => {
    const r = intensityReport({ ...data(testSite([hq])), from: '2031-01-01', to: '2031-12-31' });
    expect(r.plan).toBeNull();
    expect(r.plan_note).toBe(
      '2031 年不在已配置的规划期内（公共机构节约能源资源"十三五"规划 2016–2020，十四五公共机构节约能源资源工作规划 2021–2025，十五五公共机构节约能源资源工作规划 2026–2030）；未评价达标',
    );
    expect(r.baseline_year).toBeNull();
  });

  it('a site target set covers the years the standard ones do not', () => {
    const site = testSite([hq], {
      targets: [
        {
          id: '15th-local',
          name: '十五五节能目标（本单位暂定）',
          source: '本单位节能工作计划 2026',
          base_year: 2025,
          end_year: 2030,
          targets: { energy_per_area_kgce_m2: -0.05, water_per_capita_m3: -0.04 },
        },
      ],
    });
    const r = intensityReport(data(site));
    expect(r.plan).toEqual({
      id: '15th-local',
      name: '十五五节能目标（本单位暂定）',
      source: '本单位节能工作计划 2026',
      verified: false,
      base_year: 2025,
      end_year: 2030,
      origin: 'site',
      short: '十五五节能目标（本单位暂定）',
      published: true,
      level: 'organization',
    });
    expect(r.plan_note).toContain(
      '十五五节能目标（本单位暂定） 的目标值未经核对（verified: false，站点文件）',
    );
    expect(r.baseline_year).toBe(2025); // the plan's base year
    const row = (i: string) => r.comparisons.find((c) => c.scope === 'org' && c.indicator === i);
    // energy per m²: 730,000 / 800,000 − 1 = −8.75 %; due by 2026: −5 % × 1/5 = −1 % → on track
    expect(row('energy_per_area_kgce_m2')).toMatchObject({ target: -0.05, status: 'on_track' });
    expect(row('energy_per_area_kgce_m2')?.target_by_now).toBeCloseTo(-0.01, 12);
    expect(row('energy_per_area_kgce_m2')?.change).toBeCloseTo(-0.0875, 12);
    // water 3,650 / 4,000 − 1 = −8.75 % against −4 % × 1/5 = −0.8 % → on track
    expect(row('water_per_capita_m3')?.status).toBe('on_track');
    // no target set for per-capita energy or carbon
    expect(row('energy_per_capita_kgce')?.status).toBe('no_target');
    expect(row('energy_per_capita_kgce')?.status_text).toBe('十五五节能目标（本单位暂定） 未设此指标目标');
    expect(r.status).toBe('on_track');
  });

  it('a site set wins over the standard one for the years it covers', () => {
    const site = testSite([hq], {
      targets: [
        {
          id: 'local-14',
          name: '本单位十四五目标',
          source: '本单位文件',
          base_year: 2020,
          end_year: 2025,
          targets: { energy_per_area_kgce_m2: -0.1 },
          verified: true,
        },
      ],
    });
    const r = intensityReport({ ...data(site), from: '2025-01-01', to: '2025-12-31' });
    expect(r.plan).toMatchObject({ id: 'local-14', origin: 'site', verified: true });
    expect(r.plan_note).toBeNull();
  });
});
