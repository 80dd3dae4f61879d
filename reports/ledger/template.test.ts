import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { loadSite } from '../../core/config/loadSite.ts';
import { type ImportError, Ledger } from './ledger.ts';
import { writeTemplate } from './template.ts';

/** The demo site (examples/demo-site.yaml): its buildings are what rows name. */
const demoSite = fileURLToPath(new URL('../../examples/demo-site.yaml', import.meta.url));

/** The XLSX template: written, filled in with Excel's own cell types, imported back. */
const site = loadSite(demoSite).config;
const now = new Date('2026-01-05T02:00:00Z');

async function open(file: string) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('no sheet');
  return { wb, ws };
}

describe('the XLSX template', () => {
  it('has Chinese headers, drop-down lists and an example row the import refuses as it is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-template-'));
    const file = join(dir, 'entries.xlsx');
    await writeTemplate('entries', file, site.organization.buildings);
    const { ws } = await open(file);
    expect(ws.getRow(1).values).toEqual([
      undefined,
      '建筑',
      '开始日期',
      '结束日期',
      '能源类型',
      '数量',
      '单位',
      '来源',
      '费用(元)',
    ]);
    expect(ws.getCell('D3').dataValidation).toMatchObject({
      type: 'list',
      formulae: ['"电力,水,天然气,汽油,柴油,液化石油气,热力,原煤,其他(折标煤)"'],
    });
    expect(ws.getCell('F3').dataValidation.formulae?.[0]).toContain('kWh,MWh,m³');
    expect(ws.getCell('A3').dataValidation.formulae).toEqual(['"zonghe-lou,fuwu-lou,dangan-lou"']);
    const ledger = new Ledger(join(dir, 'ledger.db'));
    const asCsv = join(dir, 'entries.csv');
    copyFileSync(file, asCsv);
    expect(
      await ledger.importFile('entries', asCsv, site, now).catch((e: ImportError) => e.problems),
    ).toEqual(['entries.csv: an XLSX workbook, not CSV text; name it .xlsx and import it again']);
    const refused = await ledger.importFile('entries', file, site, now).catch((e: ImportError) => e.problems);
    expect(refused).toEqual([
      `entries.xlsx 第 2 行，来源（source） 列："示例：导入前删除或改写此行 (example: delete or overwrite this row)"：这是模板的示例行：请删除，或改写为实际数据`,
    ]);
    ledger.close();
  });

  it('imports once filled in: Excel dates, numbers, Chinese names, litres', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-template-'));
    const file = join(dir, 'entries.xlsx');
    await writeTemplate('entries', file, site.organization.buildings);
    const { wb, ws } = await open(file);
    ws.getRow(2).values = [
      'zonghe-lou',
      new Date('2025-02-01T00:00:00Z'),
      new Date('2025-02-28T00:00:00Z'),
      '电力',
      98_000,
      'kWh',
      '2025年2月电费单',
      78_400,
    ];
    ws.getRow(3).values = [
      '服务楼（食堂）',
      '2025-01-01',
      new Date('2025-06-30T00:00:00Z'),
      '柴油',
      { formula: '400+100', result: 500 },
      '升',
      '发电机柴油 1–6 月',
    ];
    await wb.xlsx.writeFile(file);
    const ledger = new Ledger(join(dir, 'ledger.db'));
    const r = await ledger.importFile('entries', file, site, now);
    expect(r).toMatchObject({ imported: 2, encoding: 'XLSX，工作表"能源台账 entries"' });
    expect(ledger.entries()).toEqual([
      expect.objectContaining({
        building: 'fuwu-lou',
        period_start: '2025-01-01',
        period_end: '2025-06-30',
        energy_type: 'diesel',
        // 500 L × 0.84 kg/L = 420 kg
        quantity: 420,
        quantity_given: 500,
        unit_given: 'L',
        cost_yuan: null,
      }),
      expect.objectContaining({
        building: 'zonghe-lou',
        period_start: '2025-02-01',
        period_end: '2025-02-28',
        energy_type: 'electricity',
        quantity: 98_000,
        cost_yuan: 78_400,
      }),
    ]);
    ledger.close();
  });

  it('refuses the same implausible figures in XLSX as in CSV, and a date with a time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-template-'));
    const file = join(dir, 'facts.xlsx');
    await writeTemplate('facts', file, site.organization.buildings);
    const ledger = new Ledger(join(dir, 'ledger.db'));
    // Unchanged, the example fact is refused too (its building is the example marker)
    expect(await ledger.importFile('facts', file, site, now).catch((e: ImportError) => e.problems)).toEqual([
      `facts.xlsx 第 2 行，建筑（building） 列："示例 example"：这是模板的示例行：请删除，或改写为实际数据`,
    ]);
    const { wb, ws } = await open(file);
    ws.getRow(2).values = ['zonghe-lou', new Date('2025-01-01T08:30:00Z'), 18_600, 1.5];
    await wb.xlsx.writeFile(file);
    const refused = await ledger.importFile('facts', file, site, now).catch((e: ImportError) => e.problems);
    expect(refused).toEqual([
      'facts.xlsx 第 2 行，生效日期（effective_from） 列："2025-01-01 08:30"：应为不带时刻的日期（将单元格格式设为日期 yyyy-mm-dd）',
      'facts.xlsx 第 2 行，用能人数（headcount） 列："1.5"：用能人数应为 1 至 1e6 的整数（站点文件要求人数为正）',
    ]);
    ledger.close();
  });
});
