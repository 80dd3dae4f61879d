import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ledgerLimits, readLedgerFile, xlsxProblem, xlsxWorkerLimits } from './read.ts';
import { HEAD, now, problemsOf, setup, site } from './testSupport.ts';

/** A workbook zipped by hand: one sheet whose `<sheetData>` is `rows`. */
function handBook(rows: string, after = ''): Buffer {
  const ns = 'http://schemas.openxmlformats.org';
  const rel = (type: string, target: string) =>
    `<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/${type}" Target="${target}"/></Relationships>`;
  return Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8(
        `<Types xmlns="${ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
      ),
      '_rels/.rels': strToU8(rel('officeDocument', 'xl/workbook.xml')),
      'xl/workbook.xml': strToU8(
        `<workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${ns}/officeDocument/2006/relationships"><sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
      'xl/_rels/workbook.xml.rels': strToU8(rel('worksheet', 'worksheets/sheet1.xml')),
      'xl/worksheets/sheet1.xml': strToU8(
        `<worksheet xmlns="${ns}/spreadsheetml/2006/main"><sheetData>${rows}</sheetData>${after}</worksheet>`,
      ),
    }),
  );
}

const text = (ref: string, t: string) => `<c r="${ref}" t="inlineStr"><is><t>${t}</t></is></c>`;
const headRow = `<row r="1">${HEAD.split(',')
  .map((h, k) => text(`${String.fromCharCode(65 + k)}1`, h))
  .join('')}</row>`;
const bill = (n: number) =>
  `<row r="${n}">${['zonghe-lou', '2025-01-01', '2025-01-31', 'electricity', '1', 'kWh', `bill ${n}`]
    .map((v, k) => text(`${String.fromCharCode(65 + k)}${n}`, v))
    .join('')}</row>`;

/** Sets the size the central directory and local header declare for `part`. */
function declare(zip: Buffer, part: string, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let at = out.indexOf('PK\x01\x02'); at >= 0; at = out.indexOf('PK\x01\x02', at + 4)) {
    if (out.toString('utf8', at + 46, at + 46 + out.readUInt16LE(at + 28)) !== part) continue;
    out.writeUInt32LE(size, at + 24);
    out.writeUInt32LE(size, out.readUInt32LE(at + 42) + 22);
  }
  return out;
}

describe('an XLSX is measured before exceljs opens it, and only its real rows are read', () => {
  it('refuses at once a 6 KB workbook whose other cell is Z1048576 (it looped 27 million cells)', async () => {
    const { dir, ledger } = setup();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('台账');
    ws.addRow(HEAD.split(','));
    ws.getCell('Z1048576').value = 1;
    const file = join(dir, 'sparse.xlsx');
    await wb.xlsx.writeFile(file);
    const t = Date.now();
    const problems = await problemsOf(ledger.importFile('entries', file, site, now));
    // Two rows, the second empty but for Z: refused for its 26 columns (and its empty cells).
    expect(problems[0]).toBe(`sparse.xlsx 第 1048576 行：有 26 列，应为 7 列（${HEAD}）`);
    expect(problems.every((p) => p.startsWith('sparse.xlsx 第 1048576 行'))).toBe(true);
    expect(Date.now() - t).toBeLessThan(5_000);
    expect(ledger.entries()).toEqual([]);
  });

  it('refuses a value past column BL (64), more than 10,000 data rows, and too many cells, saying what is allowed', async () => {
    const { csv } = setup();
    const wide = csv('wide.xlsx', handBook(`${headRow}${bill(2)}<row r="3"><c r="XFD3"><v>1</v></c></row>`));
    expect((await readLedgerFile('entries', wide)).problems).toEqual([
      'wide.xlsx：工作表 sheet1.xml 有内容的单元格到第 16,384 列，超过上限 64 列（BL 列）；台账只需表头所列的列',
    ]);
    const rows = Array.from({ length: ledgerLimits.rows + 1 }, (_, k) => bill(k + 2)).join('');
    const many = csv('many.xlsx', handBook(headRow + rows));
    expect((await readLedgerFile('entries', many)).problems).toEqual([
      'many.xlsx：工作表 sheet1.xml 有 10,001 行数据，超过上限 10,000 行（表头之外）；请分成几个文件导入',
    ]);
    const lines = Array.from(
      { length: ledgerLimits.rows + 1 },
      (_, k) => `zonghe-lou,2025-01-01,2025-01-31,electricity,1,kWh,b${k}`,
    );
    const long = csv('many.csv', `${HEAD}\n${lines.join('\n')}\n`);
    expect((await readLedgerFile('entries', long)).problems).toEqual([
      'many.csv：有 10,001 行数据，超过上限 10,000 行（表头之外）；请分成几个文件导入',
    ]);
    // Formatted empty cells cost exceljs as much memory as full ones.
    const styled = Array.from(
      { length: 70_000 },
      (_, k) =>
        `<row r="${k + 2}"><c r="A${k + 2}" s="0"/><c r="B${k + 2}" s="0"/><c r="C${k + 2}" s="0"/></row>`,
    );
    expect(xlsxProblem(handBook(headRow + styled.join('')), 's.xlsx')).toBe(
      's.xlsx：工作簿至少有 210,007 个单元格（含只有格式的空单元格），超过上限 200,000 个（如 10,000 行 × 20 列）；请删去其他工作表或多余的格式',
    );
  });

  it('refuses a part that inflates past 20 MB, whatever size it declares (a zip bomb)', async () => {
    const { csv } = setup();
    const bomb = handBook(`${headRow}${bill(2)}${' '.repeat(21 * 1024 * 1024)}`);
    expect(bomb.length).toBeLessThan(100_000);
    const refused = 'bomb.xlsx：其中的 xl/worksheets/sheet1.xml 解压后';
    const told = (await readLedgerFile('entries', csv('bomb.xlsx', bomb))).problems;
    expect(told).toEqual([
      `${refused} 21 MB，超过上限 20 MB；台账工作簿至多 10,000 行数据，请删去其他工作表、图片或分成几个文件`,
    ]);
    const liar = declare(bomb, 'xl/worksheets/sheet1.xml', 1000);
    expect(xlsxProblem(liar, 'bomb.xlsx')).toBe(
      `${refused}超过上限 20 MB；台账工作簿至多 10,000 行数据，请删去其他工作表、图片或分成几个文件`,
    );
    expect(xlsxProblem(Buffer.from('PK\x03\x04 not a zip'), 'x.xlsx')).toMatch(
      /^x\.xlsx：不是有效的 XLSX 文件/,
    );
  });

  it('still reads a workbook of 10,000 rows, and a hand-zipped one with prefixed elements', async () => {
    const { csv, ledger } = setup();
    const prefixed = handBook(
      `${headRow}${bill(2)}`.replaceAll('<row', '<x:row').replaceAll('</row', '</x:row'),
    );
    expect(xlsxProblem(prefixed, 'p.xlsx')).toBeUndefined();
    const rows = Array.from({ length: ledgerLimits.rows }, (_, k) => bill(k + 2)).join('');
    const set = await readLedgerFile('entries', csv('full.xlsx', handBook(headRow + rows)));
    expect(set.problems).toEqual([]);
    expect(set.rows).toHaveLength(10_000);
    expect(set.rows[9_999]).toMatchObject({ building: 'zonghe-lou', source: 'bill 10001' });
    ledger.close();
  });

  it('reads a workbook in a worker with a heap and a time limit: a merged range over the whole sheet, or unclosed rows, cost the worker only', async () => {
    const { csv } = setup();
    const { heapMb, seconds } = xlsxWorkerLimits;
    // Small limits, so that the test is quick; the process's own heap is untouched either way.
    Object.assign(xlsxWorkerLimits, { heapMb: 96, seconds: 15 });
    try {
      const merged = handBook(
        `${headRow}${bill(2)}`,
        '<mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells>',
      );
      const unclosed = handBook(`${headRow}${'<row>'.repeat(100_000)}`);
      for (const [file, bytes] of [
        ['merged.xlsx', merged],
        ['unclosed.xlsx', unclosed],
      ] as const) {
        const before = process.memoryUsage().heapUsed;
        const problems = (await readLedgerFile('entries', csv(file, bytes))).problems;
        expect(problems.join('\n'), file).toMatch(
          new RegExp(
            `${file.replace('.', '\\.')}：(读取所需内存超过 96 MB|读取超过 15 秒仍未完成|无法按 XLSX 读取|.*行)`,
          ),
        );
        expect(process.memoryUsage().heapUsed - before).toBeLessThan(200 * 1024 * 1024);
      }
      // A good workbook still reads through the same worker.
      expect(
        (await readLedgerFile('entries', csv('good.xlsx', handBook(`${headRow}${bill(2)}`)))).rows,
      ).toHaveLength(1);
    } finally {
      Object.assign(xlsxWorkerLimits, { heapMb, seconds });
    }
  });
});
