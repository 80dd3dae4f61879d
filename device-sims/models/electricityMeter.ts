import type { Clock } from '../../core/clock.ts';
import { OccupancyModel } from './occupancy.ts';

/** A small deterministic hash → [0, 1), so every device gets its own but repeatable character. */
export function unitHash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return ((h >>> 0) % 1_000_000) / 1_000_000;
}

export interface ElectricityMeterOptions {
  /** Seeds the load shape and the initial counter. */
  seed: string;
  clock: Clock;
  timeZone: string;
  /** Night base load, W (default 8–16 kW from the seed). */
  baseLoad?: number;
  /** Extra load at the height of office hours, W (default 20–40 kW from the seed). */
  peakLoad?: number;
}

/**
 * A three-phase office feeder: base load plus a share that follows occupancy on the Chinese working
 * calendar (none on weekends and holidays, full on 补班 days), with a slow deterministic ripple. The import counter integrates the power, so
 * kWh and W are always consistent.
 */
export class ElectricityMeterModel {
  private readonly base: number;
  private readonly peak: number;
  private readonly phase: number;
  private energyWh: number;
  private lastMs: number;
  private readonly occupancy: OccupancyModel;

  constructor(private readonly opts: ElectricityMeterOptions) {
    const h = unitHash(opts.seed);
    this.base = opts.baseLoad ?? 8000 + 8000 * h;
    this.peak = opts.peakLoad ?? 20_000 + 20_000 * h;
    this.phase = h * 2 * Math.PI;
    this.energyWh = (10_000 + 90_000 * h) * 1000;
    this.lastMs = opts.clock.now();
    this.occupancy = new OccupancyModel({ timeZone: opts.timeZone });
  }

  /** Active power in W at `ms`: base load plus the occupancy-driven share of the peak. */
  powerAt(ms: number): number {
    const ripple = 0.03 * Math.sin(ms / 47_000 + this.phase) + 0.02 * Math.sin(ms / 7_300 + 2 * this.phase);
    return (this.base + this.peak * this.occupancy.fractionAt(ms)) * (1 + ripple);
  }

  /** Advances the counter to now (trapezoids of at most 1 s) and returns every measured value. */
  read(): Record<string, number> {
    const now = this.opts.clock.now();
    for (let t = this.lastMs; t < now; ) {
      const next = Math.min(now, t + 1000);
      this.energyWh += (((this.powerAt(t) + this.powerAt(next)) / 2) * (next - t)) / 3_600_000;
      t = next;
    }
    this.lastMs = Math.max(this.lastMs, now);
    const power = this.powerAt(now);
    const voltage = 230 + 2 * Math.sin(now / 60_000 + this.phase);
    const current = power / (3 * voltage * 0.95);
    return {
      voltage_l1: voltage,
      voltage_l2: voltage + 0.4,
      voltage_l3: voltage - 0.3,
      current_l1: current * 1.02,
      current_l2: current,
      current_l3: current * 0.98,
      active_power: power,
      frequency: 50 + 0.02 * Math.sin(now / 30_000),
      import_energy: this.energyWh / 1000,
      export_energy: 0,
    };
  }
}
