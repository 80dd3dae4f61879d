import type { Clock } from '../../core/clock.ts';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import type { Logger } from '../../core/log.ts';
import type { Reading } from '../../core/telemetry.ts';
import type { Report } from '../detector.ts';

/**
 * The rules judged on telemetry as it arrives: stale, stuck, out of range, communication errors
 * and the meter anomalies (reset, rollover, replacement, reverse flow, jump). STUB: issue 17 fills it.
 */
export class TelemetryDetectors {
  constructor(readonly ctx: { site: LoadedSite; clock: Clock; log: Logger; report: Report }) {}

  /** One telemetry batch of `gateway` (readings carry their source time). */
  onBatch(_gateway: string, _readings: Reading[]): void {}

  /** Judges what depends on time passing (stale, stuck, delays); called every few seconds. */
  tick(_now: number): void {}
}
