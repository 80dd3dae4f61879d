import { localParts } from '../../core/localTime.ts';
import { OccupancyModel } from '../models/occupancy.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { BuildingCounters } from './building.ts';
import { BuildingModel } from './building.ts';
import { type Outdoor, WeatherModel } from './weather.ts';

/**
 * The simulated compound. Time advances in fixed steps of `scenario.step` simulated seconds from
 * `start`; `advanceTo(ms)` runs every step up to `ms`. State depends only on the scenario, the
 * seed and the number of steps — not on when or how often it is read — so runs are repeatable.
 */
export class Simulation {
  readonly buildings: BuildingModel[];
  readonly weather: WeatherModel;
  readonly occupancy: OccupancyModel;
  outdoor: Outdoor;
  /** Simulated time of the state, epoch ms (a step boundary). */
  time: number;
  private stepIndex = 0;
  private readonly stepMs: number;

  constructor(
    readonly scenario: Scenario,
    start: number,
  ) {
    this.stepMs = scenario.step * 1000;
    this.time = Math.floor(start / this.stepMs) * this.stepMs;
    this.weather = new WeatherModel(scenario.weather, { seed: scenario.seed, timeZone: scenario.timezone });
    this.occupancy = new OccupancyModel({ timeZone: scenario.timezone });
    this.outdoor = this.weather.at(this.time);
    const indoor = Math.min(30, Math.max(16, this.outdoor.temperature + 2));
    this.buildings = scenario.buildings.map((b) => new BuildingModel(b, scenario.seed, indoor));
    // Run the step that ends at the start, so that the first read already sees powers and flows.
    this.time -= this.stepMs;
    this.advanceTo(this.time + this.stepMs);
  }

  building(id: string): BuildingModel | undefined {
    return this.buildings.find((b) => b.spec.id === id);
  }

  /** Runs every whole step up to `ms` (a no-op when `ms` is not past the next step). */
  advanceTo(ms: number): void {
    while (this.time + this.stepMs <= ms) {
      const mid = this.time + this.stepMs / 2;
      const { date, hour } = localParts(mid, this.scenario.timezone);
      this.outdoor = this.weather.atLocal(date, hour);
      const occupancy = this.occupancy.fraction(date, hour);
      const working = this.occupancy.day(date).working;
      for (const b of this.buildings) {
        b.step({
          outdoor: this.outdoor,
          occupancy,
          working,
          hour,
          stepSeconds: this.scenario.step,
          stepIndex: this.stepIndex,
        });
      }
      this.time += this.stepMs;
      this.stepIndex++;
    }
  }

  /** The meters' registers at `time`: what a restart resumes from. */
  snapshot(): SimulationSnapshot {
    return {
      scenario: this.scenario.name,
      time: this.time,
      counters: Object.fromEntries(this.buildings.map((b) => [b.spec.id, structuredClone(b.counters)])),
    };
  }

  /** Sets the meters' registers from a snapshot (buildings it does not know keep theirs). */
  restoreCounters(snapshot: SimulationSnapshot): void {
    for (const b of this.buildings) {
      const saved = snapshot.counters[b.spec.id];
      if (saved) Object.assign(b.counters, structuredClone(saved));
    }
  }
}

export interface SimulationSnapshot {
  scenario: string;
  /** Simulated time of the snapshot, epoch ms. */
  time: number;
  counters: Record<string, BuildingCounters>;
}
