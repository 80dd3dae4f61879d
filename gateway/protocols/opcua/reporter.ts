import type { Clock } from '../../../core/clock.ts';
import type { Logger } from '../../../core/log.ts';
import type { OpcuaPoint } from '../../../core/profiles/profileSchema.ts';
import type { Reading } from '../../../core/telemetry.ts';
import type { AvailabilitySink } from '../../deviceAvailability.ts';
import { badReading } from '../../readings.ts';
import type { Target } from './items.ts';

/** A point whose value cannot be had, and why (naming the node, namespace or connection). */
export interface PointFailure {
  device: string;
  point: OpcuaPoint;
  reason: string;
}

/**
 * What one OPC UA connection publishes about its points besides their values: bad readings with
 * the reason while values cannot flow, and each device's availability — online on any good value,
 * offline when the connection is down or every point of the device is bad — so an OPC UA outage
 * looks like a Modbus one downstream.
 */
export class PointReporter {
  private outage: { reason: string; since: number; timer: NodeJS.Timeout | undefined } | undefined;
  /** Per device, the points whose last value was bad, with the reason. */
  private readonly badPoints = new Map<string, Map<string, string>>();

  constructor(
    private readonly ctx: {
      targets: Target[];
      clock: Clock;
      log: Logger;
      emit: (readings: Reading[]) => void;
      availability: AvailabilitySink | undefined;
      /** How often bad readings are repeated during an outage, ms. */
      repeatEvery: number;
    },
  ) {}

  /** Values of the connection reach the gateway, and go on (notifications or reads). */
  publish(readings: Reading[]): void {
    for (const r of readings) this.note(r);
    if (readings.length > 0) this.ctx.emit(readings);
  }

  /** Points that could not be monitored or found: one bad reading each, logged. */
  failures(failed: PointFailure[]): void {
    if (failed.length === 0) return;
    const ts = new Date(this.ctx.clock.now()).toISOString();
    // One line per device, not per point: a wrong namespace fails every point of a device alike.
    for (const device of new Set(failed.map((f) => f.device))) {
      const list = failed.filter((f) => f.device === device);
      this.ctx.log.error('opcua nodes not available', {
        device,
        points: list.map((f) => f.point.id).join(', '),
        reason: list[0]?.reason,
      });
    }
    this.publish(
      failed.map((f) => badReading(f.device, { point: f.point.id, unit: f.point.unit }, ts, f.reason)),
    );
  }

  /**
   * Values stopped flowing (no connection, session or subscription): every point is published
   * bad with `reason` now and each `repeatEvery` until `end`; every device goes offline. A second
   * call during the outage only updates the reason the next bad readings give.
   */
  begin(reason: string): void {
    if (this.outage) {
      this.outage.reason = reason;
      return;
    }
    const outage = { reason, since: this.ctx.clock.now(), timer: undefined as NodeJS.Timeout | undefined };
    this.outage = outage;
    for (const device of new Set(this.ctx.targets.map((t) => t.device)))
      this.ctx.availability?.down(device, reason);
    const tick = () => {
      if (this.outage !== outage) return;
      const ts = new Date(this.ctx.clock.now()).toISOString();
      this.ctx.emit(
        this.ctx.targets.map((t) =>
          badReading(t.device, { point: t.point.id, unit: t.point.unit }, ts, outage.reason),
        ),
      );
      outage.timer = setTimeout(tick, this.ctx.repeatEvery);
    };
    tick();
  }

  /** Values flow again; returns the outage that ended, if one was on. */
  end(): { reason: string; since: number } | undefined {
    const outage = this.outage;
    this.outage = undefined;
    clearTimeout(outage?.timer);
    return outage && { reason: outage.reason, since: outage.since };
  }

  private note(reading: Reading): void {
    const bad = this.badPoints.get(reading.device) ?? new Map<string, string>();
    this.badPoints.set(reading.device, bad);
    if (reading.quality === 'good') {
      bad.delete(reading.point);
      this.ctx.availability?.up(reading.device);
      return;
    }
    if (reading.quality !== 'bad') return;
    const reason = reading.reason ?? 'bad value';
    bad.set(reading.point, reason);
    const all = this.ctx.targets.filter((t) => t.device === reading.device).length;
    if (bad.size >= all) this.ctx.availability?.down(reading.device, reason);
  }
}
