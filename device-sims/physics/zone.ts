import type { ZoneSim } from '../scenario/schema.ts';
import type { Outdoor } from './weather.ts';

export type HvacMode = 'cool' | 'heat' | 'fan' | 'auto';
/** Fan speed 1 (low) … 3 (high): share of rated capacity available. */
const fanShare: Record<number, number> = { 1: 0.6, 2: 0.8, 3: 1 };

/** What a controller can command and read back on a zone's air-conditioning unit. */
export interface HvacState {
  on: boolean;
  mode: HvacMode;
  /** °C */
  coolingSetpoint: number;
  /** °C */
  heatingSetpoint: number;
  fan: 1 | 2 | 3;
}

/** What a lighting controller can command: the circuit relay and the dimmer level (0–100 %). */
export interface LightingState {
  on: boolean;
  level: number;
}

export interface ZoneStep {
  /** Heat removed (+) or added (−) by the HVAC, W. */
  hvacThermal: number;
  /** HVAC electric power incl. fans, W. */
  hvacPower: number;
  lightingPower: number;
  plugPower: number;
  occupants: number;
}

/** The conditions of one physics step, the same for every zone and building of the site. */
export interface StepConditions {
  outdoor: Outdoor;
  /** Share of the headcount present, 0–1. */
  occupancy: number;
  /** A working day (workday or 补班). */
  working: boolean;
  /** Local fractional hour. */
  hour: number;
  stepSeconds: number;
}

/** Share of the people present above which they are back at work (after arrival or lunch). */
const BACK_AT_WORK = 0.7;
const OCCUPANT_SENSIBLE_GAIN = 75; // W per seated office worker (ASHRAE Fundamentals, sensible part)

/**
 * One thermal zone: a single-node RC model (C dT/dt = UA·(T_out − T) + gains − Q_hvac), its
 * air-conditioning unit, lighting circuit and plug loads. Explicit Euler is stable here: the
 * time constant C/UA is many hours against steps of minutes.
 */
export class ZoneModel {
  temperature: number;
  readonly hvac: HvacState;
  readonly lighting: LightingState = { on: false, level: 100 };
  last: ZoneStep = { hvacThermal: 0, hvacPower: 0, lightingPower: 0, plugPower: 0, occupants: 0 };
  private scheduledOn: boolean | undefined;
  /** The unit's own time switch; off when a building-management system (jieneng) switches it. */
  timeSwitch = true;
  private wasOccupied = false;
  private wasWorking = false;

  constructor(
    readonly spec: ZoneSim,
    private readonly building: { headcount: number; plugActive: number; plugStandby: number },
    initialTemperature: number,
  ) {
    this.temperature = initialTemperature;
    this.hvac = {
      on: false,
      mode: 'auto',
      coolingSetpoint: spec.hvac.cooling_setpoint,
      heatingSetpoint: spec.hvac.heating_setpoint,
      fan: 3,
    };
  }

  /** COP of the unit in `mode` at outdoor temperature `t`: better in mild weather, worse in extremes. */
  cop(mode: 'cool' | 'heat', t: number): number {
    const h = this.spec.hvac;
    const cop =
      mode === 'cool' ? h.cop_cooling * (1 + 0.03 * (35 - t)) : h.cop_heating * (1 + 0.025 * (t - 7));
    return Math.min(6.5, Math.max(1.2, cop));
  }

  /** The local controller's own time switch (until a central controller takes the unit over) and the lights' occupancy behaviour. */
  private localControl(working: boolean, hour: number, occupancy: number): void {
    const { on, off } = this.spec.hvac.schedule;
    const scheduled = working && hour >= on && hour < off;
    if (this.timeSwitch && scheduled !== this.scheduledOn) {
      if (this.scheduledOn !== undefined || scheduled) this.hvac.on = scheduled;
      this.scheduledOn = scheduled;
    }
    const occupied = occupancy > 0.02;
    // People switch the lights on when they arrive, and again when work resumes after the lunch
    // break (most of them back at their desks) if a sweep switched them off.
    const atWork = occupancy >= BACK_AT_WORK;
    if ((occupied && !this.wasOccupied) || (atWork && !this.wasWorking)) {
      this.lighting.on = true;
      this.lighting.level = 100;
    }
    this.wasOccupied = occupied;
    this.wasWorking = atWork;
  }

  private hvacOutput(
    outdoor: Outdoor,
    gains: number,
    stepSeconds: number,
  ): { thermal: number; power: number } {
    const h = this.hvac;
    if (!h.on) return { thermal: 0, power: 0 };
    const area = this.spec.area;
    const share = fanShare[h.fan] ?? 1;
    const fanPower = 1.5 * area * share; // W: ~1.5 W/m² of fan power at high speed
    const ua = this.spec.envelope_ua * area;
    const c = this.spec.thermal_mass * 1000 * area;
    // Heat to remove this step to land on the setpoint (positive = cooling), from the zone balance.
    const needToReach = (sp: number) =>
      ua * (outdoor.temperature - this.temperature) + gains + (c * (this.temperature - sp)) / stepSeconds;
    let mode: 'cool' | 'heat' | undefined;
    if (
      h.mode === 'cool' ||
      (h.mode === 'auto' && this.temperature > h.coolingSetpoint - 0.5 && outdoor.temperature > 18)
    )
      mode = 'cool';
    else if (
      h.mode === 'heat' ||
      (h.mode === 'auto' && this.temperature < h.heatingSetpoint + 0.5 && outdoor.temperature < 18)
    )
      mode = 'heat';
    if (!mode) return { thermal: 0, power: fanPower };
    if (mode === 'cool') {
      const q = Math.min(
        Math.max(0, needToReach(h.coolingSetpoint)),
        this.spec.hvac.cooling_capacity * area * share,
      );
      return { thermal: q, power: fanPower + q / this.cop('cool', outdoor.temperature) };
    }
    const q = Math.min(
      Math.max(0, -needToReach(h.heatingSetpoint)),
      this.spec.hvac.heating_capacity * area * share,
    );
    return { thermal: -q, power: fanPower + q / this.cop('heat', outdoor.temperature) };
  }

  /** Advances the zone by `stepSeconds` at local `hour` of a working (or not) day. */
  step(options: StepConditions): ZoneStep {
    const { outdoor, occupancy, stepSeconds } = options;
    this.localControl(options.working, options.hour, occupancy);
    const area = this.spec.area;
    const occupants = this.building.headcount * this.spec.occupant_share * occupancy;
    const lit = this.lighting.on
      ? (this.lighting.level / 100) * (occupancy > 0.02 ? 1 : this.spec.lighting.left_on)
      : 0;
    const lightingPower = this.spec.lighting.density * area * lit;
    const people = this.building.headcount * this.spec.occupant_share;
    const plugPower = occupants * this.building.plugActive + (people - occupants) * this.building.plugStandby;
    const gains = occupants * OCCUPANT_SENSIBLE_GAIN + lightingPower + plugPower + outdoor.solarGain * area;
    const hvac = this.hvacOutput(outdoor, gains, stepSeconds);
    const c = this.spec.thermal_mass * 1000 * area;
    this.temperature +=
      (stepSeconds / c) *
      (this.spec.envelope_ua * area * (outdoor.temperature - this.temperature) + gains - hvac.thermal);
    this.last = { hvacThermal: hvac.thermal, hvacPower: hvac.power, lightingPower, plugPower, occupants };
    return this.last;
  }
}
