import type { ReassertSettings } from '../core/control/schema.ts';

/**
 * A point that has followed for this long starts its backoff over when it stops following again;
 * sooner (someone at the unit's panel turning it back within minutes), the backoff goes on where it
 * was, so control and a person at the panel do not take turns every few minutes.
 */
export const FRESH_AFTER_MS = 3_600_000;

interface Pending {
  /** The value in effect the point does not follow. */
  value: number;
  /** When it was first found not following it (`give_up_after` counts from here). */
  since: number;
  /** Re-writes made so far. */
  attempts: number;
  /** When the next re-write is due; undefined while the point follows or after giving up. */
  nextAt: number | undefined;
  /** When it followed again (its condition cleared); undefined while it does not. */
  followedAt: number | undefined;
  gaveUp: boolean;
}

/** What is due for a point now: its next re-write (1, 2, …), or giving up on it. */
export type ReassertDue =
  | { kind: 'write'; attempt: number; since: number }
  | { kind: 'give_up'; attempts: number; since: number };

/**
 * When control writes a point's value in effect again because the point does not follow it
 * (issue 17): `delays[0]` after the write that was not followed, then `delays[1]` after that
 * re-write, and so on, the last delay repeating (default 1, 2, 5, 10 min, then every 10 min),
 * until the point follows, a new value is in effect, the point is released, or `give_up_after`
 * has passed since it stopped following. Only a point found not following is ever due: one that
 * follows is not written again. The engine makes each write through its own arbitration and
 * policy checks; this class only keeps the times, per point, in memory (a restarted control writes
 * every value in effect anyway).
 */
export class Reasserts {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly settings: () => ReassertSettings) {}

  private delay(attempts: number): number {
    const { delays } = this.settings();
    return delays[Math.min(attempts, delays.length - 1)] ?? 600_000;
  }

  /** `key` was found at `now` not following `value` (a read-back or a report that differs). */
  notFollowing(key: string, value: number, now: number): void {
    if (!this.settings().enabled) return;
    const p = this.pending.get(key);
    const recent = p?.followedAt === undefined || now - p.followedAt < FRESH_AFTER_MS;
    if (p && p.value === value && recent) {
      if (p.followedAt !== undefined && !p.gaveUp) p.nextAt = now + this.delay(p.attempts);
      p.followedAt = undefined;
      return;
    }
    this.pending.set(key, {
      value,
      since: now,
      attempts: 0,
      nextAt: now + this.delay(0),
      followedAt: undefined,
      gaveUp: false,
    });
  }

  /** What is due at `now` for `key`, whose value in effect is `value`; undefined: nothing. */
  due(key: string, value: number, now: number): ReassertDue | undefined {
    const p = this.pending.get(key);
    if (!p || p.value !== value || p.nextAt === undefined || now < p.nextAt) return undefined;
    if (now - p.since >= this.settings().give_up_after) {
      p.gaveUp = true;
      p.nextAt = undefined;
      return { kind: 'give_up', attempts: p.attempts, since: p.since };
    }
    return { kind: 'write', attempt: p.attempts + 1, since: p.since };
  }

  /** A re-write was made at `now` (whatever came of it): the next one is a longer delay away. */
  attempted(key: string, now: number): void {
    const p = this.pending.get(key);
    if (!p) return;
    p.attempts++;
    p.nextAt = now + this.delay(p.attempts);
  }

  /** A re-write may not be made before `at` (the point's write rate): it waits, counted as nothing. */
  deferTo(key: string, at: number): void {
    const p = this.pending.get(key);
    if (p && p.nextAt !== undefined) p.nextAt = Math.max(p.nextAt, at);
  }

  /** The point follows its value again at `now`: nothing is due. */
  followed(key: string, now: number): void {
    const p = this.pending.get(key);
    if (!p || p.followedAt !== undefined) return;
    p.nextAt = undefined;
    p.followedAt = now;
  }

  /** A new value was written or the point released: the next not-following starts afresh. */
  forget(key: string): void {
    this.pending.delete(key);
  }
}
