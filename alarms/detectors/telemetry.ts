import type { Clock } from '../../core/clock.ts';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import type { Logger } from '../../core/log.ts';
import type { Store } from '../../core/store/store.ts';
import type { Reading } from '../../core/telemetry.ts';
import type { Report } from '../detector.ts';
import { CommErrorDetector } from './commErrors.ts';
import { type DetectorContext, detectorContext } from './context.ts';
import { MeterDetector } from './meters.ts';
import { OutOfRangeDetector } from './outOfRange.ts';
import { StaleDetector } from './stale.ts';
import { StuckDetector } from './stuck.ts';

/**
 * The rules judged on telemetry as it arrives: stale, stuck, out of range, communication errors
 * and the meter anomalies (reset, rollover, replacement, reverse flow, jump). Each rule is its own
 * detector in this folder; this class routes readings to them and tells them which gateways are
 * down. Conditions carry the data's time; each is reported on change, never per sample.
 */
export class TelemetryDetectors {
  private readonly dc: DetectorContext;
  private readonly stale: StaleDetector;
  private readonly comm: CommErrorDetector;
  private readonly stuck: StuckDetector;
  private readonly range: OutOfRangeDetector;
  private readonly meters: MeterDetector;
  /** Gateways whose availability says offline (set by `onAvailability`). */
  private readonly offline = new Set<string>();
  /** When each gateway's last batch arrived (clock time). */
  private readonly heard = new Map<string, number>();
  /** Readings of devices the site file does not have: counted and logged once per device. */
  private readonly unknown = new Set<string>();

  constructor(readonly ctx: { site: LoadedSite; clock: Clock; log: Logger; report: Report }) {
    this.dc = detectorContext(ctx.site, ctx.report);
    const silent = (gateway: string, now: number) => this.gatewayDown(gateway, now);
    this.stale = new StaleDetector(this.dc, silent);
    this.comm = new CommErrorDetector(this.dc, (gw) => this.offline.has(gw));
    this.stuck = new StuckDetector(this.dc, silent);
    this.range = new OutOfRangeDetector(this.dc);
    this.meters = new MeterDetector(this.dc, ctx.site.config.meters);
  }

  /**
   * The alarms of these rules still active in the database from before a restart (rule, key, when
   * last raised, ms): each detector holds them as active, so the first good judgement of the data
   * clears them — a detector clears only what it holds, and a fresh one holds nothing. One whose
   * data stays bad stays active (and is updated when the figures change).
   */
  seed(alarms: readonly { rule: string; key: string; at: number }[]): number {
    let n = 0;
    for (const a of alarms) {
      if (a.rule === 'stale') this.stale.seed(a.key);
      else if (a.rule === 'stuck') this.stuck.seed(a.key);
      else if (a.rule === 'out_of_range') this.range.seed(a.key);
      else if (a.rule === 'comm_errors') this.comm.seed(a.key);
      else if (isMeterEvent(a.rule)) this.meters.seed(a.rule, a.key, a.at);
      else continue;
      n++;
    }
    return n;
  }

  /**
   * The meters' stored hourly rollups of the `days` before `now` (what the collector and the
   * simulated history wrote): the meter_jump bound learnt from them (MeterDetector.learnHours).
   */
  async learnMeterHours(store: Pick<Store, 'queryRollups'>, now: number, days = 28): Promise<number> {
    const rows = await store.queryRollups({ period: 'hour', from: now - days * 86_400_000, to: now });
    const byMeter = new Map<string, number[]>();
    for (const r of rows) byMeter.set(r.meter, [...(byMeter.get(r.meter) ?? []), r.value]);
    for (const [meter, hours] of byMeter) this.meters.learnHours(meter, hours);
    return rows.length;
  }

  /** One telemetry batch of `gateway` (readings carry their source time). */
  onBatch(gateway: string, readings: Reading[]): void {
    this.heard.set(gateway, this.ctx.clock.now());
    const devices = new Set<string>();
    for (const r of readings) {
      const device = this.dc.devices.get(r.device);
      if (!device) {
        if (!this.unknown.has(r.device)) {
          this.unknown.add(r.device);
          this.ctx.log.warn('telemetry of a device the site file does not have: not judged', {
            gateway,
            device: r.device,
          });
        }
        continue;
      }
      const ts = Date.parse(r.ts);
      if (!Number.isFinite(ts)) continue;
      const value = r.quality === 'bad' ? null : r.value;
      devices.add(r.device);
      this.stale.onReading(r.device, r.point, ts, value !== null);
      this.comm.onReading(r.device, ts, r.quality === 'bad', r.reason);
      this.stuck.onReading(device, r.point, ts, value, r.unit);
      this.range.onReading(device, r.point, ts, value, r.unit);
      this.meters.onReading(r.device, r.point, ts, value, r.quality === 'good', r.unit);
    }
    for (const d of devices) this.comm.judge(d);
  }

  /**
   * A gateway's availability (its retained `jn/v1/<gw>/availability`, which the alarm service
   * watches for gateway_offline): the devices of an offline gateway are not judged stale or stuck,
   * and raise no communication errors — that is the gateway's alarm.
   */
  onAvailability(gateway: string, online: boolean): void {
    if (online) this.offline.delete(gateway);
    else this.offline.add(gateway);
  }

  /** Judges what depends on time passing (stale, stuck, delays); called every few seconds. */
  tick(now: number): void {
    this.stale.tick(now);
    this.stuck.tick(now);
    this.range.tick(now);
  }

  /** Offline, or silent for the whole stale limit: then it is the gateway (or the path to it) that is down. */
  private gatewayDown(gateway: string, now: number): boolean {
    if (this.offline.has(gateway)) return true;
    const heard = this.heard.get(gateway);
    return heard === undefined || now - heard >= this.dc.rules.stale.after;
  }
}

const meterEvents = [
  'meter_reset',
  'meter_rollover',
  'meter_replacement',
  'meter_reverse',
  'meter_jump',
] as const;
function isMeterEvent(rule: string): rule is (typeof meterEvents)[number] {
  return (meterEvents as readonly string[]).includes(rule);
}
