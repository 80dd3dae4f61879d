import { localClock } from '../core/localTime.ts';

/** An ISO-8601 instant in UTC as `Date#toISOString` and most libraries write it. */
const utcInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?Z$/;

/**
 * An instant as the site's local time with its offset, `2026-12-02T10:38:00.250+08:00`
 * (milliseconds only when there are any), so that no client converts from UTC (issue 15).
 */
export function siteInstant(ms: number, timeZone: string): string {
  const { date, time, offset } = localClock(ms, timeZone);
  const millis = ((ms % 1000) + 1000) % 1000;
  return `${date}T${time}${millis ? `.${String(millis).padStart(3, '0')}` : ''}${offset}`;
}

/**
 * The JSON replacer of every API answer: any UTC instant (`…Z`) becomes the same instant in the
 * site's time zone with its offset. Routes build their answers from stores, control and reports
 * that keep UTC inside; converting once at the edge means no answer can leak a `Z`, whichever part
 * made the value. Strings that are not exactly an instant (a note, a name) are left alone.
 */
export function siteTimeReplacer(timeZone: string): (key: string, value: unknown) => unknown {
  return (_key, value) => {
    if (typeof value !== 'string' || value.length < 17 || value.length > 30 || !utcInstant.test(value))
      return value;
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? siteInstant(ms, timeZone) : value;
  };
}
