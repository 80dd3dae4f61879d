import type { SiteConfig } from '../../core/config/siteSchema.ts';
import type { Coverage, EnergyEntry, EnergyType } from '../../core/reports/report.ts';
import { dateOf, dayNumber, type Period } from './dates.ts';
import { type EntryConflict, type EntryUsed, enteredPart, type Superseded } from './entries.ts';

export type { EntryUsed, Superseded } from './entries.ts';

/** Metered consumption of one building, category and local day (from the daily rollups). */
export interface MeteredDay {
  building: string;
  /** Set for an area's own (sub-)meters; such rows are not part of the building's totals. */
  area?: string;
  category: string;
  /** YYYY-MM-DD, local. */
  date: string;
  value: number;
  estimated: number;
}

/** The energy type a meter category is counted as (categories without one are not in the report). */
export const meteredType: Partial<Record<string, EnergyType>> = {
  electricity: 'electricity',
  water: 'water',
  gas: 'natural_gas',
};

/** The input indexed by building × energy type, metered days sorted by day. */
type MeteredList = { day: number; value: number; estimated: number }[];

export interface DataIndex {
  metered: Map<string, MeteredList>;
  entries: Map<string, EnergyEntry[]>;
  /** Today's day number (+∞ when not given): today and later days have not ended and are not covered. */
  today: number;
}

const key = (building: string, type: EnergyType) => `${building}\u0000${type}`;

export function indexData(metered: MeteredDay[], entries: EnergyEntry[], today?: string): DataIndex {
  const index: DataIndex = {
    metered: new Map(),
    entries: new Map(),
    today: today === undefined ? Number.POSITIVE_INFINITY : dayNumber(today),
  };
  for (const m of metered) {
    const type = meteredType[m.category];
    if (m.area !== undefined || !type) continue;
    const k = key(m.building, type);
    const list = index.metered.get(k) ?? [];
    list.push({ day: dayNumber(m.date), value: m.value, estimated: m.estimated });
    index.metered.set(k, list);
  }
  for (const list of index.metered.values()) list.sort((a, b) => a.day - b.day);
  for (const e of entries) {
    const k = key(e.building, e.energy_type);
    index.entries.set(k, [...(index.entries.get(k) ?? []), e]);
  }
  return index;
}

const overlaps = (from: number, to: number, p: Period) => from < p.to && to > p.from;

/**
 * The energy types a building is expected to have: those its meters measure, plus those with
 * metered days or entries in any of `periods` (the report period, the baseline period, the
 * previous year); and electricity always — every building uses it, so a building without any
 * data reads as missing rather than as an energy total of 0.
 */
export function expectedTypes(
  site: SiteConfig,
  index: DataIndex,
  building: string,
  periods: Period[],
): EnergyType[] {
  const types = new Set<EnergyType>(['electricity']);
  for (const m of site.meters) {
    const t = meteredType[m.category];
    if (m.building === building && t) types.add(t);
  }
  for (const [k, list] of index.metered) {
    const [b, t] = k.split('\u0000') as [string, EnergyType];
    if (b === building && list.some((d) => periods.some((p) => overlaps(d.day, d.day + 1, p)))) types.add(t);
  }
  for (const [k, list] of index.entries) {
    const [b, t] = k.split('\u0000') as [string, EnergyType];
    const inAny = list.some((e) =>
      periods.some((p) => overlaps(dayNumber(e.period_start), dayNumber(e.period_end) + 1, p)),
    );
    if (b === building && inAny) types.add(t);
  }
  return [...types].sort();
}

/** One building × energy type over one period: what was metered and entered, and how much of it is covered. */
export interface PairFigures {
  building: string;
  energy_type: EnergyType;
  metered: number;
  entered: number;
  estimated: number;
  coverage: Coverage;
  /** The first and last day without data (inclusive), null when every day is covered. */
  gap: { from: string; to: string } | null;
  /** Set when the period reaches today or later: those days have not ended and are not covered. */
  not_ended_from: string | null;
  /**
   * Set when the building had no day in the period (its first fact is after it): no data can
   * cover it, so it is missing (no baseline), never complete.
   */
  absent_until: string | null;
  /** Energy metered or entered before the building's first fact (not counted: probably a wrong fact date). */
  before_opened: { quantity: number; from: string; to: string } | null;
  /** Stored entries that overlap (their shared days are counted for neither). */
  conflicts: EntryConflict[];
  used: EntryUsed[];
  superseded: Superseded[];
}

/**
 * Coverage of a period from its day counts. A period of no days (a building not yet open) is
 * missing, never complete (second review, defect 3): nothing was measured, so there is no figure.
 */
export function coverageOf(days: number, meteredDays: number, enteredDays: number, estimatedShare: number) {
  const share = days > 0 ? Math.min(1, (meteredDays + enteredDays) / days) : 0;
  const state: Coverage['state'] = share >= 1 ? 'complete' : share > 0 ? 'partial' : 'missing';
  return {
    days,
    metered_days: meteredDays,
    entered_days: enteredDays,
    share,
    estimated_share: estimatedShare,
    state,
  };
}

/** The metered days of a pair in [from, limit), marking them in `covered` (1). */
function meteredPart(list: MeteredList, at: { from: number; limit: number }, covered: Uint8Array) {
  let metered = 0;
  let estimated = 0;
  for (const d of list) {
    if (d.day < at.from || d.day >= at.limit) continue;
    metered += d.value;
    estimated += d.estimated;
    covered[d.day - at.from] = 1;
  }
  return { metered, estimated };
}

/** The first and last uncovered day of the period, and the counts of metered and entered days. */
function tally(covered: Uint8Array, q: Period) {
  let meteredDays = 0;
  let enteredDays = 0;
  let gapFrom = -1;
  let gapTo = -1;
  covered.forEach((c, i) => {
    if (c === 1) meteredDays++;
    else if (c === 2) enteredDays++;
    else {
      if (gapFrom < 0) gapFrom = i;
      gapTo = i;
    }
  });
  const gap = gapFrom < 0 ? null : { from: dateOf(q.from + gapFrom), to: dateOf(q.from + gapTo) };
  return { meteredDays, enteredDays, gap };
}

/** What was metered or entered in [from, to) — the days before a building's first fact. */
function beforeOpened(list: MeteredList, entries: EnergyEntry[], b: Period): PairFigures['before_opened'] {
  if (b.to <= b.from) return null;
  let quantity = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const mark = (from: number, to: number, q: number) => {
    if (q === 0) return;
    quantity += q;
    first = Math.min(first, from);
    last = Math.max(last, to);
  };
  for (const d of list) if (d.day >= b.from && d.day < b.to) mark(d.day, d.day + 1, d.value);
  for (const e of entries) {
    const from = Math.max(b.from, dayNumber(e.period_start));
    const to = Math.min(b.to, dayNumber(e.period_end) + 1);
    const all = dayNumber(e.period_end) + 1 - dayNumber(e.period_start);
    if (to > from && all > 0) mark(from, to, (e.quantity * (to - from)) / all);
  }
  return quantity === 0 ? null : { quantity, from: dateOf(first), to: dateOf(last - 1) };
}

/**
 * What one building used of one energy type in a period. Metered wins day by day: an entry counts
 * (prorated by day) on each of its days without a metered value. Only days that have ended count
 * (`index.today`: today's rollup is still filling), and only from `opened` (the building's first
 * fact: no energy is expected before a building exists).
 */
export function pairOver(
  index: DataIndex,
  building: string,
  type: EnergyType,
  p: Period,
  opened = Number.NEGATIVE_INFINITY,
): PairFigures {
  const q: Period = { from: Math.min(p.to, Math.max(p.from, opened)), to: p.to };
  const limit = Math.min(q.to, index.today);
  const covered = new Uint8Array(q.to - q.from); // 0 nothing, 1 metered, 2 entered
  const k = key(building, type);
  const { metered, estimated } = meteredPart(index.metered.get(k) ?? [], { from: q.from, limit }, covered);
  const span = { building, type, from: q.from, to: q.to, limit };
  const { entered, used, superseded, conflicts } = enteredPart(index.entries.get(k) ?? [], span, covered);
  const { meteredDays, enteredDays, gap } = tally(covered, q);
  const total = metered + entered;
  return {
    building,
    energy_type: type,
    metered,
    entered,
    estimated,
    coverage: coverageOf(
      covered.length,
      meteredDays,
      enteredDays,
      total > 0 ? Math.max(0, Math.min(1, estimated / total)) : 0,
    ),
    gap: q.to === q.from ? { from: dateOf(p.from), to: dateOf(p.to - 1) } : gap,
    not_ended_from: limit < q.to ? dateOf(Math.max(limit, q.from)) : null,
    absent_until: q.to === q.from ? dateOf(opened) : null,
    before_opened: beforeOpened(index.metered.get(k) ?? [], index.entries.get(k) ?? [], {
      from: p.from,
      to: Math.min(q.from, index.today),
    }),
    conflicts,
    used,
    superseded,
  };
}
