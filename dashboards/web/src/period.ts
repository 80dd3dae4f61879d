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
      return { from: addMonths(format({ y, m, d: 1 }), -11), to: today };
  }
}

export type Basis = 'previous' | 'last_year';

/**
 * The base period of a comparison. 同比 (`last_year`): the same dates a year earlier (29 Feb → 28
 * Feb). 环比 (`previous`): for a preset the same span of the period before (本月 1–15 → last month
 * 1–15; 本周 Mon–Wed → last week Mon–Wed; 本年 → last year to the same day; 近12个月 → the 12 months
 * before); for a custom range the as-long range just before it.
 */
export function basePeriod(period: Period, basis: Basis): DateRange {
  if (basis === 'last_year') return { from: addMonths(period.from, -12), to: addMonths(period.to, -12) };
  switch (period.preset) {
    case 'today':
      return { from: addDays(period.from, -1), to: addDays(period.to, -1) };
    case 'week':
      return { from: addDays(period.from, -7), to: addDays(period.to, -7) };
    case 'month':
      return { from: addMonths(period.from, -1), to: addMonths(period.to, -1) };
    case 'year':
      return { from: addMonths(period.from, -12), to: addMonths(period.to, -12) };
    case 'last12':
      return { from: addMonths(period.from, -12), to: addDays(period.from, -1) };
    case 'custom': {
      const n = daysIn(period);
      return { from: addDays(period.from, -n), to: addDays(period.from, -1) };
    }
  }
}

/** `2026-11-01 至 2026-11-15` (one day: just the day). */
export function rangeText(r: DateRange, joiner: string): string {
  return r.from === r.to ? r.from : `${r.from} ${joiner} ${r.to}`;
}

/** The period for a preset (custom keeps the given range). */
export function periodOf(preset: Preset, today: string, custom?: DateRange): Period {
  if (preset === 'custom') return { preset, ...(custom ?? { from: today, to: today }) };
  return { preset, ...presetRange(preset, today) };
}
