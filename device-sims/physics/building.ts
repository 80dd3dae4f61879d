import type { BuildingSim } from '../scenario/schema.ts';
import { uniform } from './random.ts';
import { type StepConditions, ZoneModel } from './zone.ts';

/** Electricity sub-items (分项) of GB/T 51161 / 国家机关办公建筑能耗监测 item codes 01A–01D. */
export const subitems = ['lighting_socket', 'hvac', 'power', 'special'] as const;
export type Subitem = (typeof subitems)[number];

/** Instantaneous values of a building after a step. */
export interface BuildingPower {
  /** W per sub-item. */
  subitems: Record<Subitem, number>;
  /** W at the main meter: the sub-items plus losses. */
  main: number;
  /** W of the lighting circuits. */
  lighting: number;
  /** m³/h */
  water: number;
  /** m³/h */
  gas: number;
  /** People present. */
  occupants: number;
}

/** Cumulative counters, the registers of the building's meters. */
export interface BuildingCounters {
  /** kWh per sub-item meter. */
  subitems: Record<Subitem, number>;
  /** kWh at the main meter. */
  main: number;
  /** kWh of the lighting circuits alone (a part of 照明插座; a meter on the lighting panel). */
  lighting: number;
  /** m³ */
  water: number;
  /** m³ */
  gas: number;
}

/**
 * A building: its zones plus the loads that are not zone-bound — elevators and pumps (动力), the
 * data room (特殊), canteen gas and water — and the meters that integrate all of it. The main
 * meter sees the sub-meters plus losses, so main ≈ Σ sub-meters × (1 + losses).
 */
export class BuildingModel {
  readonly zones: ZoneModel[];
  power: BuildingPower;
  readonly counters: BuildingCounters;
  /** A leak: continuous extra water flow, m³/h (fault injection). */
  leak = 0;

  constructor(
    readonly spec: BuildingSim,
    private readonly seed: string | number,
    initialTemperature: number,
  ) {
    const ctx = {
      headcount: spec.headcount,
      plugActive: spec.plug_load.active,
      plugStandby: spec.plug_load.standby,
    };
    this.zones = spec.zones.map((z) => new ZoneModel(z, ctx, initialTemperature));
    // Meters installed a few months before the simulation starts: counters in the tens of thousands
    // keep float32 registers (SDM630, DTSU666) at a resolution of a few Wh, so a demo's kWh visibly
    // grows from one read to the next; at 1.2 million kWh a float32 steps in 0.125 kWh.
    const start = (what: string, scale: number) =>
      Math.round(scale * (0.2 + uniform(seed, spec.id, 'counter', what)) * 10) / 10;
    const sub = {
      lighting_socket: start('ls', 20_000),
      hvac: start('hvac', 30_000),
      power: start('power', 10_000),
      special: start('special', 7_500),
    };
    this.counters = {
      subitems: sub,
      main: Object.values(sub).reduce((a, b) => a + b, 0) * (1 + spec.losses),
      lighting: start('lighting', 12_000),
      water: start('water', 4_000),
      gas: spec.canteen ? start('gas', 3_000) : 0,
    };
    this.power = {
      subitems: { lighting_socket: 0, hvac: 0, power: 0, special: 0 },
      main: 0,
      lighting: 0,
      water: 0,
      gas: 0,
      occupants: 0,
    };
  }

  zone(id: string): ZoneModel | undefined {
    return this.zones.find((z) => z.spec.id === id);
  }

  step(options: StepConditions & { stepIndex: number }): void {
    const { occupancy, working, hour, stepSeconds } = options;
    const s = this.spec;
    let lightingSocket = 0;
    let lighting = 0;
    let hvac = 0;
    let occupants = 0;
    for (const zone of this.zones) {
      const z = zone.step(options);
      lightingSocket += z.lightingPower + z.plugPower;
      lighting += z.lightingPower;
      hvac += z.hvacPower;
      occupants += z.occupants;
    }
    const hvacRunning = this.zones.some((z) => z.hvac.on);
    // Elevators idle on standby and run with traffic; pumps run harder while the air-conditioning does.
    const elevators = s.elevators.count * s.elevators.rated_power * 1000 * (0.06 + 0.35 * occupancy);
    const pumps = s.pumps * 1000 * (hvacRunning ? 0.8 : 0.25);
    const dataRoom =
      s.data_room * 1000 * (1 + 0.03 * (uniform(this.seed, s.id, 'dataroom', options.stepIndex) - 0.5));
    const subitemPower: Record<Subitem, number> = {
      lighting_socket: lightingSocket,
      hvac,
      power: elevators + pumps,
      special: dataRoom,
    };
    const lunchPrep = working && hour >= 10 && hour < 12.5;
    const lunch = working && hour >= 11.5 && hour < 13;
    const meals = s.canteen?.meals ?? 0;
    const gas = lunchPrep ? (meals * (s.canteen?.gas_per_meal ?? 0)) / 2.5 : 0;
    const water =
      this.leak +
      occupants * s.water_per_person_hour +
      s.water_base +
      (lunch ? (meals * (s.canteen?.water_per_meal ?? 0)) / 1.5 : 0);
    const subSum = subitems.reduce((sum, k) => sum + subitemPower[k], 0);
    this.power = { subitems: subitemPower, main: subSum * (1 + s.losses), lighting, water, gas, occupants };

    const hours = stepSeconds / 3600;
    for (const k of subitems) this.counters.subitems[k] += (subitemPower[k] * hours) / 1000;
    this.counters.main += (this.power.main * hours) / 1000;
    this.counters.lighting += (lighting * hours) / 1000;
    this.counters.water += water * hours;
    this.counters.gas += gas * hours;
  }
}
