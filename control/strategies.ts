import type { CalendarOverride } from '../core/calendar.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import { pointKey } from '../core/control/points.ts';
import { programOn, scheduleValueAt } from '../core/control/schedules.ts';
import { priorityLevels, type Schedule, type Tariff } from '../core/control/schema.ts';
import { localParts } from '../core/localTime.ts';
import { localMidnight } from '../core/rollup/consumption.ts';
import type { ControlDb } from './db.ts';
import type { ControlEngine } from './engine.ts';

/** The newest value of a field point (from telemetry, or a simulation). */
export type Latest = (device: string, point: string) => number | undefined;

interface Context {
  site: LoadedSite;
  engine: ControlEngine;
  db: ControlDb;
  latest: Latest;
  /** Site-file schedules plus those created through the API. */
  schedules: () => Schedule[];
  /** The calendar overrides in force: the site file's, and the API's over them. */
  overrides: () => readonly CalendarOverride[];
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function devicesOf(site: LoadedSite, group: string): string[] {
  return site.config.control.groups.find((g) => g.id === group)?.devices ?? [];
}

/**
 * Runs the schedules: each schedule holds its slot on every point of its group at the value its
 * program asks for now, and relinquishes it outside its effective period. A request policy
 * rejects is audited once and retried when the program's value changes.
 */
export class ScheduleRunner {
  /** Requests policy refused: not asked again for the same value (until `retryAt` for a timing refusal). */
  private readonly refused = new Map<string, { value: number | null; retryAt?: number | undefined }>();
  constructor(private readonly ctx: Context) {}

  async tick(now: number): Promise<void> {
    const tz = this.ctx.site.config.site.timezone;
    const overrides = this.ctx.overrides();
    const work: Promise<unknown>[] = [];
    for (const s of this.ctx.schedules()) {
      const want = scheduleValueAt(s, now, tz, overrides) ?? null;
      const source = `schedule:${s.id}`;
      for (const device of devicesOf(this.ctx.site, s.group)) {
        const key = pointKey(device, s.point);
        const slot = this.ctx.engine.slot(key, s.priority);
        const holds = slot?.source === source ? slot.value : null;
        if (want === holds || (slot && slot.source !== source && want === null)) continue;
        const refusedKey = `${s.id}|${key}`;
        const refused = this.refused.get(refusedKey);
        if (refused && refused.value === want && (refused.retryAt === undefined || now < refused.retryAt))
          continue;
        work.push(
          this.ctx.engine
            .request({ device, point: s.point, priority: s.priority, value: want, source, reason: s.name })
            .then((r) => {
              if (r.accepted) this.refused.delete(refusedKey);
              else this.refused.set(refusedKey, { value: want, retryAt: r.retryAt });
            }),
        );
      }
    }
    await Promise.all(work);
  }
}

/**
 * Optimal start: before a schedule switches an HVAC group's units on, each unit is started early
 * by the time its zone needs to reach the setpoint — (zone temperature − setpoint) ÷ the zone's
 * learned cool-down (or warm-up) rate — so that it is comfortable at occupancy. Without history a
 * fixed lead is used. Rates are learned from every start and kept in control.db.
 */
export class OptimalStart {
  /** Units started and not yet at setpoint: when, from what temperature, and in which direction. */
  private readonly runs = new Map<string, { at: number; from: number; mode: 'cool' | 'heat' }>();
  private readonly wasOn = new Map<string, boolean>();

  constructor(private readonly ctx: Context) {}

  private settings() {
    return this.ctx.site.config.control.optimal_start;
  }

  /** °C per hour learned for a unit, if any. */
  rate(device: string, mode: 'cool' | 'heat'): number | undefined {
    return this.ctx.db.learned(`${mode}_rate:${device}`)?.value;
  }

  /** How long before occupancy `device` should start, ms. */
  lead(device: string): number {
    const o = this.settings();
    const t = this.ctx.latest(device, 'zone_temperature');
    const cool =
      this.ctx.engine.effective(pointKey(device, 'cooling_setpoint')).value ??
      this.ctx.latest(device, 'cooling_setpoint');
    const heat =
      this.ctx.engine.effective(pointKey(device, 'heating_setpoint')).value ??
      this.ctx.latest(device, 'heating_setpoint');
    if (t === undefined) return o.fixed_lead;
    let gap = 0;
    let mode: 'cool' | 'heat' = 'cool';
    if (cool !== undefined && t > cool + o.target_band) gap = t - cool - o.target_band;
    else if (heat !== undefined && t < heat - o.target_band) {
      gap = heat - o.target_band - t;
      mode = 'heat';
    }
    if (gap <= 0) return 0;
    const rate = this.rate(device, mode);
    if (rate === undefined || rate <= 0) return o.fixed_lead;
    return Math.min(o.max_lead, (gap / rate) * 3_600_000);
  }

  async tick(now: number): Promise<void> {
    const o = this.settings();
    if (!o.enabled) return;
    this.learn(now);
    const tz = this.ctx.site.config.site.timezone;
    const overrides = this.ctx.overrides();
    const hvacGroups = new Set(
      this.ctx.site.config.control.groups.filter((g) => g.class === 'hvac').map((g) => g.id),
    );
    const work: Promise<unknown>[] = [];
    for (const s of this.ctx.schedules()) {
      if (!hvacGroups.has(s.group) || s.point !== 'on_off') continue;
      // The next switch-on of today's program, if still ahead.
      const { date } = localParts(now, tz);
      const day = programOn(s, date, overrides);
      if (!day) continue;
      const midnight = localMidnight(date, tz);
      const start = day.program
        .map((e) => ({ at: midnight + minutesOf(e.at) * 60_000, value: e.value }))
        .find((e) => e.value === 1 && e.at > now && scheduleValueAt(s, e.at - 60_000, tz, overrides) !== 1);
      if (!start) continue;
      for (const device of devicesOf(this.ctx.site, s.group)) {
        const key = pointKey(device, 'on_off');
        if (this.ctx.engine.slot(key, priorityLevels.optimalStart)) continue;
        if (now < start.at - o.max_lead) continue;
        const lead = this.lead(device);
        if (lead <= 0 || now < start.at - lead) continue;
        work.push(
          this.ctx.engine.request({
            device,
            point: 'on_off',
            priority: priorityLevels.optimalStart,
            value: 1,
            source: 'strategy:optimal-start',
            reason: `early start ${Math.round(lead / 60_000)} min before ${s.name}`,
            expiresAt: start.at + 60_000,
          }),
        );
      }
    }
    await Promise.all(work);
  }

  /** Learns °C/h from each start: from switch-on until the zone is within the band of its setpoint. */
  private learn(now: number): void {
    const band = this.settings().target_band;
    for (const cp of this.ctx.engine.points.values()) {
      if (cp.point !== 'on_off') continue;
      const device = cp.device;
      const on = this.ctx.engine.effective(cp.key).value === 1;
      const was = this.wasOn.get(device) ?? false;
      this.wasOn.set(device, on);
      const t = this.ctx.latest(device, 'zone_temperature');
      const cool = this.ctx.latest(device, 'cooling_setpoint');
      const heat = this.ctx.latest(device, 'heating_setpoint');
      if (t === undefined) continue;
      if (on && !was) {
        if (cool !== undefined && t > cool + band + 0.5)
          this.runs.set(device, { at: now, from: t, mode: 'cool' });
        else if (heat !== undefined && t < heat - band - 0.5)
          this.runs.set(device, { at: now, from: t, mode: 'heat' });
        continue;
      }
      const run = this.runs.get(device);
      if (!run) continue;
      if (!on) {
        this.runs.delete(device);
        continue;
      }
      const reached =
        run.mode === 'cool' ? cool !== undefined && t <= cool + band : heat !== undefined && t >= heat - band;
      if (!reached) continue;
      this.runs.delete(device);
      const hours = (now - run.at) / 3_600_000;
      if (hours < 5 / 60) continue;
      const rate = Math.abs(run.from - t) / hours;
      const key = `${run.mode}_rate:${device}`;
      const prev = this.ctx.db.learned(key);
      const value = prev ? prev.value * 0.7 + rate * 0.3 : rate;
      this.ctx.db.putLearned(key, value, (prev?.samples ?? 0) + 1, now);
    }
  }
}

/** After-hours lighting sweeps: switch lighting off at the configured times; people switch on again. */
export class LightingSweeps {
  private last: number | undefined;
  constructor(private readonly ctx: Context) {}

  async tick(now: number): Promise<void> {
    const sweeps = this.ctx.site.config.control.lighting_sweeps;
    const previous = this.last;
    this.last = now;
    if (!sweeps || previous === undefined) return;
    const tz = this.ctx.site.config.site.timezone;
    const { date } = localParts(now, tz);
    const midnight = localMidnight(date, tz);
    const due = sweeps.times.some((t) => {
      const at = midnight + minutesOf(t) * 60_000;
      return previous < at && at <= now;
    });
    if (!due) return;
    const work: Promise<unknown>[] = [];
    for (const { group, point } of sweeps.points)
      for (const device of devicesOf(this.ctx.site, group))
        work.push(
          this.ctx.engine.request({
            device,
            point,
            priority: 14,
            value: 0,
            source: 'strategy:lighting-sweep',
            reason: 'after-hours sweep',
            expiresAt: now + 60_000,
          }),
        );
    await Promise.all(work);
  }
}

/** The tariff period at `ms`, from the tariff's seasons (local months and times). */
export function tariffPeriod(
  tariff: Tariff,
  ms: number,
  timeZone: string,
): Tariff['seasons'][number]['periods'][number]['period'] | undefined {
  const { date, hour } = localParts(ms, timeZone);
  if (date < tariff.effective_from || (tariff.effective_to && date > tariff.effective_to)) return undefined;
  const month = Number(date.slice(5, 7));
  const season = tariff.seasons.find((s) => s.months.includes(month));
  const minute = hour * 60;
  return season?.periods.find(
    (p) => minutesOf(p.from) <= minute && minute < (p.to === '24:00' ? 1440 : minutesOf(p.to)),
  )?.period;
}

/**
 * Demand limiting: during the enforced tariff periods, the building's 15-minute demand (the
 * average power of the current quarter hour, as the utility bills it) is projected from the
 * energy so far and the power now; above 95 % of the limit the next shed stage is applied at
 * priority 10 (each stage within policy: a stage a policy refuses is skipped). The last stage is
 * restored once the power it saved fits under 85 % of the limit again. Outside the periods
 * everything is restored.
 */
interface LimiterState {
  stage: number;
  /** Start of the current quarter hour and the energy since, kWh. */
  block: number;
  energy: number;
  lastAt?: number;
  calmSince?: number | undefined;
  restoredAt?: number;
  /** Per shed stage: when, the power then (W), and what it saved (kW, measured 5 min later). */
  sheds: { at: number; powerBefore: number; saved?: number }[];
}

export class DemandLimiter {
  private readonly state = new Map<string, LimiterState>();
  /** Every shed and restore, for tests and the API. */
  readonly events: {
    at: number;
    building: string;
    stage: number;
    action: 'shed' | 'restore';
    projected_kw: number;
  }[] = [];

  constructor(private readonly ctx: Context) {}

  async tick(now: number): Promise<void> {
    const control = this.ctx.site.config.control;
    const tariff = control.tariff;
    const tz = this.ctx.site.config.site.timezone;
    for (const limit of control.demand_limits) {
      const meter = this.ctx.site.config.meters.find((m) => m.id === limit.meter);
      if (!meter) continue;
      const power = this.ctx.latest(meter.device, limit.power_point);
      const st: LimiterState = this.state.get(limit.building) ?? { stage: 0, block: 0, energy: 0, sheds: [] };
      this.state.set(limit.building, st);
      const block = Math.floor(now / 900_000) * 900_000;
      if (st.block !== block) {
        st.block = block;
        st.energy = 0;
        st.lastAt = block;
      }
      if (power !== undefined && st.lastAt !== undefined) {
        st.energy += (power / 1000) * ((now - st.lastAt) / 3_600_000);
      }
      st.lastAt = now;
      const period = tariff ? tariffPeriod(tariff, now, tz) : undefined;
      const enforced = period !== undefined && limit.periods.includes(period);
      if (!enforced || power === undefined) {
        // Outside the periods: restore in stages, one every 5 minutes, so the pull-downs do not add up.
        if (st.stage > 0 && now - (st.restoredAt ?? 0) >= 300_000) {
          st.restoredAt = now;
          await this.restore(limit, st, now, 0);
        }
        continue;
      }
      // What the last stage saved, measured five minutes after it was shed.
      const last = st.sheds.at(-1);
      if (last && last.saved === undefined && now - last.at >= 300_000)
        last.saved = Math.max(0, last.powerBefore - power) / 1000;
      const remainingH = (block + 900_000 - now) / 3_600_000;
      const projected = (st.energy + (power / 1000) * remainingH) / 0.25;
      if (projected > 0.95 * limit.limit_kw && st.stage < limit.shed.length) {
        st.calmSince = undefined;
        await this.shed(limit, st, now, projected, power);
        continue;
      }
      // Restore a stage only when the power it saved fits under the limit again (its pull-down
      // comes back at once), the stage has held a quarter hour, and that has been so for 5 minutes.
      const saved = last?.saved ?? Number.POSITIVE_INFINITY;
      const fits = st.stage > 0 && power / 1000 + saved < 0.85 * limit.limit_kw;
      if (fits && last && now - last.at >= 900_000) {
        st.calmSince ??= now;
        if (now - st.calmSince >= 300_000) {
          st.calmSince = undefined;
          await this.restore(limit, st, now, projected);
        }
      } else st.calmSince = undefined;
    }
  }

  private async shed(
    limit: (typeof this.ctx.site.config.control.demand_limits)[number],
    st: LimiterState,
    now: number,
    projected: number,
    power: number,
  ): Promise<void> {
    const stage = limit.shed[st.stage];
    st.stage++;
    st.sheds.push({ at: now, powerBefore: power });
    if (!stage) return;
    for (const device of devicesOf(this.ctx.site, stage.group)) {
      const key = pointKey(device, stage.point);
      const current = this.ctx.engine.effective(key).value ?? this.ctx.latest(device, stage.point);
      const value =
        stage.value ??
        (current === undefined || current === null ? undefined : current + (stage.offset ?? 0));
      if (value === undefined) continue;
      await this.ctx.engine.request({
        device,
        point: stage.point,
        priority: priorityLevels.demandLimit,
        value,
        source: 'strategy:demand-limit',
        reason: `${limit.building}: 15-min demand projected ${projected.toFixed(0)} kW against ${limit.limit_kw} kW, stage ${st.stage}`,
      });
    }
    this.events.push({
      at: now,
      building: limit.building,
      stage: st.stage,
      action: 'shed',
      projected_kw: projected,
    });
  }

  private async restore(
    limit: (typeof this.ctx.site.config.control.demand_limits)[number],
    st: LimiterState,
    now: number,
    projected: number,
  ): Promise<void> {
    const stage = limit.shed[st.stage - 1];
    st.stage--;
    st.sheds.pop();
    if (!stage) return;
    for (const device of devicesOf(this.ctx.site, stage.group)) {
      const key = pointKey(device, stage.point);
      if (this.ctx.engine.slot(key, priorityLevels.demandLimit)?.source !== 'strategy:demand-limit') continue;
      // An earlier stage on the same point stays: undo this stage's offset only.
      const earlier = limit.shed
        .slice(0, st.stage)
        .some((s) => s.group === stage.group && s.point === stage.point);
      const held = this.ctx.engine.slot(key, priorityLevels.demandLimit)?.value;
      const value = earlier && stage.offset !== undefined && held !== undefined ? held - stage.offset : null;
      if (earlier && value === null) continue;
      await this.ctx.engine.request({
        device,
        point: stage.point,
        priority: priorityLevels.demandLimit,
        value,
        source: 'strategy:demand-limit',
        reason: `${limit.building}: restored stage ${st.stage + 1}`,
      });
    }
    this.events.push({
      at: now,
      building: limit.building,
      stage: st.stage,
      action: 'restore',
      projected_kw: projected,
    });
  }
}
