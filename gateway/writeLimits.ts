import type { Clock } from '../core/clock.ts';
import { type ControlPoint, pointKey, timingViolation, type WriteHistory } from '../core/control/points.ts';

const HOUR_MS = 3_600_000;

/**
 * The site's minimum on/off times and write rates (`control.points`: min_on, min_off,
 * max_writes_per_hour), enforced at the gateway with control's own rule (`timingViolation`), so a
 * signed command that comes too fast is refused here too. The gateway counts a write from when it
 * accepts the command and keeps it only if the device took it — never stricter than control,
 * which counts from the read-back — and forgets everything on a restart (control remembers).
 */
export class WriteLimits {
  private readonly history = new Map<string, WriteHistory>();

  constructor(
    private readonly o: {
      /** The site's writable points with their settings (they change on a reload). */
      points: () => Map<string, ControlPoint>;
      /** The site's time zone, for the local times in the reasons. */
      timeZone: () => string;
      /** The platform clock: the one control measures these times on. */
      clock: Clock;
      /** The value the gateway last read of a point: a write to the value the device already has does not switch it. */
      present?: (device: string, point: string) => number | undefined;
    },
  ) {}

  /** Why writing `value` now breaks the point's minimum on/off time (`timing`) or write rate (`rate`). */
  check(
    device: string,
    point: string,
    value: number,
  ): { refusal: 'timing' | 'rate'; reason: string } | undefined {
    const cp = this.o.points().get(pointKey(device, point));
    const h = this.history.get(pointKey(device, point));
    if (!cp || !h) return undefined;
    const v = timingViolation(cp, value, h, this.o.clock.now(), this.o.timeZone());
    if (!v) return undefined;
    return { refusal: v.kind === 'rate' ? 'rate' : 'timing', reason: v.reason };
  }

  /**
   * Counts a write that starts now (a second command to the point meanwhile sees it); the returned
   * function says whether the device took it — if not, it is uncounted again.
   */
  begin(device: string, point: string, value: number): (written: boolean) => void {
    const key = pointKey(device, point);
    const now = this.o.clock.now();
    const h = this.history.get(key) ?? { recent: [] };
    this.history.set(key, h);
    const before = h.last;
    const entry = { value, at: now };
    // Minimum on/off times count from a switch: a binary point already at `value` (as last read, and as
    // last written, if it was) is held by this write, not switched. The rate counts every write.
    const binary = this.o.points().get(key)?.binary === true;
    const held =
      binary && this.o.present?.(device, point) === value && (before === undefined || before.value === value);
    if (!held) h.last = entry;
    h.recent = h.recent.filter((t) => t > now - HOUR_MS);
    h.recent.push(now);
    return (written) => {
      if (written) return;
      const i = h.recent.lastIndexOf(now);
      if (i >= 0) h.recent.splice(i, 1);
      if (h.last === entry) h.last = before;
    };
  }
}
