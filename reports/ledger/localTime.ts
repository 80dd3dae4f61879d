/**
 * When something was imported, as a person reads it: local time in the site's time zone with its
 * offset (house rule: never UTC "Z" in anything a person reads). What the ledger stores is an ISO
 * instant with that offset, unambiguous and local at once; rows stored before carry "Z" and are
 * shown local all the same.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local date, time (HH:MM:SS) and offset ("+08:00") of `ms` in `timeZone`. */
function partsOf(ms: number, timeZone: string): { date: string; time: string; offset: string } {
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const date = `${get('year')}-${get('month')}-${get('day')}`;
  const time = `${get('hour')}:${get('minute')}:${get('second')}`;
  const minutes = Math.round((Date.parse(`${date}T${time}Z`) - Math.floor(ms / 1000) * 1000) / 60_000);
  const abs = Math.abs(minutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  return { date, time, offset: `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}` };
}

/** The instant as stored: ISO 8601 with the zone's offset, e.g. 2026-12-02T07:58:51.066+08:00. */
export function localInstant(at: Date, timeZone: string): string {
  const { date, time, offset } = partsOf(at.getTime(), timeZone);
  return `${date}T${time}.${String(at.getTime() % 1000).padStart(3, '0')}${offset}`;
}

/**
 * A stored instant (with an offset or "Z") as a person reads it: 2026-12-02 07:58 +08:00. Text
 * that is no instant is returned as it is, so that nothing stored is hidden.
 */
export function localMinute(stored: string, timeZone: string): string {
  const ms = Date.parse(stored);
  if (!/T\d{2}:\d{2}/.test(stored) || Number.isNaN(ms)) return stored;
  const { date, time, offset } = partsOf(ms, timeZone);
  return `${date} ${time.slice(0, 5)} ${offset}`;
}

/** A stored instant as ISO 8601 with the zone's offset (an audit line written with "Z" before). */
export function localIso(stored: string, timeZone: string): string {
  const ms = Date.parse(stored);
  return !/T\d{2}:\d{2}/.test(stored) || Number.isNaN(ms) ? stored : localInstant(new Date(ms), timeZone);
}
