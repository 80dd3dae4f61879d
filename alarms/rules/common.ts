import type { Condition } from '../../core/alarms/model.ts';
import type { AlarmRulesConfig } from '../../core/alarms/schema.ts';
import { type CalendarOverride, dayInfo } from '../../core/calendar.ts';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import type { MeterConfig } from '../../core/config/siteSchema.ts';
import { isoLocal } from '../../core/control/schedules.ts';
import { localParts } from '../../core/localTime.ts';
import { localMidnight } from '../../core/rollup/consumption.ts';
import type { RollupRow, Store } from '../../core/store/store.ts';

/**
 * What the data rules share: local dates of the site, the working calendar, the building's main
 * meters, and the one query they all make (hourly or daily rollups of some meters over a range,
 * straight on the Store interface: the reports' own readers live in reports/, a service the alarm
 * service may not import).
 */

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/**
 * How long after a period ends before it is judged: the collector's rollup of the last hour
 * takes the readings of its last minutes (and a gateway's short spool) a while to complete.
 */
export const GRACE = 30 * 60_000;

/** What one rule found for one subject: active or not; `undefined` from a rule means "not judged". */
export type Judged = Omit<Condition, 'rule'>;

export interface RuleContext {
  site: LoadedSite;
  store: Store;
  rules: AlarmRulesConfig;
  timeZone: string;
  /** Says a note once per distinct text (not judged yet, incomplete day…), in the log and in status(). */
  note: (key: string, text: string) => void;
}

/** YYYY-MM-DD plus n days. */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

export const localDate = (ms: number, tz: string) => localParts(ms, tz).date;
export const midnight = (date: string, tz: string) => localMidnight(date, tz);
export const iso = (ms: number, tz: string) => isoLocal(ms, tz);

/** Local hour of day (0–23) of an hour start. */
export const hourOfDay = (ms: number, tz: string) => Math.floor(localParts(ms, tz).hour + 1e-9);

/** The calendar of the site: chinese-days with the control section's local overrides. */
export function calendarOf(site: LoadedSite): (date: string) => ReturnType<typeof dayInfo> {
  const overrides: CalendarOverride[] = site.config.control.calendar_overrides.map((o) => ({
    date: o.date,
    type: o.type,
    ...(o.note ? { note: o.note } : {}),
  }));
  const cache = new Map<string, ReturnType<typeof dayInfo>>();
  return (date) => {
    let d = cache.get(date);
    if (!d) {
      d = dayInfo(date, overrides);
      cache.set(date, d);
    }
    return d;
  };
}

export const buildingName = (site: LoadedSite, id: string) =>
  site.config.organization.buildings.find((b) => b.id === id)?.name ?? id;

/**
 * The meters a building's total of a category is made of, as the reports count it
 * (core/rollup/aggregate.ts): its main meters, or the sum of its sub-meters when it has none.
 */
export function totalMeters(site: LoadedSite, building: string, category: string): MeterConfig[] {
  const inCat = site.config.meters.filter((m) => m.building === building && m.category === category);
  const mains = inCat.filter((m) => m.role === 'main');
  return mains.length > 0 ? mains : inCat.filter((m) => m.role === 'sub');
}

/** Rollups of these meters in [from, to), grouped by meter. One query per meter (the Store filters by one). */
export async function rollupsOf(
  store: Store,
  period: 'hour' | 'day',
  meters: readonly string[],
  from: number,
  to: number,
): Promise<Map<string, RollupRow[]>> {
  const out = new Map<string, RollupRow[]>();
  for (const meter of meters) out.set(meter, await store.queryRollups({ period, meter, from, to }));
  return out;
}

/**
 * Sums the meters' rows per start, only where every meter has a row (a start some meter lacks is
 * a hole, not a smaller figure): start → { value, estimated }.
 */
export function sumWhereAll(
  byMeter: Map<string, RollupRow[]>,
): Map<number, { value: number; estimated: number }> {
  const out = new Map<number, { value: number; estimated: number; n: number }>();
  for (const rows of byMeter.values())
    for (const r of rows) {
      const s = out.get(r.start) ?? { value: 0, estimated: 0, n: 0 };
      s.value += r.value;
      s.estimated += r.estimated;
      s.n++;
      out.set(r.start, s);
    }
  const need = byMeter.size;
  const full = new Map<number, { value: number; estimated: number }>();
  for (const [start, s] of out) if (s.n === need) full.set(start, { value: s.value, estimated: s.estimated });
  return full;
}

/** A number as a person reads it: grouped thousands, `digits` decimals. */
export function fmt(x: number, digits = 1): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
export const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)} %`;
export const signedPct = (x: number, digits = 1) =>
  `${x >= 0 ? '+' : '−'}${(Math.abs(x) * 100).toFixed(digits)} %`;

/** 分类 as a page names it. */
export const categoryZh: Record<string, string> = {
  electricity: '电',
  water: '水',
  gas: '燃气',
  heat: '热',
  cooling: '冷',
  other: '其他',
};
export const zhCategory = (c: string) => categoryZh[c] ?? c;
