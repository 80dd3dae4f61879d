import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { inflateRawSync } from 'node:zlib';
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
 * row 1). Headers in English or Chinese, in any order. At most `ledgerLimits.rows` data rows; an
 * XLSX is measured in its zip before it is opened (`xlsxProblem`: sizes, rows, columns, cells).
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
  if (body.length > ledgerLimits.rows) return emptySet(name, tooManyRows(name, '', body.length));
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

/**
 * What a ledger file may hold. A ledger is a few thousand rows of at most 8 columns; exceljs keeps
 * every cell of every sheet in memory (a 20 MB sheet of 600,000 cells took 4 s and 450 MB), so an
 * XLSX is measured in its zip before exceljs opens it, and refused with what is allowed.
 */
export const ledgerLimits = {
  /** Data rows (rows with a value, the header not counted), CSV and XLSX. */
  rows: 10_000,
  /** Columns of the header, and the last column any cell with a value may be in (BL). */
  columns: 64,
  /** Cells in all the workbook's sheets, empty formatted ones too: 10,000 rows × 20 columns. */
  cells: 200_000,
  /** Uncompressed bytes of one part of the zip (a sheet, the shared strings). */
  partBytes: 20 * 1024 * 1024,
  /** Uncompressed bytes of all the parts together. */
  bookBytes: 50 * 1024 * 1024,
};

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;
const count = (n: number) => n.toLocaleString('en-US');
const tooManyRows = (name: string, where: string, rows: number) =>
  `${name}：${where}有 ${count(rows)} 行数据，超过上限 ${count(ledgerLimits.rows)} 行（表头之外）；请分成几个文件导入`;
const tooWide = (name: string, where: string, columns: number) =>
  `${name}：${where}有内容的单元格到第 ${count(columns)} 列，超过上限 ${ledgerLimits.columns} 列（BL 列）；台账只需表头所列的列`;

/** A column's number from its letters: A → 1, Z → 26, XFD → 16384. */
const columnNumber = (letters: string) => [...letters].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0);

/**
 * Why an XLSX file must not be opened, or undefined: its zip read from the central directory
 * (each part's declared and actual uncompressed size — a part that inflates past the cap is
 * refused whatever it declares), then each sheet's rows, columns and cells counted in its XML.
 */
export function xlsxProblem(bytes: Buffer, name: string): string | undefined {
  const notZip = `${name}：不是有效的 XLSX 文件（zip 结构损坏）；请在 Excel 中另存为 XLSX 或 CSV UTF-8`;
  const big = (what: string, size: number | undefined, cap: number) =>
    `${name}：${what}解压后${size === undefined ? '' : ` ${mb(size)}，`}超过上限 ${mb(cap)}；台账工作簿至多 ${count(ledgerLimits.rows)} 行数据，请删去其他工作表、图片或分成几个文件`;
  // End of central directory: 22 bytes and a comment of at most 65,535.
  let end = -1;
  for (let k = bytes.length - 22; k >= Math.max(0, bytes.length - 22 - 65_535); k--)
    if (bytes.readUInt32LE(k) === 0x06054b50) {
      end = k;
      break;
    }
  if (end < 0) return notZip;
  const parts = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  if (parts === 0xffff || at === 0xffffffff)
    return `${name}：ZIP64 工作簿（超过 4 GB 或 65,535 个部件），不是台账；至多 ${mb(ledgerLimits.bookBytes)}`;
  let total = 0;
  let cells = 0;
  for (let p = 0; p < parts; p++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== 0x02014b50) return notZip;
    const method = bytes.readUInt16LE(at + 10);
    const packed = bytes.readUInt32LE(at + 20);
    const declared = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const local = bytes.readUInt32LE(at + 42);
    const part = bytes.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    if (declared > ledgerLimits.partBytes) return big(`其中的 ${part} `, declared, ledgerLimits.partBytes);
    if (total + declared > ledgerLimits.bookBytes)
      return big('全部内容', total + declared, ledgerLimits.bookBytes);
    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== 0x04034b50) return notZip;
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const data = bytes.subarray(start, start + packed);
    const cap = Math.min(ledgerLimits.partBytes, ledgerLimits.bookBytes - total);
    let content: Buffer;
    if (method === 0) content = data;
    else if (method === 8)
      try {
        // The size a part declares is not trusted: inflating stops one byte past what is left.
        content = inflateRawSync(data, { maxOutputLength: cap + 1 });
      } catch (err) {
        if ((err as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') return notZip;
        return cap < ledgerLimits.partBytes
          ? big('全部内容', undefined, ledgerLimits.bookBytes)
          : big(`其中的 ${part} `, undefined, cap);
      }
    else return `${name}：${part} 的压缩方式（${method}）不是 XLSX 所用的；请在 Excel 中另存为 XLSX`;
    if (content.length > cap) return big(`其中的 ${part} `, content.length, cap);
    total += content.length;
    if (!/^xl\/worksheets\/[^/]+\.xml$/i.test(part)) continue;
    const sheet = sheetShape(content.toString('utf8'));
    const where = `工作表 ${part.slice('xl/worksheets/'.length)} `;
    if (sheet.rows - 1 > ledgerLimits.rows) return tooManyRows(name, where, sheet.rows - 1);
    if (sheet.lastColumn > ledgerLimits.columns) return tooWide(name, where, sheet.lastColumn);
    cells += sheet.cells;
    if (cells > ledgerLimits.cells)
      return `${name}：工作簿至少有 ${count(cells)} 个单元格（含只有格式的空单元格），超过上限 ${count(ledgerLimits.cells)} 个（如 ${count(ledgerLimits.rows)} 行 × 20 列）；请删去其他工作表或多余的格式`;
  }
  return undefined;
}

/**
 * A sheet's XML counted: rows holding a value, the last column holding one, and all cells.
 * Prefixed elements (`<x:row>`, as some libraries write) count too.
 */
function sheetShape(xml: string): { rows: number; lastColumn: number; cells: number } {
  let rows = 0;
  let lastColumn = 0;
  let cells = 0;
  const rowRe = /<(?:[\w.-]+:)?row\b[^>]*?(?:\/>|>([\s\S]*?)<\/(?:[\w.-]+:)?row>)/g;
  const cellRe = /<(?:[\w.-]+:)?c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:[\w.-]+:)?c>)/g;
  const valueRe = /<(?:[\w.-]+:)?(?:v|is|f)\b/;
  for (const row of xml.matchAll(rowRe)) {
    let valued = false;
    for (const cell of (row[1] ?? '').matchAll(cellRe)) {
      cells++;
      if (!valueRe.test(cell[2] ?? '')) continue;
      valued = true;
      const letters = /\br="\$?([A-Z]{1,3})\$?\d+"/.exec(cell[1] ?? '')?.[1];
      if (letters) lastColumn = Math.max(lastColumn, columnNumber(letters));
    }
    if (valued) rows++;
  }
  return { rows, lastColumn, cells };
}

/** What reading one workbook may cost: the worker's heap, and time. */
export const xlsxWorkerLimits = { heapMb: 512, seconds: 20 };
let xlsxQueue: Promise<unknown> = Promise.resolve();

/**
 * An XLSX read in a worker thread with a heap limit and a deadline, one workbook at a time: a file
 * that passes every check of `xlsxProblem` can still make exceljs build millions of cells (a merged
 * range or a data validation over the whole sheet) or scan for minutes — it then costs that worker,
 * never the API, collector and control of the process (a 6 KB upload once killed them all).
 */
function readXlsx(kind: LedgerKind, file: string, name: string): Promise<RowSet> {
  const run = () =>
    new Promise<RowSet>((resolve) => {
      const worker = new Worker(new URL('./xlsxWorker.mjs', import.meta.url), {
        workerData: { file, name },
        resourceLimits: { maxOldGenerationSizeMb: xlsxWorkerLimits.heapMb, maxYoungGenerationSizeMb: 64 },
        stdout: true,
        stderr: true,
      });
      let done = false;
      const finish = (set: RowSet) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        void worker.terminate();
        resolve(set);
      };
      const tooComplex = (why: string) =>
        emptySet(
          name,
          `${name}：${why}（工作簿过于复杂，如整表范围的合并单元格、数据验证或条件格式）；请只保留台账所需的行与列，另存为新的 XLSX（或 CSV UTF-8）后重新导入`,
        );
      const timer = setTimeout(
        () => finish(tooComplex(`读取超过 ${xlsxWorkerLimits.seconds} 秒仍未完成`)),
        xlsxWorkerLimits.seconds * 1000,
      );
      worker.once('message', (t: XlsxTable) => {
        if ('problem' in t) return finish(emptySet(name, t.problem));
        const set = fromTable(kind, name, t.head, t.body);
        set.encoding = `XLSX，${t.where}`;
        finish(set);
      });
      worker.once('error', (err: Error & { code?: string }) =>
        finish(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? tooComplex(`读取所需内存超过 ${xlsxWorkerLimits.heapMb} MB`)
            : emptySet(name, `${name}：无法按 XLSX 读取：${err.message ?? String(err)}`),
        ),
      );
      worker.once('exit', (code) =>
        finish(emptySet(name, `${name}：无法按 XLSX 读取（读取进程退出，代码 ${code}）`)),
      );
    });
  const next = xlsxQueue.then(run, run);
  xlsxQueue = next.catch(() => undefined);
  return next;
}

/**
 * The first sheet as rows: only rows exceljs holds (a sheet whose one other cell is Z1048576 is two
 * rows, not a million), only the first `ledgerLimits.columns` columns of each (what lies past them
 * was refused by `xlsxProblem` before the file was opened).
 */
export async function xlsxTable(file: string, name: string): Promise<XlsxTable> {
  const bytes = readFileSync(file);
  const problem = xlsxProblem(bytes, name);
  if (problem) return { problem };
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    return { problem: `${name}：无法按 XLSX 读取：${(err as Error).message}` };
  }
  const sheet = wb.worksheets[0];
  if (!sheet) return { problem: `${name}：工作簿中没有工作表` };
  const where = `工作表"${sheet.name}"`;
  const cap = ledgerLimits.columns;
  const blank = (c: Cell) => c === undefined || c === null || String(c).trim() === '';
  // Cells 1..cap of a row, by index: never the row's whole cell array (up to 16,384 a row).
  const cellsOf = (r: ExcelJS.Row | undefined) =>
    Array.from({ length: Math.min(r?.cellCount ?? 0, cap) }, (_, k) => plainCell(r?.findCell(k + 1)?.value));
  const headCells = cellsOf(sheet.findRow(1));
  const width = headCells.findLastIndex((c) => !blank(c)) + 1;
  const body: { cells: Cell[]; row: number }[] = [];
  let rows = 0;
  // Row numbers up to the last row exceljs holds (at most 1,048,576 look-ups, most of them holes).
  for (let n = 2, last = sheet.rowCount; n <= last; n++) {
    const cells = cellsOf(sheet.findRow(n));
    const used = cells.findLastIndex((c) => !blank(c)) + 1;
    if (used === 0) continue;
    // Cut after the last value (an empty formatted cell is no column), padded to the header.
    if (++rows <= ledgerLimits.rows)
      body.push({ cells: [...cells.slice(0, used), ...Array(Math.max(0, width - used))], row: n });
  }
  if (rows > ledgerLimits.rows) return { problem: tooManyRows(name, where, rows) };
  return { head: headCells.slice(0, width), body, where };
}

/** The first sheet's header and rows, or why it cannot be read: plain data a worker can send back. */
export type XlsxTable =
  | { problem: string }
  | { head: Cell[]; body: { cells: Cell[]; row: number }[]; where: string };
