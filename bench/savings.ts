import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WriteOutcome } from '../control/engine.ts';
import { ControlService } from '../control/service.ts';
import { ManualClock } from '../core/clock.ts';
import { type LoadedSite, loadSite } from '../core/config/loadSite.ts';
import { policyData } from '../core/control/policyData.ts';
import { localParts } from '../core/localTime.ts';
import { createLogger } from '../core/log.ts';
import type { OpcuaProfile } from '../core/profiles/profileSchema.ts';
import { hourlyConsumption } from '../core/rollup/consumption.ts';
import { createSimDevice, type SimulatedModbusDevice } from '../device-sims/devices/adapters.ts';
import { Simulation } from '../device-sims/physics/simulation.ts';
import type { ZoneModel } from '../device-sims/physics/zone.ts';
import { defaultScenarioFile, type LoadedScenario, loadScenario } from '../device-sims/scenario/load.ts';
import { zoneSignal } from '../device-sims/servers/opcua.ts';

/**
 * The simulated compound run for a stretch of days, either unmanaged (the baseline: every
 * zone's air-conditioning and lighting on 07:00–22:00 every calendar day, cooling setpoint 24 °C)
 * or managed by jieneng's control service with the demo site's default strategy (schedules on
 * the working calendar, the 26 °C rule, optimal start, lighting sweeps, demand limiting).
 *
 * Everything is measured the way the platform would measure it: electricity from the meters'
 * kWh registers (what the gateway reads), read every 15 minutes and turned into hourly
 * consumption by core/rollup; comfort from the zones' temperature; demand from the main meter's
 * quarter-hour consumption. Nothing is taken from the strategy's plan.
 */

/** Comfort band of the cooling season, from core/control/data/policy.yaml (with its source). */
export const comfortBand = policyData.comfort_band_cooling;

/** A zone counts as occupied while at least this share of its people are in. */
const OCCUPIED_SHARE = 0.1;

export interface RunResult {
  /** kWh from the meters, summed over the buildings: 空调, the lighting panels, 照明插座 (lighting and sockets), main. */
  kwh: { hvac: number; lighting: number; lighting_socket: number; main: number };
  /** Share of the kWh that core/rollup estimated rather than measured. */
  estimatedShare: number;
  comfort: { occupiedZoneHours: number; inBandZoneHours: number; share: number };
  /** 15-minute demand (kW) of each building's main meter, per quarter hour: [start ms, kW]. */
  demand: Map<string, [number, number][]>;
  /** Writes that reached a simulated device, and requests control rejected. */
  writes: number;
  rejected: number;
  service?: ControlService;
}

/** How control's writes reach the simulated devices: the same conversions the gateway makes. */
function simDispatcher(
  site: LoadedSite,
  sim: Simulation,
  modbus: Map<string, SimulatedModbusDevice>,
  counter: { writes: number },
  disobedient: readonly string[],
) {
  return {
    write: async (c: { device: string; point: string; value: number }): Promise<WriteOutcome> => {
      const owner = site.devices.get(c.device);
      if (disobedient.includes(c.device)) {
        // A unit with a failed relay board: it acknowledges and keeps doing what it did.
        const zone = zoneOf(site, sim, c.device);
        const point = (owner?.profile as OpcuaProfile | undefined)?.points.find((p) => p.id === c.point);
        return {
          status: 'written',
          readBack: zone ? numeric(zoneSignal(zone, c.point).get(), point?.values) : null,
        };
      }
      const m = modbus.get(c.device);
      if (m?.write) {
        m.write(c.point, c.value);
        counter.writes++;
        return { status: 'written', readBack: m.read()[c.point] };
      }
      const zone = zoneOf(site, sim, c.device);
      if (!zone || !owner) return { status: 'rejected', reason: `no simulated device ${c.device}` };
      const point = (owner.profile as OpcuaProfile).points.find((p) => p.id === c.point);
      const signal = zoneSignal(zone, c.point);
      const value =
        point?.data_type === 'Boolean' ? c.value === 1 : point?.values ? point.values[c.value] : c.value;
      if (!signal.set?.(value)) return { status: 'rejected', reason: 'refused by the device' };
      counter.writes++;
      return { status: 'written', readBack: numeric(signal.get(), point?.values) };
    },
  };
}

function numeric(v: boolean | number | string, values?: string[]): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return values?.indexOf(v) ?? Number.NaN;
  return v;
}

function zoneOf(site: LoadedSite, sim: Simulation, device: string): ZoneModel | undefined {
  const d = site.devices.get(device)?.device;
  const object = d && 'object' in d ? d.object : undefined;
  if (!object) return undefined;
  const [b, z] = object.split('.');
  return sim.building(b ?? '')?.zone(z ?? '');
}

export async function runCompound(options: {
  mode: 'baseline' | 'managed';
  /** Local date of the first day. */
  from: string;
  days: number;
  site?: LoadedSite;
  scenario?: LoadedScenario;
  /** Physics step, s (default 60). */
  step?: number;
  strategies?: { optimalStart?: boolean; sweeps?: boolean; demand?: boolean };
  /** Units that acknowledge commands but do not follow them (fault injection). */
  disobedient?: string[];
  /** Called after every control cycle (managed) or step (baseline). */
  onStep?: (now: number, sim: Simulation) => void;
}): Promise<RunResult> {
  const site = options.site ?? loadSite(join(import.meta.dirname, '../examples/demo-site.yaml'));
  const loaded = options.scenario ?? loadScenario(defaultScenarioFile);
  const step = options.step ?? 60;
  const tz = site.config.site.timezone;
  const start = Date.parse(`${options.from}T00:00:00+08:00`);
  const end = start + options.days * 86_400_000;
  const sim = new Simulation({ ...loaded.scenario, step }, start);
  const clock = new ManualClock(start);
  const modbus = new Map<string, SimulatedModbusDevice>();
  for (const spec of loaded.scenario.devices) {
    const profile = loaded.profiles.get(spec.profile);
    if (profile?.protocol === 'modbus')
      modbus.set(spec.id, createSimDevice({ spec, profile, sim, advance: () => {} }));
  }
  const counter = { writes: 0 };
  const zones = sim.buildings.flatMap((b) => b.zones.map((z) => ({ building: b, zone: z })));
  let service: ControlService | undefined;
  if (options.mode === 'managed') {
    // Zones whose unit jieneng schedules are switched by it; the others keep their own time switch.
    const scheduled = new Set(
      site.config.control.schedules
        .filter((s) => s.point === 'on_off')
        .flatMap((s) => site.config.control.groups.find((g) => g.id === s.group)?.devices ?? []),
    );
    for (const device of scheduled) {
      const zone = zoneOf(site, sim, device);
      if (zone) zone.timeSwitch = false;
    }
    // A disobedient unit is stuck running.
    for (const device of options.disobedient ?? []) {
      const zone = zoneOf(site, sim, device);
      if (zone) zone.hvac.on = true;
    }
    service = new ControlService({
      site,
      dbFile: join(mkdtempSync(join(tmpdir(), 'jn-savings-')), 'control.db'),
      dispatcher: simDispatcher(site, sim, modbus, counter, options.disobedient ?? []),
      latest: (device, point) => {
        const m = modbus.get(device);
        if (m) return m.read()[point];
        const zone = zoneOf(site, sim, device);
        const p = (site.devices.get(device)?.profile as OpcuaProfile | undefined)?.points.find(
          (q) => q.id === point,
        );
        if (!zone || !p) return undefined;
        if (point === 'zone_temperature') return zone.temperature;
        return numeric(zoneSignal(zone, point).get(), p.values);
      },
      clock,
      log: createLogger({ level: 'error' }),
      strategies: options.strategies,
    });
  } else for (const { zone } of zones) zone.timeSwitch = false;

  // The meters the result is measured on: every building's main, 空调, 照明插座 and lighting-panel
  // meters (the simulated devices' kWh registers, as a gateway reads them).
  const meters = loaded.scenario.devices.flatMap((d) =>
    d.meter && ['main', 'hvac', 'lighting_socket', 'lighting'].includes(d.meter.measures)
      ? [{ device: d.id, building: d.meter.building, measures: d.meter.measures }]
      : [],
  );
  const samples = new Map(
    meters.map((m) => [m.device, [] as { ts: number; value: number; quality: 'good' }[]]),
  );
  const sample = (ts: number) => {
    for (const m of meters) {
      const value = modbus.get(m.device)?.read().import_energy;
      if (value !== undefined) samples.get(m.device)?.push({ ts, value, quality: 'good' });
    }
  };
  let occupiedZoneHours = 0;
  let inBandZoneHours = 0;
  sample(start);
  for (let t = start + step * 1000; t <= end; t += step * 1000) {
    const { date, hour } = localParts(t - step * 500, tz);
    if (options.mode === 'baseline') {
      const on = hour >= 7 && hour < 22;
      for (const { zone } of zones) {
        zone.hvac.on = on;
        zone.hvac.coolingSetpoint = 24;
        zone.lighting.on = on;
        zone.lighting.level = 100;
      }
    }
    sim.advanceTo(t);
    clock.set(t);
    if (service) await service.tick();
    options.onStep?.(t, sim);
    // Comfort over the step just simulated.
    const occupancy = sim.occupancy.fraction(date, hour);
    for (const { zone } of zones) {
      const s = zone.spec;
      // The canteen is in use at meals: its scenario time switch says when.
      const inUse =
        s.hvac.schedule.off - s.hvac.schedule.on < 6
          ? hour >= s.hvac.schedule.on && hour < s.hvac.schedule.off
          : true;
      if (occupancy < OCCUPIED_SHARE || !inUse) continue;
      occupiedZoneHours += step / 3600;
      if (zone.temperature >= comfortBand.min && zone.temperature <= comfortBand.max)
        inBandZoneHours += step / 3600;
    }
    if (t % 900_000 === 0) sample(t);
  }
  const kwh = { hvac: 0, lighting: 0, lighting_socket: 0, main: 0 };
  let estimated = 0;
  const demand = new Map<string, [number, number][]>();
  for (const m of meters) {
    const result = hourlyConsumption(samples.get(m.device) ?? [], { timeZone: tz });
    const total = result.hours.reduce((a, h) => a + h.value, 0);
    estimated += result.hours.reduce((a, h) => a + h.estimated, 0);
    kwh[m.measures as keyof typeof kwh] += total;
    if (m.measures === 'main') {
      const s = samples.get(m.device) ?? [];
      demand.set(
        m.building,
        s.slice(1).map((cur, i) => [s[i]?.ts ?? 0, (cur.value - (s[i]?.value ?? cur.value)) * 4]),
      );
    }
  }
  return {
    kwh,
    estimatedShare: estimated / (kwh.hvac + kwh.lighting + kwh.lighting_socket + kwh.main),
    comfort: { occupiedZoneHours, inBandZoneHours, share: inBandZoneHours / occupiedZoneHours },
    demand,
    writes: counter.writes,
    rejected: service
      ? service.audit({ limit: 1000 }).filter((a) => (a as { outcome: string }).outcome === 'rejected').length
      : 0,
    ...(service ? { service } : {}),
  };
}

/** `npm run bench -- savings`: July 2025 in Fuzhou, baseline against jieneng's default strategy. */
export async function benchSavings(): Promise<string[]> {
  const from = '2025-07-01';
  const days = 31;
  const started = performance.now();
  const baseline = await runCompound({ mode: 'baseline', from, days });
  const managed = await runCompound({ mode: 'managed', from, days });
  managed.service?.close();
  const seconds = (performance.now() - started) / 1000;
  const use = (r: RunResult) => r.kwh.hvac + r.kwh.lighting;
  const saved = 1 - use(managed) / use(baseline);
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const f = (x: number) => x.toFixed(0);
  const withPlugs = (r: RunResult) => r.kwh.hvac + r.kwh.lighting_socket;
  return [
    `HVAC + lighting electricity (空调 and lighting-panel meters, ${from} + ${days} days): baseline ${f(use(baseline))} kWh | jieneng ${f(use(managed))} kWh | saved ${pct(saved)} (goal ≥ 30 %)`,
    `  空调 ${f(baseline.kwh.hvac)} → ${f(managed.kwh.hvac)} kWh; lighting ${f(baseline.kwh.lighting)} → ${f(managed.kwh.lighting)} kWh; with the sockets (空调 + 照明插座 meters) ${f(withPlugs(baseline))} → ${f(withPlugs(managed))} kWh, saved ${pct(1 - withPlugs(managed) / withPlugs(baseline))}; main meters ${f(baseline.kwh.main)} → ${f(managed.kwh.main)} kWh`,
    `comfort (occupied zone-hours within ${comfortBand.min}–${comfortBand.max} °C): baseline ${pct(baseline.comfort.share)} | jieneng ${pct(managed.comfort.share)} of ${f(managed.comfort.occupiedZoneHours)} h (goal ≥ 95 %)`,
    `jieneng: ${managed.writes} writes reached the simulated devices, ${managed.rejected} requests rejected by policy; estimated share of the kWh ${pct(managed.estimatedShare)}; ${seconds.toFixed(1)} s for both runs`,
  ];
}
