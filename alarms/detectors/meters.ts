import type { AlarmRule } from '../../core/alarms/model.ts';
import type { MeterConfig } from '../../core/config/siteSchema.ts';
import { type CounterStep, classifyStep, type MeterReplacement } from '../../core/rollup/consumption.ts';
import { condition, type DetectorContext, durationText, localText, num } from './context.ts';

type MeterRule = Extract<AlarmRule, `meter_${string}`>;
type EventRule = Exclude<MeterRule, 'meter_balance'>;

const HOUR = 3_600_000;
/** A step shorter than this is judged as if it were this long: a 2-s step's rate is mostly register resolution. */
const MIN_JUMP_SPAN = 60_000;
/** Steps longer than this are a gap (core/rollup/consumption.ts): their rate is not learnt. */
const MAX_GAP = 30 * 60_000;
/**
 * Without max_kw / max_m3h, a jump is an increase above this multiple of the largest hour seen
 * (the stored hourly rollups of the last weeks, then the readings: `learnHours`) …
 */
const LEARNT_FACTOR = 10;
/** … once this many hours are known (a whole day: its peak hour in it). */
const LEARNT_HOURS = 24;

interface Point {
  ts: number;
  value: number;
}

interface MeterState {
  meter: MeterConfig;
  unit: string;
  replacements: MeterReplacement[];
  /** The last accepted reading, and the one after it waiting for its successor (a glitch is told by the reading after). */
  last: Point | undefined;
  cur: Point | undefined;
  /** Measured rate of recent ordinary steps, unit/ms (classifyStep tells a reset from a swap by it). */
  rate: number | undefined;
  /** The hour being learnt, and the largest hourly rate seen (unit/ms) over `hours` hours. */
  acc: { delta: number; dt: number };
  maxHourRate: number;
  hours: number;
  /** Source time of the last anomaly of any kind; active events clear `clear_after` after it. */
  lastAnomaly: number;
  active: Set<EventRule>;
}

/**
 * Meter anomalies on the site's meters (site.config.meters: device + point is the cumulative
 * counter), judged step by step with the classification the rollups use (core/rollup/consumption.ts
 * `classifyStep`), so an alarm and a report never disagree about a drop:
 *
 * - `meter_reset`: the counter dropped to about 0 and counts on;
 * - `meter_rollover`: it wrapped at the meter's configured `rollover`;
 * - `meter_replacement`: a replacement recorded in the meter's `replacements` falls in the step
 *   (informational, warning by default: the consumption carries on across it);
 * - `meter_reverse`: it went down without a reset, rollover or recorded replacement (what the
 *   rollups estimate as an undeclared replacement: reverse flow, or a swap nobody recorded);
 * - `meter_jump`: it rose faster than physically possible — `max_kw` (electricity, kWh per hour)
 *   or `max_m3h` (water), else 10 × the largest hour seen once a day of ordinary hours is known
 *   (the stored hours of the last weeks count: `learnHours`).
 *
 * These are events: raised at the step's data time, cleared once the readings after it have been
 * ordinary for the rule's `clear_after` (default 15 min). Key the meter id, with its building.
 * A reading is judged when the next one comes (one reading later), as the rollups judge it.
 */
export class MeterDetector {
  private readonly meters = new Map<string, MeterState>();

  constructor(
    private readonly ctx: DetectorContext,
    meters: readonly MeterConfig[],
  ) {
    for (const meter of meters)
      this.meters.set(`${meter.device}/${meter.point}`, {
        meter,
        unit: meter.category === 'electricity' ? 'kWh' : 'm³',
        replacements: meter.replacements
          .map((r) => ({ at: Date.parse(r.at), oldFinal: r.old_final, newInitial: r.new_initial }))
          .sort((a, b) => a.at - b.at),
        last: undefined,
        cur: undefined,
        rate: undefined,
        acc: { delta: 0, dt: 0 },
        maxHourRate: 0,
        hours: 0,
        lastAnomaly: Number.NEGATIVE_INFINITY,
        active: new Set(),
      });
  }

  /**
   * An event alarm of `rule` on meter `key` still active from before a restart, last raised at
   * `at` (ms): cleared as one of this run once `clear_after` of ordinary readings follow it.
   */
  seed(rule: EventRule, key: string, at: number): void {
    for (const m of this.meters.values()) {
      if (m.meter.id !== key) continue;
      m.active.add(rule);
      m.lastAnomaly = Math.max(m.lastAnomaly, at);
    }
  }

  /**
   * The meter's stored hourly consumption (its hourly rollups of the last weeks, in its unit per
   * hour) counts as hours seen: the learnt bound is known at once and spans working and rest days.
   * Learnt from the readings alone it was a first day's: a start on a Saturday learnt a weekend's
   * largest hour, and 10 × that is less than a working morning's air-conditioning start (a false
   * meter_jump on the 补班 Sunday 07:50 of test/alarms/week.test.ts: 892 kW above "607.54 kW").
   */
  learnHours(meterId: string, perHour: readonly number[]): void {
    for (const m of this.meters.values()) {
      if (m.meter.id !== meterId) continue;
      for (const v of perHour)
        if (Number.isFinite(v) && v >= 0) m.maxHourRate = Math.max(m.maxHourRate, v / HOUR);
      m.hours += perHour.length;
    }
  }

  /** Only good readings count, as in the rollups (an uncertain one may be a frozen value). */
  onReading(
    device: string,
    point: string,
    ts: number,
    value: number | null,
    good: boolean,
    unit?: string,
  ): void {
    const m = this.meters.get(`${device}/${point}`);
    if (!m || value === null || !good) return;
    if (unit) m.unit = unit;
    const n = { ts, value };
    const newest = m.cur ?? m.last;
    if (newest && ts <= newest.ts) return; // a redelivery or an older reading: already judged
    if (!m.last) {
      m.last = n;
      return;
    }
    if (!m.cur) {
      m.cur = n;
      return;
    }
    const { last, cur } = m;
    const dt = cur.ts - last.ts;
    const step = classifyStep(last, cur, n, {
      rollover: m.meter.rollover,
      replacements: m.replacements,
      rate: m.rate,
      dt,
    });
    m.cur = n;
    if (step.kind === 'glitch') return; // a single reading out of line: the rollups skip it too
    m.last = cur;
    this.judge(m, step, last, cur, dt);
  }

  private judge(
    m: MeterState,
    step: Exclude<CounterStep, { kind: 'glitch' }>,
    last: Point,
    cur: Point,
    dt: number,
  ): void {
    if (step.kind === 'increase') {
      const bound = this.boundRate(m);
      if (bound !== undefined && step.delta > bound * Math.max(dt, MIN_JUMP_SPAN)) {
        this.event(m, 'meter_jump', cur, this.jumpText(m, step.delta, dt, bound, last, cur));
        return;
      }
      if (dt > 0 && dt <= MAX_GAP) {
        m.rate = step.delta / dt;
        this.learn(m, step.delta, dt);
      }
      this.normal(m, cur.ts);
      return;
    }
    if (dt > 0 && dt <= MAX_GAP && step.kind !== 'reset' && step.kind !== 'undeclared_replacement')
      m.rate = step.delta / dt;
    const u = m.unit;
    const at = localText(cur.ts, this.ctx.timeZone);
    const from = `${num(last.value)} → ${num(cur.value)} ${u}`;
    switch (step.kind) {
      case 'reset':
        this.event(m, 'meter_reset', cur, {
          en: `was reset: ${from} at ${at} (counted on from 0)`,
          zh: `读数清零：${from}（${at}），从 0 重新计数`,
        });
        return;
      case 'rollover':
        this.event(m, 'meter_rollover', cur, {
          en: `wrapped at ${num(m.meter.rollover ?? 0)} ${u}: ${from} at ${at}, counted as ${num(step.delta)} ${u}`,
          zh: `读数在 ${num(m.meter.rollover ?? 0)} ${u} 翻转：${from}（${at}），计为用量 ${num(step.delta)} ${u}`,
        });
        return;
      case 'replacement': {
        const r = step.replacement;
        const swapAt = localText(r.at, this.ctx.timeZone);
        this.event(m, 'meter_replacement', cur, {
          en: `replaced as recorded at ${swapAt}: the old meter's last reading ${num(r.oldFinal)} ${u}, the new one from ${num(r.newInitial)} ${u}; reads ${num(cur.value)} ${u} at ${at}`,
          zh: `按换表记录于 ${swapAt} 换表：旧表末次读数 ${num(r.oldFinal)} ${u}，新表起始读数 ${num(r.newInitial)} ${u}；${at} 读数 ${num(cur.value)} ${u}`,
        });
        return;
      }
      case 'undeclared_replacement':
        this.event(m, 'meter_reverse', cur, {
          en: `went backwards: ${from} (−${num(last.value - cur.value)} ${u}) at ${at}, not to 0, no rollover, no recorded replacement: reverse flow (wiring, CT direction) or a meter swapped without a 换表记录`,
          zh: `读数倒退：${from}（−${num(last.value - cur.value)} ${u}，${at}），非清零、非翻转、无换表记录：疑似反向计量（接线、互感器方向）或未登记的换表`,
        });
    }
  }

  /** The physical bound of the meter (unit/ms), if one is known. */
  private boundRate(m: MeterState): number | undefined {
    const rule = this.ctx.rules.meter_jump;
    const perHour =
      m.meter.category === 'electricity'
        ? rule.max_kw
        : m.meter.category === 'water'
          ? rule.max_m3h
          : undefined;
    if (perHour !== undefined) return perHour / HOUR;
    if (m.hours >= LEARNT_HOURS && m.maxHourRate > 0) return LEARNT_FACTOR * m.maxHourRate;
    return undefined;
  }

  private jumpText(
    m: MeterState,
    delta: number,
    dt: number,
    bound: number,
    last: Point,
    cur: Point,
  ): { en: string; zh: string } {
    const u = m.unit;
    const perHour = m.meter.category === 'electricity' ? 'kW' : `${u}/h`;
    const span = durationText(dt);
    const rate = num((delta / Math.max(dt, 1)) * HOUR);
    const limit = num(bound * HOUR);
    const at = localText(cur.ts, this.ctx.timeZone);
    return {
      en: `jumped ${num(last.value)} → ${num(cur.value)} ${u} (+${num(delta)} ${u} in ${span.en}, ${rate} ${perHour}) at ${at}, above the physical bound ${limit} ${perHour}`,
      zh: `读数跳变：${num(last.value)} → ${num(cur.value)} ${u}（${span.zh} 内 +${num(delta)} ${u}，折合 ${rate} ${perHour}，${at}），超过物理上限 ${limit} ${perHour}`,
    };
  }

  private learn(m: MeterState, delta: number, dt: number): void {
    m.acc.delta += delta;
    m.acc.dt += dt;
    if (m.acc.dt < HOUR) return;
    m.maxHourRate = Math.max(m.maxHourRate, m.acc.delta / m.acc.dt);
    m.hours++;
    m.acc = { delta: 0, dt: 0 };
  }

  private event(m: MeterState, rule: EventRule, cur: Point, text: { en: string; zh: string }): void {
    m.lastAnomaly = cur.ts;
    m.active.add(rule);
    if (!this.ctx.rules[rule].enabled) return;
    const name = m.meter.name ? `${m.meter.name} (${m.meter.id})` : m.meter.id;
    // Chinese: the id first with what and where it is, as every alarm names its subject (alarms/naming.ts).
    const nameZh = this.ctx.names.meterText(m.meter.id);
    this.ctx.report(
      condition(this.ctx, {
        rule,
        key: m.meter.id,
        active: true,
        atMs: cur.ts,
        message: `meter ${name} ${text.en}`,
        message_zh: `表计 ${nameZh} ${text.zh}`,
        building: m.meter.building,
        device: m.meter.device,
        point: m.meter.point,
        value: cur.value,
      }),
    );
  }

  /** An ordinary step: events that have been followed by `clear_after` of ordinary readings clear. */
  private normal(m: MeterState, ts: number): void {
    for (const rule of m.active) {
      const after = this.ctx.rules[rule].clear_after;
      if (ts - m.lastAnomaly < after) continue;
      m.active.delete(rule);
      if (!this.ctx.rules[rule].enabled) continue;
      const quiet = durationText(ts - m.lastAnomaly);
      this.ctx.report(
        condition(this.ctx, {
          rule,
          key: m.meter.id,
          active: false,
          atMs: ts,
          message: `meter ${m.meter.id}: readings ordinary again for ${quiet.en} (${localText(ts, this.ctx.timeZone)})`,
          message_zh: `表计 ${this.ctx.names.meterText(m.meter.id)}：读数已恢复正常 ${quiet.zh}（${localText(ts, this.ctx.timeZone)}）`,
          building: m.meter.building,
          device: m.meter.device,
          point: m.meter.point,
        }),
      );
    }
  }
}
