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
          ? `${cur.at}：${whatOf(cur.row)} 与 ${reach.at} 重复（建筑、能源类型和期间相同）；请只保留一条`
          : `${cur.at}：${whatOf(cur.row)} 与 ${reach.at}（${period(reach.row)}）重叠；同一建筑同一能源的期间不得重叠——年度账单与月度账单只保留一种`,
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
        `${at}：${row.building} 自 ${row.effective_from} 起的数据重复（另见 ${first}）；请只保留一条`,
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
    `${period(s)}（${figure(s.quantity_given)} ${s.unit_given}，来源"${s.source}"，${localMinute(s.imported_at, how.timeZone)} 自 ${s.source_file} 导入）`;
  const named = stored.slice(0, 3).map(detail);
  const rest = stored.slice(3).map(period);
  const list = [...named, ...(rest.length > 0 ? [`另有 ${rest.length} 条：${rest.join('、')}`] : [])].join(
    '；',
  );
  const what = stored.length === 1 ? '已存的记录' : `已存的 ${stored.length} 条记录`;
  return `${at}：${whatOf(r)} 与${what} ${list} 重叠；同一建筑同一能源的期间不得重叠——${how.hint}`;
}

/** The problem for a fact row whose building and date are stored with other figures. */
export function storedFact(at: string, r: FactRow, s: StoredFact, how: Refusal): string {
  return `${at}：${r.building} 自 ${r.effective_from} 起已存为 ${figure(s.floor_area_m2)} m²、${figure(s.headcount)} 人（${localMinute(s.imported_at, how.timeZone)} 自 ${s.source_file} 导入）——${how.hint}`;
}
