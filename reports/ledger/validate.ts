import type { z } from 'zod';
import type { LedgerKind } from '../../core/reports/port.ts';
import { type Cell, shown } from './cells.ts';
import { columnsOf, OPTIONAL_COLUMNS } from './schema.ts';

/**
 * Rows read from a file or a request, before they are checked: raw cells keyed by column, and
 * where each row came from in words ("bills.csv 第 3 行，数量（quantity） 列", "entries[2].unit").
 */
export interface RowSet {
  rows: Record<string, Cell>[];
  /** Where row `i` (and its column `col`) is, as a problem names it. */
  at(i: number, col?: string): string;
  /** Problems found while reading (header, encoding, column count). */
  problems: string[];
  /** What an officer should know about how the rows were read (encoding, separators). */
  notes: string[];
  /** "UTF-8", "GB18030 (GBK)", "XLSX": for files. */
  encoding?: string;
}

/** A checked row and where it came from (for naming it beside an overlapping one). */
export interface Located<T> {
  row: T;
  /** e.g. "bills.csv 第 3 行", "entries[2]". */
  at: string;
}

const lostCharacter = '\uFFFD';
const numeric = ['quantity', 'cost_yuan', 'floor_area_m2', 'headcount'];

/**
 * Checks every row with `schema`: problems name the place, quote the value and say what is
 * allowed; a cell holding U+FFFD (a character lost in decoding) is refused, so it is never stored.
 */
export function checkRows<T>(
  kind: LedgerKind,
  schema: z.ZodType<T, unknown>,
  set: RowSet,
): { rows: Located<T>[]; problems: string[]; notes: string[] } {
  const problems = [...set.problems];
  const rows: Located<T>[] = [];
  const grouped = new Map<string, { first: string; count: number }>();
  set.rows.forEach((cells, i) => {
    const before = problems.length;
    problems.push(...lostCharacters(cells, (col) => set.at(i, col)));
    const parsed = schema.safeParse(cells);
    if (!parsed.success)
      problems.push(...parsed.error.issues.map((issue) => problemOf(kind, issue, cells, set, i)));
    if (!parsed.success || problems.length > before) return;
    rows.push({ row: parsed.data, at: set.at(i) });
    for (const [col, v] of Object.entries(cells))
      if (numeric.includes(col) && typeof v === 'string' && /\d[,，]\d{3}/.test(v)) {
        const g = grouped.get(col);
        if (g) g.count++;
        else
          grouped.set(col, {
            first: `${set.at(i, col)}："${v}" 读作 ${v.replace(/[,，]/g, '')}`,
            count: 1,
          });
      }
  });
  const notes = [...set.notes];
  for (const g of grouped.values())
    notes.push(`${g.first}（千位分隔符${g.count > 1 ? `；该列另有 ${g.count - 1} 行同样处理` : ''}）`);
  return { rows, problems, notes };
}

/** Cells holding U+FFFD, as problems. */
function lostCharacters(cells: Record<string, Cell>, at: (col: string) => string): string[] {
  return Object.entries(cells)
    .filter(([, v]) => typeof v === 'string' && v.includes(lostCharacter))
    .map(
      ([col, v]) =>
        `${at(col)}："${shown(v)}"：含 U+FFFD（${lostCharacter}），即文件解码时丢失的字符；请在 Excel 中另存为 CSV UTF-8（或 XLSX）后重新导入`,
    );
}

/** One zod issue as the problem an officer reads: where, the value as written, what is allowed. */
function problemOf(
  kind: LedgerKind,
  issue: z.core.$ZodIssue,
  cells: Record<string, Cell>,
  set: RowSet,
  i: number,
) {
  const col = issue.path[0];
  if (issue.code === 'unrecognized_keys')
    return `${set.at(i)}：未知的键 ${issue.keys.join('、')}；可用的键：${columnsOf(kind).join('、')}`;
  if (typeof col === 'string') return `${set.at(i, col)}："${shown(cells[col])}"：${issue.message}`;
  return `${set.at(i)}：${issue.message}`;
}

/** Objects of a JSON request as rows: a non-empty list of objects, or one problem that says so. */
export function objectRows(items: unknown, kind: LedgerKind): RowSet {
  const columns = columnsOf(kind);
  const required = columns.filter((c) => !OPTIONAL_COLUMNS.includes(c));
  const shape = `应为非空的 JSON 对象列表，每个对象含 ${required.join('、')}（可选：${columns.filter((c) => OPTIONAL_COLUMNS.includes(c)).join('、') || '无'}）`;
  const at = (i: number, col?: string) => `${kind}[${i}]${col ? `.${col}` : ''}`;
  if (!Array.isArray(items) || items.length === 0)
    return { rows: [], at, problems: [`${kind}：${shape}`], notes: [] };
  const problems: string[] = [];
  const rows = items.map((item, i) => {
    if (typeof item === 'object' && item !== null && !Array.isArray(item))
      return item as Record<string, Cell>;
    problems.push(`${at(i)}：${shape}`);
    return {};
  });
  return { rows, at, problems, notes: [] };
}
