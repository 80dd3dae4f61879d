import type { z } from 'zod';
import type { LedgerKind } from '../../core/reports/port.ts';
import { type Cell, shown } from './cells.ts';
import { columnsOf, OPTIONAL_COLUMNS } from './schema.ts';

/**
 * Rows read from a file or a request, before they are checked: raw cells keyed by column, and
 * where each row came from in words ("bills.csv: row 3, column 数量 (quantity)", "entries[2].unit").
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
  /** e.g. "bills.csv: row 3", "entries[2]". */
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
  const notes = [...set.notes];
  const rows: Located<T>[] = [];
  set.rows.forEach((cells, i) => {
    const before = problems.length;
    for (const [col, v] of Object.entries(cells))
      if (typeof v === 'string' && v.includes(lostCharacter))
        problems.push(
          `${set.at(i, col)}: "${shown(v)}": holds U+FFFD (${lostCharacter}), a character lost when the file was decoded; save it as CSV UTF-8 in Excel (or XLSX) and import it again`,
        );
    const parsed = schema.safeParse(cells);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const col = issue.path[0];
        if (issue.code === 'unrecognized_keys')
          problems.push(
            `${set.at(i)}: unknown key(s) ${issue.keys.join(', ')}; allowed: ${columnsOf(kind).join(', ')}`,
          );
        else if (typeof col === 'string')
          problems.push(`${set.at(i, col)}: "${shown(cells[col])}": ${issue.message}`);
        else problems.push(`${set.at(i)}: ${issue.message}`);
      }
    } else if (problems.length === before) rows.push({ row: parsed.data, at: set.at(i) });
    for (const [col, v] of Object.entries(cells))
      if (
        numeric.includes(col) &&
        typeof v === 'string' &&
        /\d[,，]\d{3}/.test(v) &&
        problems.length === before
      )
        notes.push(`${set.at(i, col)}: "${v}" read as ${v.replace(/[,，]/g, '')} (thousands separators)`);
  });
  return { rows, problems, notes };
}

/** Objects of a JSON request as rows: a non-empty list of objects, or one problem that says so. */
export function objectRows(items: unknown, kind: LedgerKind): RowSet {
  const columns = columnsOf(kind);
  const required = columns.filter((c) => !OPTIONAL_COLUMNS.includes(c));
  const shape = `send a non-empty JSON list of objects with ${required.join(', ')} (optional: ${columns.filter((c) => OPTIONAL_COLUMNS.includes(c)).join(', ') || 'none'})`;
  const at = (i: number, col?: string) => `${kind}[${i}]${col ? `.${col}` : ''}`;
  if (!Array.isArray(items) || items.length === 0)
    return { rows: [], at, problems: [`${kind}: ${shape}`], notes: [] };
  const problems: string[] = [];
  const rows = items.map((item, i) => {
    if (typeof item === 'object' && item !== null && !Array.isArray(item))
      return item as Record<string, Cell>;
    problems.push(`${at(i)}: ${shape}`);
    return {};
  });
  return { rows, at, problems, notes: [] };
}
