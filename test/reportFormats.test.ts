import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { IntensityReport } from '../core/reports/report.ts';
import { cellNumber, isAbsent } from '../reports/render/model.ts';
import { renderReport, reportContentTypes, reportExtensions } from '../reports/render/render.ts';
import { reportTables } from '../reports/render/reportTables.ts';
import { sampleReport } from '../reports/render/sampleInput.ts';

/*
 * The acceptance test of issue 14: the report's JSON, CSV zip, XLSX and PDF give the same figures,
 * read back as an officer's tools would (csv-parse, exceljs, pdftotext), and no missing figure
 * reads as 0. The report is the engine's (intensityReport) on the sample organization of
 * reports/render/sampleInput.ts, 2025 against 2020, 当量值 0.1229 kgce/kWh, 天然气 1.2143 kgce/m³,
 * 汽油 1.4714 kgce/kg:
 *   综合楼 hq   12,000 m²: 2,800 kWh × 365 = 1,022,000 kWh × 0.1229 = 125,603.8 + 36,000 m³ × 1.2143
 *               = 43,714.8 → 169,318.6 kgce ÷ 12,000 = 14.1099 kgce/m²; 2020: 135,190 + 47,357.7 =
 *               182,547.7 → 15.2123; 169,318.6 ÷ 182,547.7 − 1 = −7.25 %, target −5 %: 达标进度内
 *   服务楼 annex 4,000 m², 120 人: 310,000 × 0.1229 = 38,099 + 1,200 L × 0.725 = 870 kg × 1.4714 =
 *               1,280.118 → 39,379.118 kgce ÷ 4,000 = 9.8448 kgce/m²; ÷ 120 = 328.159 kgce/人 against
 *               2020's (40,557 + 1,324.26) ÷ 120 = 349.011: −5.97 %, target −6 %: 有风险
 *   档案楼 archive 6,000 m²: 260,000 × 0.1229 = 31,954 kgce ÷ 6,000 = 5.3257 kgce/m²
 *   organization: 169,318.6 + 39,379.118 + 31,954 = 240,651.718 kgce; 22,000 m²;
 *               headcount 127,900 ÷ 365 (300 人 181 days, 400 人 184) + 120 + 50 = 520.4 人
 * With the bill missing, 档案楼 and the organization have no 2025 energy figure: 缺数据, never 0.
 */

interface Read {
  json: IntensityReport;
  csv: Record<string, string[][]>;
  xlsx: ExcelJS.Workbook;
  /** Per sheet, cell ref → comment text: read from the file itself, as exceljs drops a comment on an empty cell. */
  comments: Map<string, Map<string, string>>;
  pdf: string;
}

function xlsxComments(book: Buffer, sheets: string[]): Map<string, Map<string, string>> {
  const files = unzipSync(new Uint8Array(book));
  const text = (name: string) => new TextDecoder().decode(files[name] ?? new Uint8Array());
  const out = new Map<string, Map<string, string>>();
  sheets.forEach((sheet, i) => {
    const rels = text(`xl/worksheets/_rels/sheet${i + 1}.xml.rels`);
    const target = /Target="\.\.\/(comments\d+\.xml)"/.exec(rels)?.[1];
    const notes = new Map<string, string>();
    for (const m of target
      ? text(`xl/${target}`).matchAll(/<comment ref="([A-Z]+\d+)"[^>]*>(.*?)<\/comment>/g)
      : [])
      notes.set(m[1] ?? '', [...(m[2] ?? '').matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((t) => t[1]).join(''));
    out.set(sheet, notes);
  });
  return out;
}

async function renderAll(r: IntensityReport): Promise<Read> {
  const dir = mkdtempSync(join(tmpdir(), 'jieneng-report-'));
  const pdfFile = join(dir, `report${reportExtensions.pdf}`);
  writeFileSync(pdfFile, await renderReport(r, 'pdf'));
  const zip = unzipSync(new Uint8Array(await renderReport(r, 'csv')));
  const csv: Record<string, string[][]> = {};
  for (const [name, bytes] of Object.entries(zip)) {
    expect([...bytes.subarray(0, 3)], `${name} starts with the UTF-8 BOM`).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    csv[name.replace(/^\d+-|\.csv$/g, '')] = parse(text, { bom: true, record_delimiter: '\r\n' });
  }
  const book = await renderReport(r, 'xlsx');
  const xlsx = new ExcelJS.Workbook();
  // exceljs's types want the Buffer of older @types/node; the bytes are the same.
  await xlsx.xlsx.load(book as unknown as Parameters<typeof xlsx.xlsx.load>[0]);
  return {
    json: JSON.parse((await renderReport(r, 'json')).toString('utf8')),
    csv,
    xlsx,
    comments: xlsxComments(
      book,
      xlsx.worksheets.map((w) => w.name),
    ),
    pdf: execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' }),
  };
}

/** The CSV row of a table whose first cells are `keys`. */
function csvRow(read: Read, table: string, ...keys: string[]): string[] {
  const rows = read.csv[table] ?? [];
  const row = rows.find((r) => keys.every((k, i) => r[i] === k));
  if (!row) throw new Error(`CSV ${table}: no row ${keys.join(', ')}`);
  return row;
}
const csvColumn = (read: Read, table: string, header: string) => {
  const i = read.csv[table]?.[0]?.indexOf(header) ?? -1;
  if (i < 0) throw new Error(`CSV ${table}: no column "${header}" in ${read.csv[table]?.[0]}`);
  return i;
};

interface XlsxCell {
  value: unknown;
  note: string;
  fmt: string;
}

/** The XLSX cells (values, comments and number formats) of the row whose first cells are `keys`. */
function sheetRow(read: Read, sheet: string, ...keys: string[]): XlsxCell[] {
  const ws = read.xlsx.getWorksheet(sheet);
  if (!ws) throw new Error(`XLSX: no sheet ${sheet}`);
  let found: XlsxCell[] | undefined;
  ws.eachRow((row) => {
    const cells = ws.getRow(1).cellCount;
    const values = Array.from({ length: cells }, (_, i) => {
      const c = row.getCell(i + 1);
      return { value: c.value, note: read.comments.get(sheet)?.get(c.address) ?? '', fmt: c.numFmt };
    });
    if (keys.every((k, i) => values[i]?.value === k)) found = values;
  });
  if (!found) throw new Error(`XLSX ${sheet}: no row ${keys.join(', ')}`);
  return found;
}
const sheetColumn = (read: Read, sheet: string, header: string) => {
  const headers = (read.xlsx.getWorksheet(sheet)?.getRow(1).values ?? []) as unknown[];
  return headers.indexOf(header) - 1;
};

/** The PDF line (pdftotext -layout) that contains every one of `parts`, in order. */
function pdfLine(read: Read, ...parts: string[]): string {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(parts.map(esc).join('.*'));
  const line = read.pdf.split('\n').find((l) => re.test(l));
  if (line === undefined) throw new Error(`PDF: no line with ${parts.join(' … ')}`);
  return line;
}

describe('a report reads back the same in JSON, CSV, XLSX and PDF', () => {
  it('names its content types and file extensions', () => {
    expect(reportContentTypes.csv).toBe('application/zip');
    expect(reportExtensions).toEqual({ json: '.json', csv: '.csv.zip', xlsx: '.xlsx', pdf: '.pdf' });
  });

  it('gives the organization total, each building per m² and the statuses in every format', async () => {
    const read = await renderAll(sampleReport());
    // organization: 240,651.718 kgce
    expect(read.json.organization.energy_kgce).toBeCloseTo(240_651.718, 6);
    const kgce = csvColumn(read, '建筑', '综合能耗 (kgce)');
    expect(Number(csvRow(read, '建筑', '某市机关事务管理局 (city-agency)')[kgce])).toBe(240_651.718);
    expect(sheetRow(read, '建筑', '某市机关事务管理局 (city-agency)')[kgce]?.value).toBe(240_651.718);
    expect(pdfLine(read, '22,000', '520.4', '240,651.72')).toBeTruthy();

    // per m²: 综合楼 14.1099, 服务楼 9.8448, 档案楼 5.3257 (kgce/m², three decimals in the PDF)
    const perArea = csvColumn(read, '建筑', '单位建筑面积能耗 (kgce/m²)');
    for (const [id, name, value, printed] of [
      ['hq', '综合楼', 169_318.6 / 12_000, '14.110'],
      ['annex', '服务楼', 39_379.118 / 4_000, '9.845'],
      ['archive', '档案楼', 31_954 / 6_000, '5.326'],
    ] as const) {
      const scope = read.json.buildings.find((b) => b.id === id);
      expect(scope?.indicators.energy_per_area_kgce_m2).toBeCloseTo(value, 9);
      expect(Number(csvRow(read, '建筑', `${name} (${id})`)[perArea])).toBeCloseTo(value, 6);
      const cell = sheetRow(read, '建筑', `${name} (${id})`)[perArea];
      expect(cell?.value).toBeCloseTo(value, 6);
      expect(pdfLine(read, `${name} (${id})`, printed)).toContain(printed);
    }

    // statuses: 综合楼 per m² −7.25 % 达标进度内; 服务楼 per person −5.97 % against −6 % 有风险
    const status = csvColumn(read, '指标', '状态');
    const change = csvColumn(read, '指标', '变化（比例）');
    const hq = csvRow(read, '指标', '综合楼', '单位建筑面积能耗');
    expect([hq[status], Number(hq[change]).toFixed(4)]).toEqual(['达标进度内', '-0.0725']);
    const annex = csvRow(read, '指标', '服务楼', '人均综合能耗');
    expect([annex[status], Number(annex[change]).toFixed(4)]).toEqual(['有风险', '-0.0597']);
    const annexXlsx = sheetRow(read, '指标', '服务楼', '人均综合能耗');
    expect(annexXlsx[status]?.value).toBe('有风险');
    expect(annexXlsx[change]?.value).toBeCloseTo(39_379.118 / 41_881.26 - 1, 6);
    expect(pdfLine(read, '服务楼', 'kgce/人', '328.159', '-5.97%', '-6.00%', '有风险')).toBeTruthy();
    expect(pdfLine(read, '综合楼', 'kgce/m²', '14.110', '-7.25%', '达标进度内')).toBeTruthy();
    expect(
      read.json.comparisons.find((c) => c.scope === 'annex' && c.indicator === 'energy_per_capita_kgce')
        ?.status,
    ).toBe('at_risk');
  });

  it('has every cell of every table the same in CSV and XLSX, and every absent figure empty, never 0', async () => {
    const r = sampleReport({ missingBill: true });
    const read = await renderAll(r);
    let absentCells = 0;
    for (const t of reportTables(r)) {
      const csv = read.csv[t.name] ?? [];
      const ws = read.xlsx.getWorksheet(t.name);
      for (const [i, row] of t.rows.entries())
        for (const [j, c] of row.entries()) {
          const where = `${t.name} row ${i + 1} column ${t.columns[j]?.header}`;
          // the CSV's 说明 starts with one more line: that its shares are fractions
          const inCsv = csv[i + (t.name === '说明' ? 2 : 1)]?.[j];
          const cell = ws?.getRow(i + 2).getCell(j + 1);
          const number = cellNumber(c);
          if (isAbsent(c)) {
            absentCells++;
            expect([inCsv, cell?.value, read.comments.get(t.name)?.get(cell?.address ?? '')], where).toEqual([
              '',
              null,
              c.absent,
            ]);
          } else if (number !== null) expect([Number(inCsv), cell?.value], where).toEqual([number, number]);
          else expect([inCsv, cell?.value ?? ''], where).toEqual([c ?? '', c ?? '']);
        }
    }
    // 档案楼's electricity and everything that depends on it: dozens of cells, none of them 0
    expect(absentCells).toBeGreaterThan(40);
  });

  it('lays the XLSX out one table per sheet, header frozen, numbers formatted, columns wide enough', async () => {
    const read = await renderAll(sampleReport());
    expect(read.xlsx.worksheets.map((w) => w.name)).toEqual([
      '摘要',
      '指标',
      '建筑',
      '分类',
      '覆盖率',
      '同比环比',
      '分项',
      '排名',
      '分区',
      '预测',
      '系数',
      '填报数据',
      '说明',
    ]);
    for (const ws of read.xlsx.worksheets) {
      expect(ws.views[0], ws.name).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.getRow(1).font?.bold, ws.name).toBe(true);
    }
    const kgce = csvColumn(read, '建筑', '综合能耗 (kgce)');
    const hq = sheetRow(read, '建筑', '综合楼 (hq)');
    // 169,318.6 kgce shown "169,318.60" by the format; the change a fraction shown as %
    expect([hq[kgce]?.value, hq[kgce]?.fmt]).toEqual([169_318.6, '#,##0.00']);
    const change = sheetRow(read, '指标', '综合楼', '单位建筑面积能耗')[
      csvColumn(read, '指标', '变化（比例）')
    ];
    expect(change?.fmt).toBe('0.00%');
    // the 建筑 column is as wide as "某市机关事务管理局 (city-agency)": 9 × 2 + 14 = 32 characters + 2
    expect(read.xlsx.getWorksheet('建筑')?.getColumn(1).width).toBe(34);
    // a long text (the status's reason) wraps in its 60-character column instead of running over
    const reason = read.xlsx
      .getWorksheet('指标')
      ?.getRow(2)
      .getCell(csvColumn(read, '指标', '说明') + 1);
    expect([reason?.worksheet.getColumn(reason.col).width, reason?.alignment?.wrapText]).toEqual([60, true]);
  });

  it('shows a building without its bill as 缺数据 in every format, never as 0, and the coverage it has', async () => {
    const r = sampleReport({ missingBill: true });
    // 服务楼's electricity: bills for 334 of 365 days → 91.51 %
    const annexPower = r.buildings[1]?.totals[0];
    if (annexPower)
      annexPower.coverage = { ...annexPower.coverage, entered_days: 334, share: 334 / 365, state: 'partial' };
    const read = await renderAll(r);

    expect(read.json.buildings[2]?.energy_kgce).toBeNull();
    expect(read.json.organization.energy_kgce).toBeNull();
    const kgce = csvColumn(read, '建筑', '综合能耗 (kgce)');
    const perArea = csvColumn(read, '建筑', '单位建筑面积能耗 (kgce/m²)');
    for (const scope of ['档案楼 (archive)', '某市机关事务管理局 (city-agency)']) {
      const row = csvRow(read, '建筑', scope);
      expect([row[kgce], row[perArea]]).toEqual(['', '']);
      const cells = sheetRow(read, '建筑', scope);
      expect([cells[kgce]?.value, cells[kgce]?.note]).toEqual([null, '缺数据']);
      expect([cells[perArea]?.value, cells[perArea]?.note]).toEqual([null, '缺数据']);
    }
    // PDF: 档案楼 6,000 m², 50 人 (a whole headcount, no decimals), then 缺数据 for its total and carbon — not 0.00
    expect(pdfLine(read, '档案楼 (archive)', '6,000', ' 50 ', '缺数据', '缺数据')).not.toMatch(/\s0\.00\s/);
    expect(pdfLine(read, '档案楼', '电力', '365', '缺数据')).toBeTruthy();

    // coverage of 服务楼's electricity: 334 ÷ 365 = 0.915068 → 91.51 %
    const share = csvColumn(read, '覆盖率', '覆盖率（比例）');
    expect(Number(csvRow(read, '覆盖率', '服务楼', '电力')[share])).toBe(0.915068);
    const xl = sheetRow(read, '覆盖率', '服务楼', '电力')[sheetColumn(read, '覆盖率', '覆盖率')];
    expect([xl?.value, xl?.fmt]).toEqual([0.915068, '0.00%']);
    expect(pdfLine(read, '服务楼', '电力', '91.51%', '部分 (91.51%)')).toBeTruthy();
    // the missing coverage is 缺数据, not 0 %
    expect(csvRow(read, '覆盖率', '档案楼', '电力')[share]).toBe('');
    expect(read.pdf).not.toMatch(/档案楼\s+电力\s+365\s+0\s+0\s+0\.00%/);

    // the organization's status says what is missing
    expect(read.json.status).toBe('incomplete');
    // …once, in the 缺数据清单; the status line refers to it (the list is not repeated on page 1)
    expect(pdfLine(read, '总体状态：数据不完整', '见缺数据清单')).toBeTruthy();
    expect(pdfLine(read, '本期', '档案楼', '电力', '2025-01-01 至 2025-12-31', '缺数据')).toBeTruthy();
    // the 缺数据清单 is a table of the CSV and XLSX too: its coverage empty (缺数据 in a comment), never 0
    const listed = csvRow(read, '缺数据', '本期', '档案楼', '电力', '2025-01-01 至 2025-12-31');
    expect(listed[csvColumn(read, '缺数据', '覆盖率（比例）')]).toBe('');
    expect(sheetRow(read, '缺数据', '本期', '档案楼', '电力')[4]?.note).toBe('缺数据');
    const statusOf = sheetRow(read, '指标', '档案楼', '单位建筑面积能耗')[csvColumn(read, '指标', '状态')];
    expect(statusOf?.value).toBe('数据不完整');
  });
});
