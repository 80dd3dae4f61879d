/**
 * Wall-clock parts of an instant in an IANA time zone. Periods are local: a site's hours, days,
 * months and years are those of its time zone (Asia/Shanghai by default), never UTC.
 */
export interface LocalParts {
  /** YYYY-MM-DD in the zone. */
  date: string;
  /** Fractional hour of day, 0 ≤ hour < 24. */
  hour: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const weekdays: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

// Callers often ask for the same instant many times in a row (every schedule of one control cycle).
let lastMs = Number.NaN;
let lastZone = '';
let lastParts: LocalParts | undefined;

export function localParts(ms: number, timeZone: string): LocalParts {
  if (ms === lastMs && timeZone === lastZone && lastParts) return { ...lastParts };
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const hour = (Number(get('hour')) % 24) + Number(get('minute')) / 60 + Number(get('second')) / 3600;
  lastParts = {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    hour,
    weekday: weekdays[get('weekday')] ?? 0,
  };
  lastMs = ms;
  lastZone = timeZone;
  return { ...lastParts };
}

/** Local hour of day (fractional, 0–24) in `timeZone`. */
export function localHourOfDay(ms: number, timeZone: string): number {
  return localParts(ms, timeZone).hour;
}

/**
 * Local date (YYYY-MM-DD), time (HH:MM:SS) and UTC offset ("+08:00") of `ms` in `timeZone`: what a
 * timestamp a person reads is made of (never UTC "Z").
 */
export function localClock(ms: number, timeZone: string): { date: string; time: string; offset: string } {
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => (parts.find((p) => p.type === type)?.value ?? '').padStart(2, '0');
  const date = `${get('year')}-${get('month')}-${get('day')}`;
  const time = `${get('hour')}:${get('minute')}:${get('second')}`;
  const minutes = Math.round((Date.parse(`${date}T${time}Z`) - Math.floor(ms / 1000) * 1000) / 60_000);
  const abs = Math.abs(minutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  return { date, time, offset: `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}` };
}

/** An instant as local time with its offset, to the second, e.g. 2026-01-05T09:30:00+08:00. */
export function localTimestamp(ms: number, timeZone: string): string {
  const { date, time, offset } = localClock(ms, timeZone);
  return `${date}T${time}${offset}`;
}
