import type { SiteConfig } from '../../core/config/siteSchema.ts';
import type { Coverage, EnergyEntry, EnergyType, IntensityReport } from '../../core/reports/report.ts';
import { dateOf, dayNumber, type Period } from './dates.ts';

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
export interface DataIndex {
  metered: Map<string, { day: number; value: number; estimated: number }[]>;
  entries: Map<string, EnergyEntry[]>;
}

const key = (building: string, type: EnergyType) => `${building}\u0000${type}`;

export function indexData(metered: MeteredDay[], entries: EnergyEntry[]): DataIndex {
  const index: DataIndex = { metered: new Map(), entries: new Map() };
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

export type EntryUsed = IntensityReport['entries_used'][number];
export type Superseded = IntensityReport['entries_superseded'][number];

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
  used: EntryUsed[];
  superseded: Superseded[];
}

/** Coverage of a period from its day counts. */
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

/** The metered days of a pair in the period, marking them in `covered` (1). */
function meteredPart(index: DataIndex, building: string, type: EnergyType, p: Period, covered: Uint8Array) {
  let metered = 0;
  let estimated = 0;
  let firstMetered = Number.POSITIVE_INFINITY;
  for (const d of index.metered.get(key(building, type)) ?? []) {
    if (d.day < p.from || d.day >= p.to) continue;
    metered += d.value;
    estimated += d.estimated;
    covered[d.day - p.from] = 1;
    firstMetered = Math.min(firstMetered, d.day);
  }
  return { metered, estimated, firstMetered };
}

/**
 * The entries of a pair in the period, prorated by day, counting only before the first metered
 * day; the days they count for are marked in `covered` (2) where not metered.
 */
function enteredPart(
  index: DataIndex,
  at: { building: string; type: EnergyType; p: Period; firstMetered: number },
  covered: Uint8Array,
) {
  const { building, type, p, firstMetered } = at;
  let entered = 0;
  const used: EntryUsed[] = [];
  const superseded: Superseded[] = [];
  for (const e of index.entries.get(key(building, type)) ?? []) {
    const start = dayNumber(e.period_start);
    const end = dayNumber(e.period_end) + 1;
    const from = Math.max(start, p.from);
    const to = Math.min(end, p.to);
    if (to <= from || end <= start) continue;
    const countedEnd = Math.min(to, Math.max(from, firstMetered));
    const counted = (e.quantity * (countedEnd - from)) / (end - start);
    if (countedEnd > from) {
      entered += counted;
      for (let d = from; d < countedEnd; d++) if (covered[d - p.from] === 0) covered[d - p.from] = 2;
      used.push({
        ...e,
        counted_quantity: counted,
        counted_from: dateOf(from),
        counted_to: dateOf(countedEnd - 1),
      });
    }
    if (to > countedEnd)
      superseded.push({
        building,
        energy_type: type,
        period: `${dateOf(countedEnd)}..${dateOf(to - 1)}`,
        quantity: (e.quantity * (to - countedEnd)) / (end - start),
        reason: `metered data from ${dateOf(firstMetered)} wins over the entry (${e.source})`,
      });
  }
  return { entered, used, superseded };
}

/**
 * What one building used of one energy type in a period. Metered wins: an entry counts only for
 * its days before the type's first metered day in the period (prorated by day); the rest is
 * superseded and said so.
 */
export function pairOver(index: DataIndex, building: string, type: EnergyType, p: Period): PairFigures {
  const covered = new Uint8Array(p.to - p.from); // 0 nothing, 1 metered, 2 entered
  const { metered, estimated, firstMetered } = meteredPart(index, building, type, p, covered);
  const { entered, used, superseded } = enteredPart(index, { building, type, p, firstMetered }, covered);
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
    gap: gapFrom < 0 ? null : { from: dateOf(p.from + gapFrom), to: dateOf(p.from + gapTo) },
    used,
    superseded,
  };
}
