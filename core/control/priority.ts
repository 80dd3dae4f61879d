/**
 * A point's 16-level priority array (BACnet / Project Haystack): level 1 is the highest; the value
 * in effect is the one in the highest-priority slot that is set and not expired, else the
 * relinquish default, else none (the device keeps its own control).
 */
export interface Slot {
  value: number;
  /** Who or what set it: `user:张工`, `schedule:office-hvac`, `strategy:demand-limit`. */
  source: string;
  reason?: string | undefined;
  /** Epoch ms. */
  setAt: number;
  /** Epoch ms; the slot empties itself then. */
  expiresAt?: number | undefined;
}

export const LEVELS = 16;

export interface Effective {
  value: number | null;
  /** 1–16, or null when the relinquish default (or nothing) is in effect. */
  level: number | null;
  source: string | null;
}

export function isLive(slot: Slot | undefined, now: number): slot is Slot {
  return slot !== undefined && (slot.expiresAt === undefined || slot.expiresAt > now);
}

/** The value in effect at `now` from `slots` (level → slot). */
export function effectiveValue(
  slots: ReadonlyMap<number, Slot>,
  relinquishDefault: number | undefined,
  now: number,
): Effective {
  for (let level = 1; level <= LEVELS; level++) {
    const slot = slots.get(level);
    if (isLive(slot, now)) return { value: slot.value, level, source: slot.source };
  }
  return {
    value: relinquishDefault ?? null,
    level: null,
    source: relinquishDefault === undefined ? null : 'relinquish_default',
  };
}
