import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { LedgerKind } from '../../core/reports/port.ts';
import type { Cell } from './cells.ts';
import { columnOf, columnsOf, headerNames, OPTIONAL_COLUMNS } from './schema.ts';
import type { RowSet } from './validate.ts';

/**
 * Ledger files as rows of raw cells: CSV (UTF-8 with or without BOM, else GB18030/GBK — what Excel
 * in Chinese saves by default — when that decodes cleanly) or XLSX (the first sheet, header in
 * row 1). Headers in English or Chinese, in any order.
 */
export async function readLedgerFile(kind: LedgerKind, file: string): Promise<RowSet> {
  const name = basename(file);
  const ext = extname(file).toLowerCase();
  if (ext === '.xlsx') return readXlsx(kind, file, name);
  if (ext === '.xls')
    return emptySet(name, `${name}：不读取 Excel 97–2003 工作簿（.xls）；请另存为 XLSX 或 CSV UTF-8`);
  const bytes = readFileSync(file);
  // XLSX is a zip: "PK\x03\x04".
  if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])))
    return emptySet(name, `${name}: an XLSX workbook, not CSV text; name it .xlsx and import it again`);
  const decoded = decodeCsv(bytes);
  if ('problem' in decoded) return emptySet(name, `${name}：${decoded.problem}`);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, each record comes with the line it ends on: the row number Excel shows.
    records = parse(decoded.text, {
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as typeof records;
  } catch (err) {
    return emptySet(name, `${name}：无法按 CSV 读取：${(err as Error).message}`);
  }
  const [head, ...body] = records;
  const separator = otherSeparator(kind, head?.record ?? []);
  if (separator)
    return emptySet(
      name,
      `${name} 第 1 行（表头）：列以${separator}分隔，而不是逗号；请在 Excel 中另存为"CSV UTF-8（逗号分隔）"（或 XLSX）后重新导入`,
    );
  const set = fromTable(
    kind,
    name,
    head?.record ?? [],
    body.map((r) => ({ cells: r.record, row: r.info.lines })),
  );
  set.encoding = decoded.encoding;
  return set;
}

/**
 * The separator of a header that is not comma-separated: ";" (what Excel saves as CSV in a locale
 * with decimal commas) or tabs (text copied from a sheet), when splitting its first cell by it
 * gives two columns or more. Refused rather than read: such a file's numbers and dates may be
 * written in that locale too (1.500,5; 30.01.2025), which no check here would catch for sure.
 */
function otherSeparator(kind: LedgerKind, header: string[]): string | undefined {
  const first = header[0] ?? '';
  for (const [sep, words] of [
    [';', '分号";"'],
    ['\t', '制表符'],
  ] as const)
    if (first.split(sep).filter((h) => columnOf(kind, h.trim()) !== undefined).length >= 2) return words;
  return undefined;
}

/** A control character other than tab, LF and CR: never in a CSV an officer saved (binary, UTF-16). */
function hasControl(text: string): boolean {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) return true;
  }
  return false;
}

/**
 * The text of a CSV file: UTF-8 (a BOM is dropped), else GB18030 — a superset of GBK and GB2312 —
 * when every byte decodes and no control character appears (binary or UTF-16 does not pass), and
 * the file is not UTF-8 with a few broken bytes.
 */
export function decodeCsv(bytes: Buffer): { text: string; encoding: string } | { problem: string } {
  const fix = '请在 Excel 中另存为"CSV UTF-8（逗号分隔）"（或 XLSX）后重新导入';
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    return { problem: `这是 UTF-16 文本（"Unicode 文本"），不是 CSV；${fix}` };
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (!hasControl(text)) return { text, encoding: 'UTF-8' };
  } catch {
    // not UTF-8: damaged UTF-8, or GB18030 below
  }
  const loose = new TextDecoder('utf-8').decode(bytes);
  const lost = [...loose].filter((c) => c === '\uFFFD').length;
  // UTF-8 with a few broken bytes would also decode as GB18030 — into wrong characters. GBK text
  // read as UTF-8 is nearly all U+FFFD; a file with more good multi-byte characters than bad is
  // UTF-8 damaged, not GBK.
  const good = [...loose].filter((c) => c > '\u007F' && c !== '\uFFFD').length;
  if (lost > 0 && good > lost) {
    const line = loose.slice(0, loose.indexOf('\uFFFD')).split('\n').length;
    return { problem: `UTF-8 文件中有不是 UTF-8 的字节（第 ${line} 行）；${fix}` };
  }
  const text = iconv.decode(bytes, 'gb18030');
  if (!text.includes('\uFFFD') && !hasControl(text)) return { text, encoding: 'GB18030 (GBK)' };
  return { problem: `既不能按 UTF-8 也不能按 GB18030（GBK）读取；${fix}` };
}

function emptySet(name: string, problem: string): RowSet {
  return { rows: [], at: (i) => `${name} 第 ${i + 2} 行`, problems: [problem], notes: [] };
}

const headerHelp = (kind: LedgerKind) =>
  columnsOf(kind)
    .map(
      (c) => `${c} (${(headerNames[c] ?? []).join('/')})${OPTIONAL_COLUMNS.includes(c) ? ', optional' : ''}`,
    )
    .join('; ');

/** Maps the header to columns and the body to rows keyed by column; `row` is the file's row number. */
export function fromTable(
  kind: LedgerKind,
  name: string,
  header: Cell[],
  body: { cells: Cell[]; row: number }[],
): RowSet {
  const written = header.map((h) => String(h ?? '').trim());
  const columns = written.map((h) => columnOf(kind, h));
  const problems: string[] = [];
  const unknown = written.filter((h, k) => h !== '' && columns[k] === undefined);
  if (unknown.length > 0)
    problems.push(
      `${name} 第 1 行（表头）：未知的列 ${unknown.map((h) => `"${h}"`).join('、')}；可用的列：${headerHelp(kind)}`,
    );
  const missing = columnsOf(kind).filter((c) => !OPTIONAL_COLUMNS.includes(c) && !columns.includes(c));
  if (missing.length > 0)
    problems.push(`${name} 第 1 行（表头）：缺少列 ${missing.join('、')}；可用的列：${headerHelp(kind)}`);
  const twice = columns.filter((c, k) => c !== undefined && columns.indexOf(c) !== k);
  if (twice.length > 0) problems.push(`${name} 第 1 行（表头）：列 ${twice.join('、')} 重复`);
  const label = (col: string) => {
    const h = written[columns.indexOf(col)];
    return h === undefined || h === col ? col : `${h}（${col}）`;
  };
  const at = (i: number, col?: string) =>
    `${name} 第 ${body[i]?.row ?? i + 2} 行${col === undefined ? '' : `，${label(col)} 列`}`;
  if (problems.length === 0 && body.length === 0) problems.push(`${name}：表头下没有数据行，无可导入`);
  if (problems.length > 0) return { rows: [], at, problems, notes: [] };
  const csv = !name.toLowerCase().endsWith('.xlsx');
  const rows = body.map(({ cells, row }) => {
    const width = cells.length;
    if (width > written.length && cells.slice(written.length).some((c) => String(c ?? '').trim() !== ''))
      problems.push(
        `${name} 第 ${row} 行：有 ${width} 列，应为 ${written.length} 列（${written.join(',')}）${csv ? '——带千位分隔符的数须加引号（"1,500,000"）或不写分隔符' : ''}`,
      );
    return Object.fromEntries(columns.flatMap((c, k) => (c === undefined ? [] : [[c, cells[k] ?? '']])));
  });
  return { rows, at, problems, notes: [] };
}

/** An exceljs cell value as a plain cell: formulas by their result, rich text and links by their text. */
export function plainCell(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined || typeof v !== 'object' || v instanceof Date) return v;
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('hyperlink' in v) return String(v.text);
  if ('result' in v) return plainCell(v.result as ExcelJS.CellValue);
  if ('error' in v) return String(v.error);
  return undefined;
}

async function readXlsx(kind: LedgerKind, file: string, name: string): Promise<RowSet> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(file);
  } catch (err) {
    return emptySet(name, `${name}：无法按 XLSX 读取：${(err as Error).message}`);
  }
  const sheet = wb.worksheets[0];
  if (!sheet) return emptySet(name, `${name}：工作簿中没有工作表`);
  const width = sheet.columnCount;
  const cellsOf = (r: ExcelJS.Row) =>
    Array.from({ length: width }, (_, k) => plainCell(r.getCell(k + 1).value));
  const body: { cells: Cell[]; row: number }[] = [];
  for (let n = 2; n <= sheet.rowCount; n++) {
    const cells = cellsOf(sheet.getRow(n));
    if (cells.some((c) => c !== undefined && c !== null && String(c).trim() !== ''))
      body.push({ cells, row: n });
  }
  const set = fromTable(kind, name, cellsOf(sheet.getRow(1)), body);
  set.encoding = `XLSX，工作表"${sheet.name}"`;
  return set;
}
