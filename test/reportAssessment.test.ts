import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from './helpers/cli.ts';

/**
 * An energy officer's two questions after 2025 (issue 18, "Plans as data"), through the CLI as a
 * user types it: did we meet 十四五 (`jieneng report assessment --plan 十四五`: 2025 against 2020,
 * all four indicators), and how does 2026 stand (`jieneng report` for 2026: measured against 2025,
 * 十五五目标未发布 — never on track, never 十四五's figures). One building, its years from bills.
 *
 * By hand (当量值 0.1229 kgce/kWh; CO₂ on the report year's grid factor, 2023's national 0.5306 for
 * both years; 10,000 m², 300 people):
 *   2020: 1,000,000 kWh → 122,900 kgce → 12.29 kgce/m², 409.666… kgce/人; 9,000 m³ → 30 m³/人;
 *         530,600 kgCO₂ → 53.06 kgCO₂/m²
 *   2025:   935,000 kWh → 114,911.5 kgce → 11.49115 kgce/m², 383.038… kgce/人; 8,600 m³ → 28.666… m³/人;
 *         496,111 kgCO₂ → 49.6111 kgCO₂/m²
 *   change: energy −6.50 % (≤ −5 % 完成; ≤ −6 % 完成), carbon −6.50 % (> −7 % 未完成),
 *           water 8,600 / 9,000 − 1 = −4.44 % (> −6 % 未完成)
 */
const site = `version: 1
site: { id: assess, name: 考核园区 }
organization:
  id: assess-org
  name: 某县机关事务服务中心
  buildings:
    - id: b1
      name: 办公楼
      category: office
      climate_zone: hot_summer_warm_winter
      floor_area: [{ from: 2015-01-01, value: 10000 }]
      headcount: [{ from: 2015-01-01, value: 300 }]
`;
const bills =
  '\uFEFFbuilding,period_start,period_end,energy_type,quantity,unit,source\n' +
  'b1,2020-01-01,2020-12-31,electricity,1000000,kWh,2020年电费单\n' +
  'b1,2020-01-01,2020-12-31,water,9000,m³,2020年水费单\n' +
  'b1,2025-01-01,2025-12-31,electricity,935000,kWh,2025年电费单\n' +
  'b1,2025-01-01,2025-12-31,water,8600,m³,2025年水费单\n' +
  'b1,2026-01-01,2026-11-30,electricity,800000,kWh,2026年电费单\n' +
  'b1,2026-01-01,2026-11-30,water,7000,m³,2026年水费单\n';

describe('jieneng report assessment --plan 十四五, and a 2026 report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jn-assess-'));
  const file = join(dir, 'site.yaml');
  writeFileSync(file, site);
  writeFileSync(join(dir, 'bills.csv'), bills);
  const run = async (args: string[]) => {
    const p = spawnCli([...args, '--config', file, '--data-dir', dir]);
    const code = await p.exited;
    return { code, out: p.stdout(), err: p.stderr() };
  };

  beforeAll(async () => {
    const imported = await run(['import', 'entries', join(dir, 'bills.csv')]);
    expect(imported.code).toBe(0);
  });

  it('assesses 2025 against 2020 on all four indicators, per building and for the organization', async () => {
    const r = await run(['report', 'assessment', '--plan', '十四五']);
    expect(r.code).toBe(0);
    const a = JSON.parse(r.out);
    expect(a.plan).toMatchObject({ id: '14th-five-year', short: '十四五', base_year: 2020, end_year: 2025 });
    expect([a.year, a.base_year]).toEqual([2025, 2020]);
    const row = (scope: string, ind: string) =>
      a.rows.find((x: { scope: string; indicator: string }) => x.scope === scope && x.indicator === ind);
    const org = (ind: string) => row('assess-org', ind);
    expect(org('energy_per_area_kgce_m2').base_value).toBeCloseTo(12.29, 9);
    expect(org('energy_per_area_kgce_m2').value).toBeCloseTo(11.49115, 9);
    expect(org('energy_per_area_kgce_m2').change).toBeCloseTo(-0.065, 9);
    expect(org('energy_per_area_kgce_m2')).toMatchObject({ target: -0.05, result: 'achieved' });
    expect(org('energy_per_capita_kgce').base_value).toBeCloseTo(122_900 / 300, 9);
    expect(org('energy_per_capita_kgce').value).toBeCloseTo(114_911.5 / 300, 9);
    expect(org('energy_per_capita_kgce')).toMatchObject({ target: -0.06, result: 'achieved' });
    expect(org('water_per_capita_m3').value).toBeCloseTo(8_600 / 300, 9);
    expect(org('water_per_capita_m3').change).toBeCloseTo(8_600 / 9_000 - 1, 9);
    expect(org('water_per_capita_m3')).toMatchObject({ target: -0.06, result: 'not_achieved' });
    expect(org('carbon_per_area_kgco2_m2').base_value).toBeCloseTo(53.06, 9);
    expect(org('carbon_per_area_kgco2_m2').value).toBeCloseTo(49.6111, 9);
    expect(org('carbon_per_area_kgco2_m2')).toMatchObject({ target: -0.07, result: 'not_achieved' });
    // from bills only: every day covered, nothing estimated, all entered
    expect(org('energy_per_area_kgce_m2')).toMatchObject({
      coverage: 1,
      base_coverage: 1,
      estimated_share: 0,
      entered_share: 1,
    });
    expect(row('b1', 'water_per_capita_m3').result).toBe('not_achieved');
    expect(a.result).toBe('not_achieved');
    // the officer reads the four results on stderr
    expect(r.err).toContain(
      '十四五公共机构节约能源资源工作规划终期考核（2025 年对基准年 2020）：未完成，未完成 2 项（共 4 项有目标）\n' +
        '  单位建筑面积能耗：-6.50 %（目标 -5.00 %）完成\n' +
        '  人均综合能耗：-6.50 %（目标 -6.00 %）完成\n' +
        '  人均用水量：-4.44 %（目标 -6.00 %）未完成\n' +
        '  单位建筑面积碳排放：-6.50 %（目标 -7.00 %）未完成\n',
    );
  });

  it('writes the assessment as XLSX, cell by cell as the JSON says', async () => {
    const out = join(dir, 'assessment.xlsx');
    const r = await run(['report', 'assessment', '--plan', '14th-five-year', '--format', 'xlsx', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${out}：已写入 xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(out) as unknown as ArrayBuffer);
    const summary = wb.getWorksheet('摘要');
    const cells = new Map<string, string>();
    summary?.eachRow((row) => cells.set(String(row.getCell(1).value), String(row.getCell(2).value)));
    expect(cells.get('对照规划')).toBe(
      '十四五公共机构节约能源资源工作规划（2021–2025 年，基准年 2020，未核对）',
    );
    expect(cells.get('基准年')).toBe('2020');
    expect(cells.get('考核年')).toBe('2025');
    expect(cells.get('考核结论')).toBe('未完成：未完成 2 项（共 4 项有目标）');
    const sheet = wb.getWorksheet('考核');
    const header = ((sheet?.getRow(1).values ?? []) as unknown[]).slice(1);
    expect(header.slice(0, 8)).toEqual([
      '范围',
      '指标',
      '单位',
      '2020年',
      '2025年',
      '变化',
      '规划目标',
      '结果',
    ]);
    const orgRow = sheet
      ?.getRows(2, sheet.rowCount - 1)
      ?.find((x) => x.getCell(1).value === '某县机关事务服务中心' && x.getCell(2).value === '人均用水量');
    expect(orgRow?.getCell(4).value).toBeCloseTo(30, 6);
    expect(orgRow?.getCell(5).value).toBeCloseTo(28.666667, 6);
    expect(orgRow?.getCell(6).value).toBeCloseTo(-0.044444, 6);
    expect(orgRow?.getCell(7).value).toBe(-0.06);
    expect(orgRow?.getCell(8).value).toBe('未完成');
  });

  it('refuses 十五五 (unpublished), a plan it does not know, and the intensity report’s options', async () => {
    const unpublished = await run(['report', 'assessment', '--plan', '十五五']);
    expect(unpublished.code).toBe(2);
    expect(unpublished.err).toContain(
      'jieneng report assessment: 十五五目标未发布，无法终期考核；站点文件可配置省、市或本单位目标（reports.targets，plan: 15th-five-year）',
    );
    const unknown = await run(['report', 'assessment', '--plan', '十六五']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain(
      '没有名为“十六五”的规划；可选：十三五（13th-five-year）、十四五（14th-five-year）',
    );
    const missing = await run(['report', 'assessment']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--plan PLAN is required');
    const period = await run(['report', 'assessment', '--plan', '十四五', '--from', '2025-01-01']);
    expect(period.code).toBe(2);
    expect(period.err).toContain('--from does not apply');
  });

  it('a 2026 report measures against 2025 and says 十五五目标未发布: never on track, never 十四五', async () => {
    const r = await run(['report', '--from', '2026-01-01', '--to', '2026-11-30']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.plan).toMatchObject({
      id: '15th-five-year',
      short: '十五五',
      published: false,
      base_year: 2025,
    });
    expect(report.baseline_year).toBe(2025);
    expect(report.status).toBe('no_target');
    expect(report.status_text).toMatch(
      /^十五五目标未发布（十五五公共机构节约能源资源工作规划 2026–2030 年，基准年 2025）/,
    );
    for (const c of report.comparisons) {
      expect(c.status).toBe('no_target');
      expect(c.target).toBeNull();
      expect(c.status_text).toContain('十五五目标未发布');
    }
    // the change on 2025's same period is there: 800,000 / (935,000 × 334/365) − 1
    const perArea = report.comparisons.find(
      (c: { scope: string; indicator: string }) =>
        c.scope === 'assess-org' && c.indicator === 'energy_per_area_kgce_m2',
    );
    expect(perArea.change).toBeCloseTo(800_000 / ((935_000 * 334) / 365) - 1, 9);
    expect(JSON.stringify(report)).not.toContain('十四五');
    // and its XLSX says so in the figures
    const out = join(dir, '2026.xlsx');
    expect(
      (await run(['report', '--from', '2026-01-01', '--to', '2026-11-30', '--format', 'xlsx', '-o', out]))
        .code,
    ).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(out) as unknown as ArrayBuffer);
    const statuses = new Set<string>();
    wb.getWorksheet('指标')?.eachRow((row, n) => {
      if (n > 1) statuses.add(String(row.getCell(9).value));
    });
    expect([...statuses]).toEqual(['十五五目标未发布']);
    const summary = new Map<string, string>();
    wb.getWorksheet('摘要')?.eachRow((row) =>
      summary.set(String(row.getCell(1).value), String(row.getCell(2).value)),
    );
    expect(summary.get('对照规划')).toBe(
      '十五五公共机构节约能源资源工作规划（2026–2030 年，基准年 2025，目标未发布）',
    );
    expect(summary.get('基准年')).toBe('2025');
  });
});
