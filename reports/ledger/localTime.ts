import { localClock } from '../../core/localTime.ts';

/**
 * When something was imported, as a person reads it: local time in the site's time zone with its
 * offset (house rule: never UTC "Z" in anything a person reads). What the ledger stores is an ISO
 * instant with that offset, unambiguous and local at once; rows stored before carry "Z" and are
 * shown local all the same.
 */

/** The instant as stored: ISO 8601 with the zone's offset, e.g. 2026-12-02T07:58:51.066+08:00. */
export function localInstant(at: Date, timeZone: string): string {
  const { date, time, offset } = localClock(at.getTime(), timeZone);
  return `${date}T${time}.${String(at.getTime() % 1000).padStart(3, '0')}${offset}`;
}

/**
 * A stored instant (with an offset or "Z") as a person reads it: 2026-12-02 07:58 +08:00. Text
 * that is no instant is returned as it is, so that nothing stored is hidden.
 */
export function localMinute(stored: string, timeZone: string): string {
  const ms = Date.parse(stored);
  if (!/T\d{2}:\d{2}/.test(stored) || Number.isNaN(ms)) return stored;
  const { date, time, offset } = localClock(ms, timeZone);
  return `${date} ${time.slice(0, 5)} ${offset}`;
}

/** A stored instant as ISO 8601 with the zone's offset (an audit line written with "Z" before). */
export function localIso(stored: string, timeZone: string): string {
  const ms = Date.parse(stored);
  return !/T\d{2}:\d{2}/.test(stored) || Number.isNaN(ms) ? stored : localInstant(new Date(ms), timeZone);
}
