import type { PointRole } from '../core/profiles/profileSchema.ts';
import type { Reading } from '../core/telemetry.ts';

/** Roles whose value is expected to move; setpoints, states and nameplate data may rest for months. */
const MOVING: ReadonlySet<PointRole> = new Set(['measurement', 'energy_counter', 'volume_counter']);

/**
 * Flags values that stopped changing: a reading whose value has been the same for `afterMs` or
 * longer (by source timestamps) is published with quality `uncertain` and says since when — a
 * frozen meter or a stuck transducer shows up instead of passing as a flat line.
 */
export class StaleTracker {
  private readonly last = new Map<string, { value: number; since: number }>();

  constructor(private readonly afterMs: number) {}

  /** Whether points of this role are checked at all. */
  static applies(role: PointRole): boolean {
    return MOVING.has(role);
  }

  check(reading: Reading): Reading {
    if (reading.quality === 'bad' || reading.value === null) return reading;
    const key = `${reading.device}/${reading.point}`;
    const at = Date.parse(reading.ts);
    const prev = this.last.get(key);
    if (!prev || prev.value !== reading.value) {
      this.last.set(key, { value: reading.value, since: at });
      return reading;
    }
    if (at - prev.since < this.afterMs) return reading;
    return {
      ...reading,
      quality: 'uncertain',
      reason: `stale: unchanged since ${new Date(prev.since).toISOString()}`,
    };
  }

  /** Keys (device/point) whose last value is older than the limit at `now`, with that value. */
  staleAt(now: number): { key: string; value: number; since: number }[] {
    return [...this.last.entries()]
      .filter(([, v]) => now - v.since >= this.afterMs)
      .map(([key, v]) => ({ key, ...v }));
  }
}
