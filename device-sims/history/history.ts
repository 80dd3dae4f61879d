import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dayInfo } from '../../core/calendar.ts';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import type { MeterConfig } from '../../core/config/siteSchema.ts';
import { JnError } from '../../core/errors.ts';
import { localParts } from '../../core/localTime.ts';
import { localMidnight } from '../../core/rollup/consumption.ts';
import type { RollupRow, Store } from '../../core/store/store.ts';
import { dayTemperature, type LiveProfile, liveProfile } from './liveProfile.ts';

/**
 * The simulated building's past: hourly and daily consumption rollups of every meter of the site,
 * from a date up to the start, so the demo's console and reports have years to show (this year
 * against last, 2025 against the 2020 baseline of 十四五) instead of the few minutes since the
 * first start. Like everything the simulator serves, it is made up — deterministic (the same site
 * and dates give the same figures) and on the Chinese working calendar — and it is the live
 * simulator's: each building's hours are those of the simulated compound run with the demo's
 * control (live-profile.json, measured by test/historySeam.test.ts), per meter, month and day type,
 * so the charts do not jump where the live figures take over and the after-hours baseline learned
 * from the history is the building's own:
 *
 * - electricity per 分项 as the live sub-meters count it, the months blended between mid-months;
 *   the main meter is the sub-meters plus 6 % nobody meters (其他/未计量), hour by hour; about
 *   −1.4 % a year since 2020 (the building as it is now at the end);
 * - water and gas as the live meters count them, water with next to nothing at night;
 * - ±6 % day-to-day noise from a hash of meter and date; floor area and headcount as the site file
 *   gives them on the date, against today's.
 *
 * A building the profile does not know (a site of its own with --sims) gets the per-m² model below.
 *
 * Daily rows for every day; hourly rows for the last 400 days (today so far against the same hours
 * a year ago, the heat maps), and those days' totals are the sum of their hours, as the collector's
 * rollups are.
 */

const HOUR = 3_600_000;
/**
 * Days before today with hourly rows: 13 months, so that today so far compares with the same hours
 * of a year ago (同比 of a day the period cuts needs that day's hours), and the heat maps have weeks.
 */
const HOURLY_DAYS = 400;

/**
 * The per-m² model of a building the live profile does not know. kWh per m² on a working day,
 * before the season, per 分项.
 */
const electricity: Record<string, { perM2: number; restDay: number; season: boolean }> = {
  lighting_socket: { perM2: 0.05, restDay: 0.25, season: false },
  hvac: { perM2: 0.055, restDay: 0.2, season: true },
  power: { perM2: 0.022, restDay: 0.5, season: false },
  special: { perM2: 0.012, restDay: 0.9, season: false },
};
const UNMETERED = 0.06;
const subitems = ['lighting_socket', 'hvac', 'power', 'special'] as const;
/** The air-conditioning load of each month, January first (cooling June–September). */
const hvacSeason = [0.7, 0.6, 0.45, 0.55, 0.95, 1.45, 1.95, 2.0, 1.55, 0.95, 0.6, 0.75];
/** Everything else a little higher in the dark, cool months. */
const otherSeason = [1.06, 1.04, 1.0, 0.97, 0.96, 0.98, 1.0, 1.0, 0.98, 0.98, 1.0, 1.05];
const workHours = [
  0.35, 0.33, 0.33, 0.33, 0.35, 0.4, 0.55, 0.8, 1.55, 1.65, 1.65, 1.6, 1.25, 1.5, 1.65, 1.65, 1.6, 1.45, 1.0,
  0.75, 0.65, 0.5, 0.42, 0.38,
];
const restHours = [
  0.8, 0.78, 0.78, 0.78, 0.8, 0.85, 0.95, 1.05, 1.15, 1.2, 1.2, 1.2, 1.15, 1.15, 1.2, 1.2, 1.15, 1.1, 1.05,
  1.0, 0.95, 0.9, 0.85, 0.82,
];
const waterHours = [
  0.1, 0.02, 0.02, 0.02, 0.02, 0.1, 0.4, 1.2, 2.2, 1.6, 1.3, 1.6, 2.4, 1.4, 1.4, 1.3, 1.2, 1.5, 0.8, 0.4, 0.3,
  0.2, 0.15, 0.1,
];
const gasHours = [
  0, 0, 0, 0, 0, 0.3, 1.2, 1.6, 0.8, 1.2, 2.6, 3.0, 1.4, 0.4, 0.4, 0.9, 2.2, 2.4, 0.9, 0.3, 0, 0, 0, 0,
];

const normalized = (shape: number[]) => {
  const sum = shape.reduce((a, b) => a + b, 0);
  return shape.map((v) => v / sum);
};
const shapes = {
  work: normalized(workHours),
  rest: normalized(restHours),
  water: normalized(waterHours),
  gas: normalized(gasHours),
};

/** A number in [−1, 1) from a string: the same meter and day always get the same noise. */
function noise(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return ((h >>> 0) / 2 ** 32) * 2 - 1;
}

function valueOn(values: readonly { from: string; value: number }[], date: string): number {
  let v = values[0]?.value ?? 0;
  for (const x of values) if (x.from <= date) v = x.value;
  return v;
}

const dates = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T12:00:00Z`); t <= Date.parse(`${to}T12:00:00Z`); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};

/**
 * The live building's hours of `key` (`${building}|${meter}`) on a day of `date`'s type: the
 * measured month's, blended with the neighbouring month's toward the mid-months (as the simulator's
 * weather normals are), so that a season changes day by day, not on the first of the month.
 */
function liveHours(key: string, date: string, working: boolean): number[] | undefined {
  const months = liveProfile()?.months;
  if (!months) return undefined;
  const type = working ? 'work' : 'rest';
  const [y = 2000, m = 1, d = 1] = date.split('-').map(Number);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const mid = (days + 1) / 2;
  const other = d < mid ? (m + 10) % 12 : m % 12; // the month before, or after (0-based)
  const w = Math.abs(d - mid) / days; // 0 at mid-month, 1/2 at the month's edges
  const a = months[m - 1]?.[type][key];
  const b = months[other]?.[type][key];
  if (!a || !b) return undefined;
  return a.map((v, h) => (1 - w) * v + w * (b[h] ?? v));
}

/** Measured working days a history day's air-conditioning is the average of. */
const NEAREST = 2;

/**
 * The live air-conditioning of `building` on working day `date`: the average of the measured
 * working days nearest to it in mean outdoor temperature (the simulator's weather of that date),
 * among those that, like it, do or do not follow a rest day (the first morning after a weekend
 * starts earlier and pulls down more).
 */
function liveHvac(building: string, subitem: string, date: string): number[] | undefined {
  const key = `${building}|${subitem}`;
  const nearest = nearestDays(date).filter((d) => d.hours[key]);
  if (nearest.length === 0) return undefined;
  return Array.from(
    { length: 24 },
    (_, h) => sum(nearest.map((d) => d.hours[key]?.[h] ?? 0)) / nearest.length,
  );
}

const nearestOf = new Map<string, LiveProfile['hvacDays']>();
/** The day's weather and the day before's (the zones' temperature in the morning follows both). */
const weatherOf = (d: string) => [dayTemperature(d), dayTemperature(previousDate(d))] as const;
const afterRest = (d: string) => !dayInfo(previousDate(d)).working;
let measuredDays:
  | { day: LiveProfile['hvacDays'][number]; weather: readonly [number, number]; afterRest: boolean }[]
  | undefined;

/** The measured working days nearest to `date` in weather (the same for every building). */
function nearestDays(date: string): LiveProfile['hvacDays'] {
  const known = nearestOf.get(date);
  if (known) return known;
  measuredDays ??= (liveProfile()?.hvacDays ?? []).map((day) => ({
    day,
    weather: weatherOf(day.date),
    afterRest: afterRest(day.date),
  }));
  const [t, before] = weatherOf(date);
  const alike = measuredDays.filter((d) => d.afterRest === afterRest(date));
  const nearest = (alike.length >= NEAREST ? alike : measuredDays)
    .map((d) => ({ d: d.day, distance: Math.hypot(d.weather[0] - t, d.weather[1] - before) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, NEAREST)
    .map((x) => x.d);
  nearestOf.set(date, nearest);
  return nearest;
}

const previousDate = (date: string) =>
  new Date(Date.parse(`${date}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const shapeOf = (hours: readonly number[], fallback: number[]) => {
  const total = sum(hours);
  return total > 0 ? hours.map((v) => v / total) : fallback;
};

/**
 * One meter's day from the live profile, or undefined when the profile does not know its building.
 * `scale` is the site's floor area or headcount on the date against today's; `trend` the years.
 */
function liveMeterDay(
  site: LoadedSite,
  meter: MeterConfig,
  date: string,
  ctx: { working: boolean; area: number; people: number; trend: (perYear: number) => number },
): { value: number; shape: number[] } | undefined {
  const b = meter.building;
  const jitter = (id: string) => 1 + 0.06 * noise(`${id}|${date}`);
  const flat = Array(24).fill(1 / 24) as number[];
  switch (meter.category) {
    case 'electricity': {
      // The live main meter counts its sub-meters plus the simulator's losses (2 %), the history's
      // plus 6 % unmetered: its sub-meters a little below the live ones, so that the main meter —
      // what the charts and the after-hours baseline show — meets the live one.
      const liveMain = liveHours(`${b}|main`, date, ctx.working);
      const liveSubs = subitems.map((x) => liveHours(`${b}|${x}`, date, ctx.working));
      const counted = sum(liveSubs.map((x) => sum(x ?? [])));
      const balance = liveMain && counted > 0 ? sum(liveMain) / counted / (1 + UNMETERED) : 1;
      const sub = (m: MeterConfig) => {
        const hours =
          (m.subitem === 'hvac' || m.subitem === 'power') && ctx.working
            ? liveHvac(b, m.subitem, date)
            : liveHours(`${b}|${m.subitem ?? ''}`, date, ctx.working);
        return hours?.map((v) => v * balance * ctx.area * ctx.trend(0.014) * jitter(m.id));
      };
      if (meter.role !== 'main') {
        const hours = sub(meter);
        return hours && { value: sum(hours), shape: shapeOf(hours, flat) };
      }
      // The main meter counts what its sub-meters count (with their own day's noise) plus the 6 %
      // nobody meters, hour by hour, as a real one does: 总分表 balance within the unmetered share.
      const subs = site.config.meters.filter(
        (m) => m.building === b && m.category === 'electricity' && m.role === 'sub',
      );
      const parts = subs.map(sub);
      if (parts.length === 0 || parts.some((p) => p === undefined)) {
        const hours = liveHours(`${b}|main`, date, ctx.working);
        if (!hours) return undefined;
        const main = hours.map((v) => v * ctx.area * ctx.trend(0.014) * jitter(meter.id));
        return { value: sum(main), shape: shapeOf(main, flat) };
      }
      const main = Array.from({ length: 24 }, (_, h) => sum(parts.map((p) => p?.[h] ?? 0)) * (1 + UNMETERED));
      return { value: sum(main), shape: shapeOf(main, flat) };
    }
    case 'water':
    case 'gas': {
      const hours = liveHours(`${b}|${meter.category}`, date, ctx.working);
      if (!hours) return undefined;
      const trend = ctx.trend(meter.category === 'water' ? 0.015 : 0.01);
      const value = sum(hours) * ctx.people * trend * jitter(meter.id);
      // A rest day's water is the building's base flow, spread by the office shape: next to
      // nothing at night (a leak is what flows then: alarms' night_flow).
      const shape = meter.category === 'water' && !ctx.working ? shapes.water : shapeOf(hours, shapes.water);
      return { value, shape };
    }
    default:
      return undefined;
  }
}

/** One meter's consumption on one local day, in its unit, and the hour shape it follows. */
function meterDay(
  site: LoadedSite,
  meter: MeterConfig,
  date: string,
  today: string,
): { value: number; shape: number[] } | undefined {
  const building = site.config.organization.buildings.find((b) => b.id === meter.building);
  if (!building) return undefined;
  const day = dayInfo(date);
  const month = Number(date.slice(5, 7)) - 1;
  const yearsOf = (d: string) => Number(d.slice(0, 4)) - 2020 + Number(d.slice(5, 7)) / 12;
  const years = yearsOf(date);
  const trend = (perYear: number) => Math.max(0.5, 1 - perYear * years);
  // The live building is the building as it is today: the years before are a little less efficient.
  const sinceToday = (perYear: number) =>
    Math.max(0.5, 1 - perYear * years) / Math.max(0.5, 1 - perYear * yearsOf(today));
  const live = liveMeterDay(site, meter, date, {
    working: day.working,
    area: valueOn(building.floor_area, date) / valueOn(building.floor_area, today),
    people: valueOn(building.headcount, date) / valueOn(building.headcount, today),
    trend: sinceToday,
  });
  if (live) return live;
  const jitter = 1 + 0.06 * noise(`${meter.id}|${date}`);
  const area = valueOn(building.floor_area, date);
  const people = valueOn(building.headcount, date);
  const shape = day.working ? shapes.work : shapes.rest;
  const electric = (subitem: string) => {
    const e = electricity[subitem];
    if (!e) return 0;
    const season = e.season ? (hvacSeason[month] ?? 1) : (otherSeason[month] ?? 1);
    return area * e.perM2 * (day.working ? 1 : e.restDay) * season;
  };
  switch (meter.category) {
    case 'electricity': {
      if (meter.role !== 'main')
        return { value: electric(meter.subitem ?? '') * trend(0.014) * jitter, shape };
      // The main meter counts what its sub-meters count (with their own day's noise) plus the 6 %
      // nobody meters, as a real one does: 总分表 balance within the unmetered share (alarms' meter_balance).
      const subs = site.config.meters.filter(
        (m) => m.building === meter.building && m.category === 'electricity' && m.role === 'sub',
      );
      const counted = subs.reduce(
        (sum, m) => sum + electric(m.subitem ?? '') * (1 + 0.06 * noise(`${m.id}|${date}`)),
        0,
      );
      const raw =
        subs.length > 0 ? counted : Object.keys(electricity).reduce((a, x) => a + electric(x), 0) * jitter;
      return { value: raw * (1 + UNMETERED) * trend(0.014), shape };
    }
    case 'water': {
      const canteen = building.id.includes('fuwu') ? 1.8 : 1;
      const summer = month >= 5 && month <= 8 ? 1.2 : 1;
      return {
        value: people * 0.045 * canteen * summer * (day.working ? 1 : 0.15) * trend(0.015) * jitter,
        // Offices draw next to no water at night (a leak is what flows then: alarms' night_flow).
        shape: shapes.water,
      };
    }
    case 'gas': {
      const diners = site.config.organization.buildings.reduce((n, b) => n + valueOn(b.headcount, date), 0);
      return {
        value: diners * 0.06 * (day.working ? 1 : 0.1) * trend(0.01) * jitter,
        shape: day.working ? shapes.gas : shapes.rest,
      };
    }
    default:
      return undefined;
  }
}

/** The unit of a meter's counter, from its device's profile (kWh, m³), as the collector tags rollups. */
function unitOf(site: LoadedSite, meter: MeterConfig): string | undefined {
  const points = site.devices.get(meter.device)?.profile?.points as
    | readonly { id: string; unit?: string }[]
    | undefined;
  return points?.find((p) => p.id === meter.point)?.unit;
}

/** The history rows of every meter from `from` (a local date) up to the local hour of `until`. */
export function simulatedHistory(
  site: LoadedSite,
  options: { from: string; until: number; hourlyDays?: number; untilDate?: string },
): RollupRow[] {
  const tz = site.config.site.timezone;
  // The last day written (the hourly window counts back from the real today, `untilDate`).
  const today = options.untilDate ?? localParts(options.until, tz).date;
  const lastDay = localParts(options.until - 1, tz).date;
  const hourlyFrom = localMidnight(today, tz) - (options.hourlyDays ?? HOURLY_DAYS) * 86_400_000;
  const rows: RollupRow[] = [];
  const last = [lastDay, today].sort()[0] ?? today;
  for (const date of dates(options.from, last)) {
    const dayStart = localMidnight(date, tz);
    for (const meter of site.config.meters) {
      const day = meterDay(site, meter, date, today);
      if (!day) continue;
      const tags: Partial<RollupRow> = {
        building: meter.building,
        category: meter.category,
        role: meter.role,
      };
      if (meter.area !== undefined) tags.area = meter.area;
      if (meter.subitem !== undefined) tags.subitem = meter.subitem;
      const unit = unitOf(site, meter);
      if (unit !== undefined) tags.unit = unit;
      const round = (v: number) => Math.round(v * 1000) / 1000;
      if (dayStart < hourlyFrom) {
        if (dayStart + 86_400_000 <= options.until)
          rows.push({
            period: 'day',
            meter: meter.id,
            start: dayStart,
            value: round(day.value),
            estimated: 0,
            ...tags,
          });
        continue;
      }
      let total = 0;
      let any = false;
      for (let h = 0; h < 24; h++) {
        const start = dayStart + h * HOUR;
        // Only hours that ended before the start: the collector's own rollups take it from there.
        if (start + HOUR > options.until) break;
        const value = round(day.value * (day.shape[h] ?? 0));
        total += value;
        any = true;
        rows.push({ period: 'hour', meter: meter.id, start, value, estimated: 0, ...tags });
      }
      if (any)
        rows.push({
          period: 'day',
          meter: meter.id,
          start: dayStart,
          value: round(total),
          estimated: 0,
          ...tags,
        });
    }
  }
  return rows;
}

/**
 * Writes the simulated history into `store` unless it already holds rollups of the site's meters
 * before now (a second start, or a store with real data): history is never written twice, and
 * never over measured figures. Returns what it did, for the start lines and the log.
 */
export async function seedHistory(
  store: Store,
  site: LoadedSite,
  options: { from: string; until: number; beforeWriting?: (dates: { from: string; to: string }) => void },
): Promise<{ written: number; skipped?: string; from: string; to: string }> {
  const tz = site.config.site.timezone;
  const to = localParts(options.until, tz).date;
  const existing = await store.queryRollups({
    period: 'day',
    from: localMidnight(options.from, tz),
    to: options.until,
  });
  if (existing.length > 0)
    return {
      written: 0,
      skipped: 'the store already holds consumption for these dates',
      from: options.from,
      to,
    };
  // Marked before the first row: a start killed midway leaves a marked store, never an unmarked one.
  options.beforeWriting?.({ from: options.from, to });
  // A year at a time: the rows of many meters over many years are never all in memory at once.
  let written = 0;
  for (let year = Number(options.from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    const from = year === Number(options.from.slice(0, 4)) ? options.from : `${year}-01-01`;
    const end = Math.min(options.until, localMidnight(`${year + 1}-01-01`, tz));
    const rows = simulatedHistory(site, { from, until: end, untilDate: to });
    for (let i = 0; i < rows.length; i += 5_000) await store.writeRollups(rows.slice(i, i + 5_000));
    written += rows.length;
  }
  return { written, from: options.from, to };
}

/** The file in a data dir that says its store holds the simulated history (made-up figures). */
export const simulatedMarker = 'SIMULATED-HISTORY.json';

/** Records in the data dir that its store now holds made-up history (what, when, which dates). */
export function markSimulatedData(
  dataDir: string,
  seeded: { from: string; to: string; written: number },
): void {
  writeFileSync(
    join(dataDir, simulatedMarker),
    `${JSON.stringify({ ...seeded, written_at: new Date().toISOString(), what: 'jieneng start --history: simulated consumption of the demo building, not measurements' }, null, 2)}\n`,
  );
}

/** ` (2020-01-01 … 2026-12-02)` when the data dir holds the simulated history, else undefined. */
function simulatedDates(dataDir: string): string | undefined {
  const file = join(dataDir, simulatedMarker);
  if (!existsSync(file)) return undefined;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as { from?: string; to?: string };
    return ` (${m.from} … ${m.to})`;
  } catch {
    return ''; // the marker alone is enough
  }
}

/** The warning a report or API over such a data dir prints: its figures of those dates are made up. */
export function simulatedWarning(dataDir: string): string | undefined {
  const dates = simulatedDates(dataDir);
  return dates === undefined
    ? undefined
    : `warning: ${dataDir} holds the demo's simulated history${dates} (${join(dataDir, simulatedMarker)}): figures of those dates are made up, not measured\n`;
}

/**
 * A site of its own (no simulator) must not report the demo's made-up history as its own: refuses
 * a data dir whose store holds it, saying which and what to do.
 */
export function refuseSimulatedData(dataDir: string): void {
  const file = join(dataDir, simulatedMarker);
  const dates = simulatedDates(dataDir);
  if (dates === undefined) return;
  throw new JnError(
    'usage',
    `the data dir ${dataDir} holds the demo's simulated history${dates} (${file}): a site of its own needs a data dir of its own — give another --data-dir (or delete that folder if the demo's data is not wanted)`,
  );
}
