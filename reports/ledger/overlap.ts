import { figure } from './cells.ts';
import { localMinute } from './localTime.ts';
import type { EntryRow, FactRow } from './schema.ts';
import type { Located } from './validate.ts';

/**
 * Entries of one building and energy type may not overlap: an annual bill beside the twelve
 * monthly ones counts the year twice (2,400,000 kWh for 1,200,000 — issue 14 §3). Periods are
 * inclusive local days, so [a, b] and [c, d] overlap when a ≤ d and c ≤ b.
 */

/** How a refusal says what to do, and the site's time zone its import times are shown in. */
export interface Refusal {
  hint: string;
  timeZone: string;
}

/** An entry as the ledger stores it: the row and where and when it was imported (ISO instant). */
export interface StoredEntry extends EntryRow {
  source_file: string;
  imported_at: string;
}

/** A fact as the ledger stores it. */
export interface StoredFact extends FactRow {
  source_file: string;
  imported_at: string;
}

const period = (e: { period_start: string; period_end: string }) => `${e.period_start} 至 ${e.period_end}`;
const whatOf = (e: EntryRow) => `${e.building} ${e.energy_type} ${period(e)}`;

/** Rows of one file or request that repeat or overlap another of the same file, both named. */
export function overlapsWithin(rows: Located<EntryRow>[]): string[] {
  const problems: string[] = [];
  const sorted = [...rows].sort((a, b) =>
    `${a.row.building}\u0000${a.row.energy_type}\u0000${a.row.period_start}`.localeCompare(
      `${b.row.building}\u0000${b.row.energy_type}\u0000${b.row.period_start}`,
    ),
  );
  let reach: Located<EntryRow> | undefined; // the row of the group reaching furthest so far
  for (const cur of sorted) {
    const same =
      reach && reach.row.building === cur.row.building && reach.row.energy_type === cur.row.energy_type;
    if (reach && same && cur.row.period_start <= reach.row.period_end) {
      const dup =
        cur.row.period_start === reach.row.period_start && cur.row.period_end === reach.row.period_end;
      problems.push(
        dup
          ? `${cur.at}: ${whatOf(cur.row)} is a duplicate of ${reach.at} (the same building, energy type and period); keep one`
          : `${cur.at}: ${whatOf(cur.row)} overlaps ${reach.at} (${period(reach.row)}); periods of one building and energy type may not overlap — keep the annual bill or the monthly ones, not both`,
      );
    }
    if (!reach || !same || cur.row.period_end > reach.row.period_end) reach = cur;
  }
  return problems;
}

/** Fact rows that give the same building and date twice. */
export function repeatsWithin(rows: Located<FactRow>[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const { row, at } of rows) {
    const key = `${row.building} ${row.effective_from}`;
    const first = seen.get(key);
    if (first)
      problems.push(
        `${at}: ${row.building} from ${row.effective_from} is given twice (also ${first}); keep one`,
      );
    else seen.set(key, at);
  }
  return problems;
}

/** True when a stored entry holds exactly what the row would store again (a re-import of the same bill). */
export const sameEntry = (s: StoredEntry, r: EntryRow): boolean =>
  s.period_start === r.period_start &&
  s.period_end === r.period_end &&
  s.quantity_given === r.quantity_given &&
  s.unit_given === r.unit_given &&
  s.source === r.source &&
  (s.cost_yuan ?? null) === r.cost_yuan;

export const sameFact = (s: StoredFact, r: FactRow): boolean =>
  s.floor_area_m2 === r.floor_area_m2 && s.headcount === r.headcount;

/**
 * The problem for a row that overlaps stored entries, naming each (the first three with quantity,
 * source, file and local import time; the rest by period) and how to replace them.
 */
export function storedOverlap(at: string, r: EntryRow, stored: StoredEntry[], how: Refusal): string {
  const detail = (s: StoredEntry) =>
    `${period(s)} (${figure(s.quantity_given)} ${s.unit_given}, source "${s.source}", imported from ${s.source_file} at ${localMinute(s.imported_at, how.timeZone)})`;
  const named = stored.slice(0, 3).map(detail);
  const rest = stored.slice(3).map(period);
  const list = [...named, ...(rest.length > 0 ? [`and ${rest.length} more: ${rest.join(', ')}`] : [])].join(
    '; ',
  );
  const what = stored.length === 1 ? 'the stored entry' : `${stored.length} stored entries`;
  return `${at}: ${whatOf(r)} overlaps ${what} ${list}; periods of one building and energy type may not overlap — ${how.hint}`;
}

/** The problem for a fact row whose building and date are stored with other figures. */
export function storedFact(at: string, r: FactRow, s: StoredFact, how: Refusal): string {
  return `${at}: ${r.building} from ${r.effective_from} is stored as ${figure(s.floor_area_m2)} m², ${figure(s.headcount)} people (imported from ${s.source_file} at ${localMinute(s.imported_at, how.timeZone)}) — ${how.hint}`;
}
