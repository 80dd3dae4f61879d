import type { EnergyEntry, EnergyType, IntensityReport } from '../../core/reports/report.ts';
import { dateOf, dayNumber } from './dates.ts';

export type EntryUsed = IntensityReport['entries_used'][number];
export type Superseded = IntensityReport['entries_superseded'][number];

/** Two stored entries of one building × type whose periods share days (stored before the ledger refused overlaps). */
export interface EntryConflict {
  a: EnergyEntry;
  b: EnergyEntry;
  /** The shared days inside the counted period, inclusive. */
  from: string;
  to: string;
}

/** Where the entries of one pair count: [from, to) of the period and `limit` (the first day not over). */
export interface EntrySpan {
  building: string;
  type: EnergyType;
  from: number;
  to: number;
  /** Days from here on have not ended (today): no entry counts for them. */
  limit: number;
}

const rangeOf = (e: EnergyEntry) => ({ start: dayNumber(e.period_start), end: dayNumber(e.period_end) + 1 });
const entryText = (e: EnergyEntry) => `${e.period_start} 至 ${e.period_end} ${e.quantity}（${e.source}）`;

/** Contiguous runs of sorted day numbers, as [first, last] inclusive. */
function runs(days: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const d of days) {
    const last = out.at(-1);
    if (last && last[1] === d - 1) last[1] = d;
    else out.push([d, d]);
  }
  return out;
}

/** The pairs of entries that share days inside the span. */
function conflictsOf(list: EnergyEntry[], s: EntrySpan): EntryConflict[] {
  const out: EntryConflict[] = [];
  list.forEach((a, i) => {
    for (const b of list.slice(i + 1)) {
      const ra = rangeOf(a);
      const rb = rangeOf(b);
      const from = Math.max(ra.start, rb.start, s.from);
      const to = Math.min(ra.end, rb.end, s.limit);
      if (to > from) out.push({ a, b, from: dateOf(from), to: dateOf(to - 1) });
    }
  });
  return out;
}

/** An overlap in words, with what to do: an officer reads it among the missing data. */
export const conflictText = (c: EntryConflict) =>
  `录入重叠：${entryText(c.a)} 与 ${entryText(c.b)} 在 ${c.from} 至 ${c.to} 重叠，重叠的天两条均未计入（不重复计算），请改正后用 jieneng import entries FILE --replace 重新导入`;

/**
 * The entries of a pair in the period, prorated by day and decided per day (defect 1): an entry
 * counts on each of its days that has no metered value; a metered day supersedes it for that day
 * only. Days two entries share are counted for neither (defect 2: an annual bill and the monthly
 * bills of the same year would otherwise count twice) and the overlap is named. `covered` marks the
 * days entries count for (2) where not metered (1).
 */
export function enteredPart(entries: EnergyEntry[], s: EntrySpan, covered: Uint8Array) {
  const claims = new Uint8Array(covered.length);
  const valid = entries.filter((e) => rangeOf(e).end > rangeOf(e).start);
  for (const e of valid) {
    const { start, end } = rangeOf(e);
    for (let d = Math.max(start, s.from); d < Math.min(end, s.limit); d++)
      claims[d - s.from] = (claims[d - s.from] ?? 0) + 1;
  }
  let entered = 0;
  const used: EntryUsed[] = [];
  const superseded: Superseded[] = [];
  for (const e of valid) {
    const { start, end } = rangeOf(e);
    const perDay = e.quantity / (end - start);
    const counted: number[] = [];
    const metered: number[] = [];
    for (let d = Math.max(start, s.from); d < Math.min(end, s.limit); d++) {
      const i = d - s.from;
      if (covered[i] === 1) metered.push(d);
      else if (claims[i] === 1) counted.push(d);
    }
    if (counted.length > 0) {
      entered += perDay * counted.length;
      for (const d of counted) covered[d - s.from] = 2;
      used.push({
        ...e,
        counted_quantity: perDay * counted.length,
        counted_from: dateOf(counted[0] as number),
        counted_to: dateOf(counted.at(-1) as number),
      });
    }
    for (const [a, b] of runs(metered))
      superseded.push({
        building: s.building,
        energy_type: s.type,
        period: `${dateOf(a)} 至 ${dateOf(b)}`,
        quantity: perDay * (b - a + 1),
        reason: `这些天有计量数据，以计量为准（${e.source}）`,
      });
  }
  return { entered, used, superseded, conflicts: conflictsOf(valid, s) };
}
