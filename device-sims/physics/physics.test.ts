import { describe, expect, it } from 'vitest';
import { defaultScenarioFile, loadScenario } from '../scenario/load.ts';
import { subitems } from './building.ts';
import { Simulation } from './simulation.ts';
import type { Outdoor } from './weather.ts';
import { ZoneModel } from './zone.ts';

// Minute steps: the physics is the same, the 30-day run six times faster than the default 10 s.
const scenario = { ...loadScenario(defaultScenarioFile).scenario, step: 60 };
const shanghai = (local: string) => Date.parse(`${local}+08:00`);
const DAY = 86_400_000;

/** A zone held at fixed outdoor conditions, HVAC on in cooling, until it settles; returns its electric power. */
function steadyCoolingPower(outdoorTemperature: number, coolingSetpoint: number): number {
  const spec = scenario.buildings[0]?.zones[0];
  if (!spec) throw new Error('scenario has no zone');
  const zone = new ZoneModel(spec, { headcount: 560, plugActive: 120, plugStandby: 15 }, 28);
  const outdoor: Outdoor = { temperature: outdoorTemperature, humidity: 70, solarGain: 8 };
  let power = 0;
  for (let i = 0; i < 240; i++) {
    // Local hour 10:00 of a working day: after the switch-on edge, so the command below holds.
    const step = zone.step({ outdoor, occupancy: 1, working: true, hour: 10, stepSeconds: 60 });
    zone.hvac.on = true;
    zone.hvac.mode = 'cool';
    zone.hvac.coolingSetpoint = coolingSetpoint;
    power = step.hvacPower;
  }
  return power;
}

describe('simulated building physics', () => {
  it('main meter = Σ sub-meters × (1 + losses), in power and in counted kWh', () => {
    const sim = new Simulation(scenario, shanghai('2025-09-02T00:00:00'));
    const b = sim.buildings[0];
    if (!b) throw new Error('no building');
    const before = structuredClone(b.counters);
    sim.advanceTo(sim.time + DAY);
    const subDelta = subitems.reduce((s, k) => s + (b.counters.subitems[k] - before.subitems[k]), 0);
    expect(b.counters.main - before.main).toBeCloseTo(subDelta * (1 + b.spec.losses), 6);
    const subPower = subitems.reduce((s, k) => s + b.power.subitems[k], 0);
    expect(b.power.main).toBeCloseTo(subPower * 1.02, 6);
    expect(subDelta).toBeGreaterThan(1000); // a September workday of an 18,600 m² office: thousands of kWh
  });

  it('needs more HVAC electricity when it is hotter outside, less when the cooling setpoint is raised', () => {
    const at30 = steadyCoolingPower(30, 26);
    const at35 = steadyCoolingPower(35, 26);
    expect(at35).toBeGreaterThan(at30 * 1.2);
    const raised = steadyCoolingPower(33, 28);
    expect(raised).toBeLessThan(steadyCoolingPower(33, 26) * 0.9);
  });

  it('draws no lighting power when the circuit is switched off', () => {
    const sim = new Simulation(scenario, shanghai('2025-09-02T09:00:00'));
    sim.advanceTo(sim.time + 3_600_000);
    const zone = sim.buildings[0]?.zones[0];
    if (!zone) throw new Error('no zone');
    expect(zone.last.lightingPower).toBeGreaterThan(10_000); // 7,200 m² at 8 W/m², occupied
    zone.lighting.on = false;
    sim.advanceTo(sim.time + 600_000);
    expect(zone.last.lightingPower).toBe(0);
  });

  it('follows the working calendar: the office is empty on 国庆 and full on the Sunday 补班', () => {
    const occupantsAt = (local: string) => {
      const sim = new Simulation(scenario, shanghai(local));
      sim.advanceTo(sim.time + 120_000);
      return sim.buildings.reduce((n, b) => n + b.power.occupants, 0);
    };
    expect(occupantsAt('2025-10-01T10:00:00')).toBe(0);
    expect(occupantsAt('2025-09-28T10:00:00')).toBe(1200);
  });

  it('runs 30 simulated days to an annualised intensity in the range of Chinese government offices', () => {
    const start = shanghai('2025-09-01T00:00:00');
    const sim = new Simulation(scenario, start);
    const before = sim.buildings.map((b) => structuredClone(b.counters));
    sim.advanceTo(start + 30 * DAY);
    const sum = (f: (i: number) => number) => sim.buildings.reduce((s, _b, i) => s + f(i), 0);
    const kwh = sum((i) => (sim.buildings[i]?.counters.main ?? 0) - (before[i]?.main ?? 0));
    const water = sum((i) => (sim.buildings[i]?.counters.water ?? 0) - (before[i]?.water ?? 0));
    const area = sum((i) => sim.buildings[i]?.spec.floor_area ?? 0);
    const people = sum((i) => sim.buildings[i]?.spec.headcount ?? 0);
    const intensity = (kwh * 365) / 30 / area;
    const waterPerPerson = (water * 365) / 30 / people;
    console.log(
      `30 days from 2025-09-01, ${area} m², ${people} people: ${kwh.toFixed(0)} kWh → ${intensity.toFixed(1)} kWh/m²·a; water ${water.toFixed(0)} m³ → ${waterPerPerson.toFixed(1)} m³/人·a`,
    );
    expect(intensity).toBeGreaterThan(40);
    expect(intensity).toBeLessThan(120);
    // National 2020 level: 21.53 m³/人 (十四五公共机构节约能源资源工作规划).
    expect(waterPerPerson).toBeGreaterThan(10);
    expect(waterPerPerson).toBeLessThan(40);
  });
});
