/**
 * Calendar arithmetic of report periods on local dates (YYYY-MM-DD). Inside, a period is a
 * half-open range of day numbers [from, to); a person reads and types inclusive dates.
 */

const DAY = 86_400_000;

/** Days since 1970-01-01 of a YYYY-MM-DD date (a calendar date, no time zone). */
export const dayNumber = (date: string) => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY);
/** The YYYY-MM-DD date of a day number. */
export const dateOf = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
export const yearOf = (date: string) => Number(date.slice(0, 4));

/** Half-open day numbers [from, to). */
export interface Period {
  from: number;
  to: number;
}

/** The period of an inclusive date range. */
export const periodOf = (from: string, lastDay: string): Period => ({
  from: dayNumber(from),
  to: dayNumber(lastDay) + 1,
});
/** A whole calendar year. */
export const yearPeriod = (year: number): Period => periodOf(`${year}-01-01`, `${year}-12-31`);
/** The last day of a period, included: what a person reads after 至. */
export const lastDay = (p: Period) => dateOf(p.to - 1);
/** "2025-01-01 至 2025-06-30". */
export const periodText = (p: Period) => `${dateOf(p.from)} 至 ${lastDay(p)}`;

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * The same calendar date in another year; 29 February becomes the 28th in a year without it (a
 * range ending on the 29th then ends on the last day of that February).
 */
export function sameDateIn(date: string, year: number): string {
  const [, m = 1, d = 1] = date.split('-').map(Number);
  const day = Math.min(d, daysInMonth(year, m));
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The period's same calendar dates `years` later (negative: earlier). */
export function shiftYears(p: Period, years: number): Period {
  const from = dateOf(p.from);
  const to = lastDay(p);
  return periodOf(sameDateIn(from, yearOf(from) + years), sameDateIn(to, yearOf(to) + years));
}

/** A date `months` later (negative: earlier), the day clamped to the month's length. */
export function shiftMonths(date: string, months: number): string {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const year = first.getUTCFullYear();
  const month = first.getUTCMonth() + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, daysInMonth(year, month))).padStart(2, '0')}`;
}

/** Whether the period is exactly one calendar year. */
export function isCalendarYear(p: Period): boolean {
  const from = dateOf(p.from);
  return from.endsWith('-01-01') && lastDay(p) === `${yearOf(from)}-12-31`;
}

/** How many whole calendar months the period is (0 when it does not start on a 1st and end on a month's last day). */
export function wholeMonths(p: Period): number {
  const from = dateOf(p.from);
  const next = dateOf(p.to);
  if (!from.endsWith('-01') || !next.endsWith('-01')) return 0;
  return (yearOf(next) - yearOf(from)) * 12 + Number(next.slice(5, 7)) - Number(from.slice(5, 7));
}
