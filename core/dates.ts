/**
 * Dates a person types (the API's query parameters, the CLI's options, ledger rows): local dates
 * YYYY-MM-DD that must exist — 2025-02-30 is refused, not rolled over to March — and lie from 2000
 * to 2100: wide for any institution's records, narrow enough that no request walks centuries.
 */
export const FIRST_DATE = '2000-01-01';
export const LAST_DATE = '2100-12-31';
const months = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A value as quoted in a problem: a long one is cut, so that a refusal is not as big as the query. */
export function quote(value: string): string {
  return value.length <= 40 ? `"${value}"` : `"${value.slice(0, 40)}…" (${value.length} characters)`;
}

/** Days in `month` (1–12) of `year`, Gregorian. */
function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Why `text` is not a usable local date YYYY-MM-DD, or undefined when it is one. */
export function dateProblem(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return `${quote(text)} is not a date`;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return `${quote(text)} is not a calendar date (there is no month ${month})`;
  if (day < 1 || day > daysIn(year, month))
    return `${quote(text)} is not a calendar date (${months[month - 1]} ${year} has ${daysIn(year, month)} days)`;
  if (text < FIRST_DATE || text > LAST_DATE) return `${quote(text)} is outside ${FIRST_DATE} … ${LAST_DATE}`;
  return undefined;
}
