import type { EnergyEntry } from '../../core/reports/report.ts';
import type { CostTariff } from '../../core/reports/statisticsConfig.ts';
import { dateOf, dayNumber, type Period } from '../figures/dates.ts';
import { priceAt, tariffOn } from './tariffs.ts';

/** Metered consumption of one building and energy type by local hour: day number → 24 values. */
export type HourlyDays = Map<number, number[]>;

/** Why a day with a quantity has no cost. */
export type CostGapReason = 'no_tariff' | 'no_hours' | 'no_cost';

/** Consecutive days without a cost, for one reason (inclusive dates). */
export interface CostGap {
  from: string;
  to: string;
  days: number;
  reason: CostGapReason;
}

/** The cost of one building and energy type over a period, unrounded yuan. */
export interface PairCost {
  billed: number;
  computed: number;
  missingDays: number;
  gaps: CostGap[];
  tariffs: Set<CostTariff>;
}

/** What a day's cost is computed from. */
export interface CostInput {
  building: string;
  type: string;
  /** The counted days: [from, limit) — the building's days in the year that have ended. */
  period: Period;
  metered: ReadonlyMap<number, number>;
  hourly?: HourlyDays | undefined;
  entries: readonly EnergyEntry[];
  tariffs: readonly CostTariff[];
}

// Hourly values priced by a time-of-use tariff must add up to the day's (the rollups agree to
// rounding): a day with hours missing would be priced short, so it is left without a cost.
const hoursMatch = (hours: number[], day: number) =>
  Math.abs(hours.reduce((a, b) => a + b, 0) - day) <= 1e-6 * Math.max(1, Math.abs(day));

/** The day's metered cost under `t`, or why it has none. */
function dayCost(t: CostTariff, qty: number, hours: number[] | undefined): number | CostGapReason {
  if (t.price !== undefined) return qty * t.price;
  if (!hours || !hoursMatch(hours, qty)) return 'no_hours';
  let sum = 0;
  for (let h = 0; h < 24; h++) sum += (hours[h] ?? 0) * (priceAt(t, h) ?? 0);
  return sum;
}

/**
 * A building's cost of one energy type: a bill's cost (账单, prorated by day over its period) on
 * every day the bill covers — it wins over the meter, which has no price; on the other days with a
 * quantity (metered, or an entry without a cost) the tariff in force (计算值): one price × the
 * day's quantity, or the time-of-use prices × the hourly rollups of a metered day. Days with a
 * quantity and neither are counted in `gaps` with the reason.
 */
export function pairCost(c: CostInput): PairCost {
  const { from, to } = c.period;
  const out: PairCost = { billed: 0, computed: 0, missingDays: 0, gaps: [], tariffs: new Set() };
  if (to <= from) return out;
  const billed = new Uint8Array(to - from);
  const unpriced: { day: number; qty: number }[] = [];
  for (const e of c.entries) {
    const s = dayNumber(e.period_start);
    const all = dayNumber(e.period_end) + 1 - s;
    const a = Math.max(from, s);
    const b = Math.min(to, s + all);
    if (b <= a) continue;
    if (e.cost_yuan === null || e.cost_yuan === undefined) {
      for (let d = a; d < b; d++) unpriced[d - from] = { day: d, qty: e.quantity / all };
      continue;
    }
    out.billed += (e.cost_yuan * (b - a)) / all;
    billed.fill(1, a - from, b - from);
  }
  const mark = (day: number, reason: CostGapReason) => {
    out.missingDays++;
    const last = out.gaps.at(-1);
    if (last && last.reason === reason && dayNumber(last.to) === day - 1) {
      last.to = dateOf(day);
      last.days++;
    } else out.gaps.push({ from: dateOf(day), to: dateOf(day), days: 1, reason });
  };
  for (let d = from; d < to; d++) {
    if (billed[d - from] === 1) continue;
    const m = c.metered.get(d);
    const qty = m ?? unpriced[d - from]?.qty;
    if (qty === undefined || qty === 0) continue;
    const t = tariffOn(c.tariffs, c.building, c.type, d);
    if (!t) {
      mark(
        d,
        c.type === 'electricity' || c.type === 'water' || c.type === 'natural_gas' ? 'no_tariff' : 'no_cost',
      );
      continue;
    }
    const cost = dayCost(t, qty, m === undefined ? undefined : c.hourly?.get(d));
    if (typeof cost === 'string') mark(d, cost);
    else {
      out.computed += cost;
      out.tariffs.add(t);
    }
  }
  return out;
}

/** Yuan to the 分. */
export const toFen = (yuan: number) => Math.round(yuan * 100) / 100;
