import type { ModbusProfile } from '../../core/profiles/profileSchema.ts';
import type { BuildingModel } from '../physics/building.ts';
import type { Simulation } from '../physics/simulation.ts';
import type { MeterMeasures, SimDevice } from '../scenario/schema.ts';

/**
 * A simulated field device as the protocol servers see it: values by profile point id (in the
 * profile's engineering units) and, for controllers, writes that change the building.
 */
export interface SimulatedModbusDevice {
  id: string;
  unitId: number;
  profile: ModbusProfile;
  read(): Record<string, number>;
  write?(point: string, value: number): void;
}

/** Power (W or m³/h) and counter (kWh or m³) of what a meter measures in a building. */
function measured(b: BuildingModel, what: MeterMeasures): { rate: number; total: number } {
  switch (what) {
    case 'main':
      return { rate: b.power.main, total: b.counters.main };
    case 'lighting':
      return { rate: b.power.lighting, total: b.counters.lighting };
    case 'water':
      return { rate: b.power.water, total: b.counters.water };
    case 'gas':
      return { rate: b.power.gas, total: b.counters.gas };
    default:
      return { rate: b.power.subitems[what], total: b.counters.subitems[what] };
  }
}

/** An electricity meter on a building feeder: power and kWh from the physics, plausible volts, amps and hertz. */
function electricityValues(
  sim: Simulation,
  b: BuildingModel,
  what: MeterMeasures,
  phase: number,
): Record<string, number> {
  const { rate, total } = measured(b, what);
  const t = sim.time;
  const voltage = 230 + 2 * Math.sin(t / 3_600_000 + phase);
  const current = rate / (3 * voltage * 0.95);
  return {
    voltage_l1: voltage,
    voltage_l2: voltage + 0.4,
    voltage_l3: voltage - 0.3,
    current_l1: current * 1.02,
    current_l2: current,
    current_l3: current * 0.98,
    active_power: rate,
    frequency: 50 + 0.02 * Math.sin(t / 1_800_000 + phase),
    import_energy: total,
    export_energy: 0,
  };
}

/** Builds the device a scenario entry describes, bound to the running simulation. */
export function createSimDevice(options: {
  spec: SimDevice;
  profile: ModbusProfile;
  sim: Simulation;
  /** Brings the simulation up to the current time before a read. */
  advance: () => void;
}): SimulatedModbusDevice {
  const { spec, profile, sim, advance } = options;
  const base = { id: spec.id, unitId: spec.modbus.unit_id, profile };
  if (spec.meter) {
    const building = sim.building(spec.meter.building);
    if (!building) throw new Error(`device "${spec.id}": no building "${spec.meter.building}"`);
    const what = spec.meter.measures;
    const phase = spec.id.length;
    if (what === 'water' || what === 'gas') {
      return {
        ...base,
        read: () => {
          advance();
          const { rate, total } = measured(building, what);
          // Line conditions for a gas corrector: low-pressure supply (~3 kPa gauge) a little above
          // outdoor temperature; the standard-condition figures are what the building consumed.
          const temperature = sim.outdoor.temperature + 2;
          const pressure = 104.3;
          const toLine = ((temperature + 273.15) / 293.15) * (101.325 / pressure);
          return {
            flow_rate: rate,
            total_volume: total,
            reverse_volume: 0,
            standard_volume: total,
            standard_flow: rate,
            actual_volume: total * toLine,
            actual_flow: rate * toLine,
            temperature,
            pressure,
          };
        },
      };
    }
    return {
      ...base,
      read: () => {
        advance();
        return electricityValues(sim, building, what, phase);
      },
    };
  }
  const lighting = spec.lighting;
  if (!lighting) throw new Error(`device "${spec.id}": neither meter nor lighting`);
  const building = sim.building(lighting.building);
  const zones = lighting.channels.map((zoneId) => {
    const zone = building?.zone(zoneId);
    if (!zone)
      throw new Error(`device "${spec.id}": building "${lighting.building}" has no zone "${zoneId}"`);
    return zone;
  });
  /** `relay_2`, `dim_level_2` … → the zone of channel 2. */
  const channel = (point: string) => {
    const m = /_(\d+)$/.exec(point);
    return m ? zones[Number(m[1]) - 1] : undefined;
  };
  return {
    ...base,
    read: () => {
      advance();
      const values: Record<string, number> = {};
      zones.forEach((z, i) => {
        const n = i + 1;
        values[`relay_${n}`] = z.lighting.on ? 1 : 0;
        values[`dim_level_${n}`] = z.lighting.level;
        values[`output_level_${n}`] = z.lighting.on ? Math.round((z.lighting.level / 100) * 255) : 0;
        values[`channel_on_${n}`] = z.lighting.on && z.lighting.level > 0 ? 1 : 0;
      });
      return values;
    },
    write: (point, value) => {
      advance();
      const zone = channel(point);
      if (!zone) return;
      if (point.startsWith('relay_')) zone.lighting.on = value !== 0;
      if (point.startsWith('dim_level_')) zone.lighting.level = Math.min(100, Math.max(0, value));
    },
  };
}
