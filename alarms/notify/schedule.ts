import { localHourOfDay } from '../../core/localTime.ts';

/**
 * The notifier's times: quiet hours and the digest's hour are local (the site's time zone);
 * retries back off on a fixed schedule.
 */

/** Waits before attempt 2, 3, …: 30 s, 2 min, 10 min, 30 min, 1 h, 2 h; after the 7th attempt it has failed. */
export const RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000];

/** When to try again after `attempts` failed attempts, or undefined when it has failed for good. */
export function retryAt(now: number, attempts: number): number | undefined {
  const wait = RETRY_DELAYS_MS[attempts - 1];
  return wait === undefined ? undefined : now + wait;
}

const hours = (hhmm: string) => Number(hhmm.slice(0, 2)) + Number(hhmm.slice(3, 5)) / 60;

/** Whether `ms` falls in `range` ("22:00-07:00", local, may wrap midnight; the end is not in it). */
export function inQuietHours(range: string, ms: number, timeZone: string): boolean {
  const [from, to] = range.split('-') as [string, string];
  const h = localHourOfDay(ms, timeZone);
  const a = hours(from);
  const b = hours(to);
  if (a === b) return false;
  return a < b ? h >= a && h < b : h >= a || h < b;
}

/**
 * The latest digest time (`at`, "08:30" local) at or before `ms`. The zone's offset is taken at
 * `ms` (Asia/Shanghai has no daylight saving; elsewhere a digest on a change day may shift an hour).
 */
export function lastDigestSlot(at: string, ms: number, timeZone: string): number {
  const sinceMidnight = Math.round(localHourOfDay(ms, timeZone) * 3_600_000);
  const midnight = Math.floor(ms / 1000) * 1000 - sinceMidnight;
  const slot = midnight + Math.round(hours(at) * 3_600_000);
  return slot <= ms ? slot : slot - 86_400_000;
}

/** A digest missed by more than this (the service was down) waits for the next day. */
export const DIGEST_CATCH_UP_MS = 2 * 3_600_000;
