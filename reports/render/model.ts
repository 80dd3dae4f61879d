/**
 * One format-neutral table model that every renderer (CSV, XLSX, PDF) draws from, so the same
 * figures appear in each: a figure is a number, and a figure that is not there is an `Absent` with
 * the words a reader sees in its place (缺数据, 无基期数据, 无目标) — empty in CSV and XLSX (with the
 * words in a comment), printed in the PDF, never 0.
 */

/** A cell with no figure, and why: printed in the PDF, a comment in XLSX, empty in CSV. */
export interface Absent {
  absent: string;
}

/** A number formatted unlike its column (e.g. a coverage share in a table of quantities). */
export interface Num {
  n: number;
  kind: 'number' | 'percent';
  /** Decimal places shown (the stored value keeps up to 6). */
  digits: number;
}

/** A cell: text, a number in its column's format, a number in its own format, a figure that is absent, or empty. */
export type Cell = string | number | Absent | Num | null;

/** A column: its header, its unit (kept apart so it never breaks from a number), how its numbers read. */
export interface Column {
  header: string;
  /** Printed under (PDF) or after (CSV, XLSX) the header, never inside a cell: "kgce/m²". */
  unit?: string;
  /** percent: a share or change as a fraction (−0.0604), shown as −6.04 %. */
  kind: 'text' | 'number' | 'percent';
  /** Decimal places shown; default 2. */
  digits?: number;
  /**
   * The header as the PDF draws it in a narrow column, with line breaks between its words
   * ("单位建筑面积\n碳排放", not "单位建筑 / 面积碳排 / 放"); CSV and XLSX use `header`.
   */
  pdfHeader?: string;
  /** false: left out of the PDF, whose table notes say the same in sentences (e.g. facts_text). */
  pdf?: boolean;
}

/** One table of the report: one CSV file, one XLSX sheet, one section of the PDF. */
export interface Table {
  /** File and sheet name (Chinese), e.g. "指标". */
  name: string;
  /** Heading in the PDF. */
  title: string;
  columns: Column[];
  rows: Cell[][];
  /** Printed under the table in the PDF; in CSV and XLSX they are rows of the 说明 table. */
  notes: string[];
}

/** The reason printed for a figure the period has no data for. */
export const MISSING = '缺数据';

/** An absent figure with the words printed in its place. */
export const absent = (why: string): Absent => ({ absent: why });
/** Whether a cell is an absent figure. */
export const isAbsent = (c: Cell): c is Absent => typeof c === 'object' && c !== null && 'absent' in c;
/** Whether a cell is a number in its own format. */
export const isNum = (c: Cell): c is Num => typeof c === 'object' && c !== null && 'n' in c;

/** A figure, or `why` in its place when it is null (default 缺数据). */
export const fig = (v: number | null | undefined, why = MISSING): number | Absent =>
  v === null || v === undefined || !Number.isFinite(v) ? absent(why) : v;

/** A share shown as a percentage in any column; `why` when null. */
export const share = (v: number | null | undefined, why = MISSING): Num | Absent =>
  v === null || v === undefined || !Number.isFinite(v) ? absent(why) : { n: v, kind: 'percent', digits: 2 };

/** The header as one line, with its unit in brackets: "综合能耗 (kgce)". */
export const headerText = (c: Column): string => (c.unit ? `${c.header} (${c.unit})` : c.header);

/** The number a cell holds, stored to 6 decimals (what CSV writes and XLSX keeps), or null. */
export function cellNumber(c: Cell): number | null {
  const v = typeof c === 'number' ? c : isNum(c) ? c.n : null;
  return v === null ? null : Math.round(v * 1e6) / 1e6;
}

/**
 * A number for a reader: thousands separators, fixed decimals, ASCII minus; a percent as
 * "-6.04%". The format is the same in every PDF regardless of the machine's locale.
 */
export function formatNumber(v: number, kind: 'number' | 'percent', digits: number): string {
  const x = kind === 'percent' ? v * 100 : v;
  const s = Math.abs(x).toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  const negative = x < 0 && Number(s.replace(/,/g, '')) !== 0;
  return `${negative ? '-' : ''}${s}${kind === 'percent' ? '%' : ''}`;
}

/** What a reader sees in a cell of column `col` (PDF text; also what tests read back). */
export function cellText(c: Cell, col: Column): string {
  if (c === null) return '';
  if (typeof c === 'string') return c;
  if (isAbsent(c)) return c.absent;
  if (isNum(c)) return formatNumber(c.n, c.kind, c.digits);
  return formatNumber(c, col.kind === 'percent' ? 'percent' : 'number', col.digits ?? 2);
}
