/**
 * The page's period (one selector per page): presets 今日 / 本周 / 本月 / 本年 / 近12个月 and a
 * custom range, as inclusive local dates of the site (Asia/Shanghai unless the site says otherwise),
 * with the two base periods every comparison names: 环比 (the period just before, as long) and
 * 同比 (the same dates a year earlier). Weeks start on Monday. Pure functions: unit-tested.
 */

export type Preset = 'today' | 'week' | 'month' | 'year' | 'last12' | 'custom';
export const presets: readonly Preset[] = ['today', 'week', 'month', 'year', 'last12', 'custom'];

/** An inclusive range of local dates, `YYYY-MM-DD`. */
export interface DateRange {
  from: string;
  to: string;
  /**
   * The last day counts only up to this local time (`HH:MM`): a period that ends today is today so
   * far, and its base periods end at the same time of their last day — 今日 until 13:05 against
   * yesterday until 13:05, never against the whole of yesterday (a part compared with a whole).
   */
  until?: string;
}

export interface Period extends DateRange {
  preset: Preset;
}

export const defaultTimeZone = 'Asia/Shanghai';

/** Today's date at the site, `YYYY-MM-DD`. */
export function todayAt(timeZone: string, now: Date = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

interface Ymd {
  y: number;
  m: number; // 1..12
  d: number;
}

const parse = (date: string): Ymd => {
  const [y, m, d] = date.split('-').map(Number);
  return { y: y ?? 1970, m: m ?? 1, d: d ?? 1 };
};
const pad = (n: number) => String(n).padStart(2, '0');
const format = ({ y, m, d }: Ymd) => `${y}-${pad(m)}-${pad(d)}`;
/** Days since 1970-01-01 of a calendar date (no time zone involved). */
const dayNumber = (date: string) => {
  const { y, m, d } = parse(date);
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
};
const fromDayNumber = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);
export const addDays = (date: string, days: number) => fromDayNumber(dayNumber(date) + days);
export const daysIn = (r: DateRange) => dayNumber(r.to) - dayNumber(r.from) + 1;
const monthLength = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** The same day `months` months away, clamped to the month's last day (31 Mar − 1 month = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const { y, m, d } = parse(date);
  const index = y * 12 + (m - 1) + months;
  const ny = Math.floor(index / 12);
  const nm = (index % 12) + 1;
  return format({ y: ny, m: nm, d: Math.min(d, monthLength(ny, nm)) });
}
/** ISO weekday, Monday 1 … Sunday 7. */
export const weekday = (date: string) => {
  const { y, m, d } = parse(date);
  return ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
};

/** How many whole calendar months a range is (from the 1st to a month's last day), if it is. */
function wholeMonths(r: DateRange): number | undefined {
  if (r.until || !r.from.endsWith('-01') || addDays(r.to, 1).slice(8) !== '01') return undefined;
  const [fy, fm] = r.from.split('-').map(Number);
  const [ty, tm] = r.to.split('-').map(Number);
  return ((ty ?? 0) - (fy ?? 0)) * 12 + ((tm ?? 0) - (fm ?? 0)) + 1;
}

/** The range of a preset on `today` (to date: the period so far, today included). */
export function presetRange(preset: Exclude<Preset, 'custom'>, today: string): DateRange {
  const { y, m } = parse(today);
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case 'week':
      return { from: addDays(today, 1 - weekday(today)), to: today };
    case 'month':
      return { from: format({ y, m, d: 1 }), to: today };
    case 'year':
      return { from: format({ y, m: 1, d: 1 }), to: today };
    case 'last12':
      // The 12 months to date: from the day after the same date a year ago (2025-12-03 … 2026-12-02).
      return { from: addDays(addMonths(today, -12), 1), to: today };
  }
}

export type Basis = 'previous' | 'last_year';

/**
 * The base period of a comparison. 同比 (`last_year`): the same dates a year earlier (29 Feb → 28
 * Feb). 环比 (`previous`): for a preset the same span of the period before (本月 1–15 → last month
 * 1–15; 本周 Mon–Wed → last week Mon–Wed; 本年 → last year to the same day; 近12个月 (the 12 months
 * to date) → the as-many days just before); for a custom range the as-long range just before it.
 */
export function basePeriod(period: Period, basis: Basis): DateRange {
  const range = baseDates(period, basis);
  // A base whose last day was clamped to its month's end (31 Mar → 28 Feb, 29 Feb → 28 Feb) is the
  // whole of that last day: the month has no later day to cut at the time of day.
  const clamped = range.shifted && range.to.slice(8) !== period.to.slice(8);
  const dates = { from: range.from, to: range.to };
  return period.until && !clamped ? { ...dates, until: period.until } : dates;
}

/** The base dates; `shifted`: the same day of month some months away (so possibly clamped). */
function baseDates(period: Period, basis: Basis): DateRange & { shifted?: boolean } {
  const months = (n: number) => ({
    from: addMonths(period.from, n),
    to: addMonths(period.to, n),
    shifted: true,
  });
  if (basis === 'last_year') return months(-12);
  switch (period.preset) {
    case 'today':
      return { from: addDays(period.from, -1), to: addDays(period.to, -1) };
    case 'week':
      return { from: addDays(period.from, -7), to: addDays(period.to, -7) };
    case 'month':
      return months(-1);
    case 'year':
      return months(-12);
    case 'last12': {
      // The as-many days just before (365, or 366 across a 29 February), as the reports take them.
      const n = daysIn(period);
      return { from: addDays(period.from, -n), to: addDays(period.from, -1) };
    }
    case 'custom': {
      // Whole calendar months (a year, a quarter): the as-many months before, as the reports do.
      const months = wholeMonths(period);
      if (months !== undefined)
        return { from: addMonths(period.from, -months), to: addDays(period.from, -1) };
      const n = daysIn(period);
      return { from: addDays(period.from, -n), to: addDays(period.from, -1) };
    }
  }
}

/** `2026-11-01 至 2026-11-15`, one day just the day; a partial last day with its time (`… 2026-11-15 13:05`). */
export function rangeText(r: DateRange, joiner: string): string {
  const last = r.until ? `${r.to} ${r.until}` : r.to;
  if (r.from === r.to) return r.until ? `${r.from} 00:00–${r.until}` : r.from;
  return `${r.from} ${joiner} ${last}`;
}

/** The local time of day at the site, `HH:MM`. */
export function timeAt(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(now);
}

/**
 * The period for a preset (custom keeps the given range). When it ends today and `now` (the local
 * `HH:MM`) is given, it is today so far: `until` is set, and so is its base periods'.
 */
export function periodOf(preset: Preset, today: string, custom?: DateRange, now?: string): Period {
  const range = preset === 'custom' ? (custom ?? { from: today, to: today }) : presetRange(preset, today);
  const { from, to } = range;
  // Up to the last whole hour: the current hour's rollup is still filling, and its base (a whole
  // hour a day or a year ago) would not be like with like.
  const until = now === undefined ? undefined : `${now.slice(0, 2)}:00`;
  return until !== undefined && to >= today ? { preset, from, to: today, until } : { preset, from, to };
}

/** The offset of `timeZone` at a local date and time, `+08:00`. */
function offsetAt(date: string, time: string, timeZone: string): string {
  const guess = new Date(`${date}T${time}:00Z`);
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(guess)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d\d):?(\d\d)?/.exec(name);
  return m ? `${m[1]}:${m[2] ?? '00'}` : '+00:00';
}

/**
 * `from` and `to` for the API's ranges (GET /consumption, /readings/history): the inclusive local
 * dates, or — for a partial last day — `to` as the instant of `until` on that day (excluded).
 */
export function apiRange(r: DateRange, timeZone: string): { from: string; to: string } {
  if (!r.until) return { from: r.from, to: r.to };
  return { from: r.from, to: `${r.to}T${r.until}:00${offsetAt(r.to, r.until, timeZone)}` };
}

/**
 * The whole days of a range (for the reports, which count whole days only): a partial last day is
 * left out (today is not over), so the report's period and its base periods stay alike.
 * Undefined when nothing whole is left (今日).
 */
export function wholeDays(r: DateRange): DateRange | undefined {
  if (!r.until) return r;
  if (r.from === r.to) return undefined;
  return { from: r.from, to: addDays(r.to, -1) };
}
