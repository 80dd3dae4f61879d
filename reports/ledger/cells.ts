import { dateProblem, FIRST_DATE, LAST_DATE } from '../../core/dates.ts';

/**
 * Reading one cell of a ledger row, whatever it came from: CSV text, an XLSX number or date, or a
 * JSON value. Each reader returns the value or what is allowed, in words; the row schemas
 * (schema.ts) turn those into the problems an officer reads.
 */

/** What a cell may hold before it is read: CSV gives text, XLSX numbers and dates, JSON anything. */
export type Cell = unknown;

export type Read<T> = { ok: true; value: T } | { ok: false; message: string };

const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });

/** A cell with nothing in it (absent, null, or only spaces). */
export const isBlank = (v: Cell): boolean =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** The cell as the officer wrote it, for quoting in a problem (dates as YYYY-MM-DD, long text cut). */
export function shown(v: Cell): string {
  if (v === undefined || v === null) return '';
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return '无效日期';
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  }
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** What a date cell may hold, for a cell that is no date at all (a number, a timestamp, words). */
export const dateHint = '日期应写作 YYYY-MM-DD（或 YYYY/M/D，或 Excel 日期）';

/**
 * A day as YYYY-MM-DD, or why it is none, in Chinese: core/dates.ts judges (the month's days in
 * the year written, the 2000–2100 range) and its English reason is said again for the officer;
 * the problem quotes the cell as the officer wrote it ("2020/2/30").
 */
function day(iso: string): Read<string> {
  const problem = dateProblem(iso);
  if (problem === undefined) return { ok: true, value: iso };
  const [y = 0, m = 0] = iso.split('-').map(Number);
  if (problem.includes('no month')) return fail(`不是有效日期（没有 ${m} 月）`);
  if (problem.includes('calendar date'))
    return fail(`不是有效日期（${y} 年 ${m} 月只有 ${new Date(Date.UTC(y, m, 0)).getUTCDate()} 天）`);
  if (problem.includes('outside')) return fail(`超出 ${FIRST_DATE} 至 ${LAST_DATE} 的范围`);
  return fail(dateHint);
}

/**
 * A local calendar day, YYYY-MM-DD. Text as YYYY-MM-DD or YYYY/M/D (what Excel in Chinese writes
 * to CSV); an XLSX date cell (exceljs gives it as midnight UTC of the day shown) without a time.
 * A number (45000) or a timestamp (2024-03-01T00:00:00Z) is no day: the hint says what is.
 */
export function readDate(v: Cell): Read<string> {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime()) || v.getTime() % 86_400_000 !== 0)
      return fail('应为不带时刻的日期（将单元格格式设为日期 yyyy-mm-dd）');
    return day(v.toISOString().slice(0, 10));
  }
  if (typeof v !== 'string') return fail(dateHint);
  const m = /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$/.exec(v.trim());
  if (!m) return fail(dateHint);
  return day(`${m[1]}-${m[3]?.padStart(2, '0')}-${m[4]?.padStart(2, '0')}`);
}

const decimal = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const grouped = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;

/**
 * A decimal number. Text may group thousands with "," or the full-width "，" in groups of three
 * ("1,500,000", "1，500，000": accepted, and `grouped` says so); any other comma is refused — a
 * decimal comma ("1,5") would be read 1000 times too large.
 */
export function readNumber(v: Cell, what: string): Read<{ n: number; grouped: boolean }> {
  if (typeof v === 'number')
    return Number.isFinite(v) ? { ok: true, value: { n: v, grouped: false } } : fail(what);
  if (typeof v !== 'string') return fail(what);
  const s = v.trim().replaceAll('，', ',');
  if (grouped.test(s)) return { ok: true, value: { n: Number(s.replaceAll(',', '')), grouped: true } };
  if (s.includes(','))
    return fail(`${what}；不写分隔符，或每三位一个千位分隔符（1500000 或 1,500,000），小数用小数点而非逗号`);
  return decimal.test(s) && Number.isFinite(Number(s))
    ? { ok: true, value: { n: Number(s), grouped: false } }
    : fail(what);
}

/** Text, trimmed; numbers are taken as their digits (an XLSX cell of a code like 2020). */
export function readText(v: Cell): string | undefined {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A name as it is compared: no spaces, full-width brackets as ASCII, Latin letters lower case. */
export const normalName = (s: string): string =>
  s.replace(/\s+/g, '').replaceAll('（', '(').replaceAll('）', ')').toLowerCase();

/** A figure in the shortest form that is exact to 12 significant digits (0.1 × 3 prints 0.3). */
export const figure = (n: number): string => String(Number(n.toPrecision(12)));
