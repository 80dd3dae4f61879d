import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import { spawnCli } from './helpers/cli.ts';

/**
 * An energy officer's path through the CLI on the demo site: import building facts and 2020 bills
 * from CSV (a broken file is refused whole, with row and column), then a JSON report over January
 * 2025 from the stored daily rollups — main meters only, never main plus sub-meters.
 */
describe('jieneng import and jieneng report', () => {
  it('imports checked CSV and reports from rollups and entries', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jn-report-'));
    const store = new SqliteStore(join(dataDir, 'jieneng.db'));
    await store.open();
    const rows = [];
    for (let d = 1; d <= 31; d++) {
      const start = Date.parse(`2025-01-${String(d).padStart(2, '0')}T00:00:00+08:00`);
      rows.push({
        period: 'day' as const,
        meter: 'zonghe-main',
        start,
        value: 1000,
        estimated: 0,
        unit: 'kWh',
      });
      rows.push({
        period: 'day' as const,
        meter: 'zonghe-hvac',
        start,
        value: 400,
        estimated: 0,
        unit: 'kWh',
      });
    }
    await store.writeRollups(rows);
    await store.close();
    const run = async (args: string[]) => {
      const p = spawnCli([...args, '--data-dir', dataDir]);
      const code = await p.exited;
      return { code, out: p.stdout(), err: p.stderr() };
    };

    const bad = join(dataDir, 'bad.csv');
    writeFileSync(
      bad,
      '\uFEFFbuilding,period_start,period_end,energy_type,quantity,unit,source\n' +
        'zonghe-lou,2020-01-01,2020-12-31,electricity,400000,kWh,2020年电费单\n' +
        'nowhere,2020-01-01,2020-13-01,petrol,-3,L,\n',
    );
    const refused = await run(['import', 'entries', bad]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('bad.csv: row 3, column building: "nowhere": no such building');
    expect(refused.err).toContain('row 3, column period_end: "2020-13-01": write a date as YYYY-MM-DD');
    expect(refused.err).toContain('row 3, column energy_type: "petrol": one of electricity, water');
    expect(refused.err).toContain('row 3, column quantity: "-3": a number, 0 or more');
    expect(refused.err).toContain('row 3, column source: "": say where the figure comes from');

    const entries = join(dataDir, 'entries.csv');
    writeFileSync(
      entries,
      '\uFEFFbuilding,period_start,period_end,energy_type,quantity,unit,source\n' +
        'zonghe-lou,2020-01-01,2020-12-31,electricity,400,MWh,2020年电费单\n',
    );
    const ok = await run(['import', 'entries', entries]);
    expect(ok.err).toBe('');
    expect(ok.out).toContain('1 entries imported (0 replaced');
    // The same file again replaces, never doubles.
    expect((await run(['import', 'entries', entries])).out).toContain('1 entries imported (1 replaced');

    const out = join(dataDir, 'report.json');
    const rep = await run([
      'report',
      '--from',
      '2025-01-01',
      '--to',
      '2025-02-01',
      '--baseline',
      '2020',
      '-o',
      out,
    ]);
    expect(rep.err).toBe('');
    expect(rep.code).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    const zonghe = report.buildings.find((b: { id: string }) => b.id === 'zonghe-lou');
    // 31 days × 1,000 kWh of the main meter; the HVAC sub-meter's 400 kWh/day are inside it
    expect(zonghe.totals).toEqual([
      expect.objectContaining({ energy_type: 'electricity', quantity: 31_000, metered: 31_000, entered: 0 }),
    ]);
    // 分项: HVAC 400 × 31 = 12,400 kWh; the rest of the main meter, 18,600, is the virtual "other"
    expect(report.subitems.map((x: { key: string; value: number }) => [x.key, x.value])).toEqual([
      ['hvac', 12_400],
      ['other', 18_600],
    ]);
    // 31,000 × 0.1229 = 3,809.9 kgce
    expect(zonghe.energy_kgce).toBeCloseTo(3_809.9, 6);
    // 2020 from the bill: 400 MWh = 400,000 kWh × 0.1229 = 49,160 kgce
    expect(report.baseline.energy_kgce).toBeCloseTo(49_160, 6);
    expect(report.basis_text).toContain('当量值');
    expect(report.plan.name).toBe('十四五公共机构节约能源资源工作规划');

    const csvFile = join(dataDir, 'report.csv');
    const csv = await run([
      'report',
      '--from',
      '2025-01-01',
      '--to',
      '2025-02-01',
      '--baseline',
      '2020',
      '--format',
      'csv',
      '-o',
      csvFile,
    ]);
    expect(csv.code).toBe(0);
    const bytes = readFileSync(csvFile);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM: Excel opens it as UTF-8
    const text = bytes.toString('utf8');
    expect(text).toContain('折标方法 basis,"电力按当量值折标 (0.1229 kgce/kWh, GB/T 2589-2020)"\r\n');
    expect(text).toContain('zonghe-lou,综合办公楼,');
    expect(text).toContain('同比,同比：与上年同期 2024-01-01 至 2024-01-31 比较\r\n');
    expect(text).toContain('zonghe-lou,electricity,31000,kWh,3809.9,');

    // XLSX: one sheet per view, Chinese intact when read back with exceljs.
    const xlsxFile = join(dataDir, 'report.xlsx');
    const reportArgs = ['report', '--from', '2025-01-01', '--to', '2025-02-01', '--baseline', '2020'];
    expect((await run([...reportArgs, '--format', 'xlsx', '-o', xlsxFile])).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsxFile);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '摘要 Summary',
      '指标 Indicators',
      '建筑 Buildings',
      '分类 Energy types',
      '排名与预测 Ranking',
      '说明 Notes',
    ]);
    expect(wb.getWorksheet('摘要 Summary')?.getCell('B2').value).toBe(
      '电力按当量值折标 (0.1229 kgce/kWh, GB/T 2589-2020)',
    );
    const buildingsSheet = wb.getWorksheet('建筑 Buildings');
    expect(buildingsSheet?.getCell('B2').value).toBe('综合办公楼');
    expect(buildingsSheet?.getCell('E2').value).toBeCloseTo(3_809.9, 6);

    // PDF: the Chinese text comes back out of it (pdftotext), so it was drawn with real glyphs.
    const pdfFile = join(dataDir, 'report.pdf');
    expect((await run([...reportArgs, '--basis', 'generation', '--format', 'pdf', '-o', pdfFile])).code).toBe(
      0,
    );
    const pdfText = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
    expect(pdfText).toContain('公共机构能源资源消耗强度报告');
    expect(pdfText).toContain('折标方法：电力按等价值折标');
    expect(pdfText).toContain('综合办公楼');
    expect(pdfText).toContain('单位建筑面积能耗');
    expect(pdfText).toContain('环比：与上月 2024-12-01 至 2024-12-31 比较');

    const noName = await run([...reportArgs, '--format', 'pdf']);
    expect(noName.code).toBe(2);
    expect(noName.err).toContain('--format pdf writes a binary file: give it a name with -o FILE');
  }, 300_000); // eight jieneng processes, one after another, on a loaded machine
});
