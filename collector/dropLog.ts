import type { Logger } from '../core/log.ts';
import type { QuarantinedReading } from '../core/store/store.ts';
import type { CollectorCounters } from './counters.ts';
import type { Dropped } from './intake.ts';

/** The valid readings of `dropped` (out of the window, unknown device) as quarantine rows. */
export function toQuarantine(
  gateway: string,
  dropped: readonly Dropped[],
  received: number,
): QuarantinedReading[] {
  const out: QuarantinedReading[] = [];
  for (const d of dropped) {
    const r = d.reading;
    if (!r) continue;
    const row: QuarantinedReading = {
      gateway,
      device: r.device,
      point: r.point,
      value: r.value,
      ts: r.ts,
      quality: r.quality,
      kind: d.kind,
      reason: d.reason,
      received,
    };
    if (r.unit !== undefined) row.unit = r.unit;
    out.push(row);
  }
  return out;
}

/**
 * Counts and logs what the collector does not store as readings: each kind once per gateway and
 * device (then only counted — a broken meter must not flood the log), and duplicate batches as a
 * summary per gateway at most once a minute.
 */
export class DropLog {
  private readonly saidOnce = new Set<string>();
  /** Duplicates dropped per gateway since the last summary line. */
  private readonly duplicatesToSay = new Map<string, number>();
  private duplicatesSaid = 0;

  constructor(
    private readonly log: Logger,
    private readonly counters: CollectorCounters,
  ) {}

  private once(key: string, say: () => void): void {
    if (this.saidOnce.has(key) || this.saidOnce.size > 10_000) return;
    this.saidOnce.add(key);
    say();
  }

  note(gateway: string, dropped: readonly Dropped[]): void {
    const { counters, log } = this;
    for (const d of dropped) {
      if (d.kind === 'unknown_device') {
        counters.unknown_device_readings++;
        this.once(`unknown:${gateway}/${d.device}`, () =>
          log.warn(
            'readings of a device not in the site file are quarantined; add the device to the site file',
            {
              gateway,
              device: d.device,
            },
          ),
        );
      } else if (d.kind === 'invalid') {
        counters.readings_rejected++;
        counters.last_rejection = `${gateway}: ${d.reason}`;
        this.once(`invalid:${gateway}/${d.device}`, () =>
          log.warn('reading rejected (further ones of this device are counted)', {
            gateway,
            reason: d.reason,
          }),
        );
      } else {
        counters.quarantined++;
        counters.last_quarantined = `${gateway}/${d.device}: ${d.reason}`;
        this.once(`${d.kind}:${gateway}/${d.device}`, () =>
          log.warn(
            'reading quarantined: not stored as a reading, not rolled up (further ones of this device are counted)',
            {
              gateway,
              device: d.device,
              reason: d.reason,
            },
          ),
        );
      }
    }
  }

  duplicate(gateway: string): void {
    this.counters.duplicates++;
    this.duplicatesToSay.set(gateway, (this.duplicatesToSay.get(gateway) ?? 0) + 1);
    this.sayDuplicates(false);
  }

  /** The summary of duplicates, if a minute has passed since the last (or `force`). */
  sayDuplicates(force: boolean): void {
    if (this.duplicatesToSay.size === 0 || (!force && Date.now() - this.duplicatesSaid < 60_000)) return;
    this.duplicatesSaid = Date.now();
    for (const [gateway, n] of this.duplicatesToSay)
      this.log.info('duplicate batches dropped (redeliveries of batches already stored)', {
        gateway,
        batches: n,
      });
    this.duplicatesToSay.clear();
  }
}
