import { localParts } from '../localTime.ts';
import type { Quality } from '../telemetry.ts';

/**
 * Consumption from cumulative counters (kWh, m³): the differences between successive readings,
 * cleaned of what is not consumption — counter resets, rollovers at the register's maximum, meter
 * replacements, zero-then-old-value and spike glitches, frozen (stale) values — and spread over
 * local hours in proportion to time. What is interpolated across a gap, a frozen stretch or an
 * undeclared replacement is marked estimated. Pure: rollup jobs, reports and benchmarks call it.
 */

export interface CounterSample {
  /** Milliseconds since the epoch. */
  ts: number;
  value: number | null;
  quality: Quality;
}

export interface MeterReplacement {
  /** When the meter was swapped (ms). */
  at: number;
  /** Last reading of the old meter. */
  oldFinal: number;
  /** First reading of the new meter (its register when installed). */
  newInitial: number;
}

export interface ConsumptionOptions {
  /** IANA zone whose hours the consumption is bucketed in. */
  timeZone: string;
  /** The counter wraps to 0 at this value (its modulus, in the counter's unit), e.g. 100000 for a 5-digit kWh register. */
  rollover?: number | undefined;
  /** Meter replacements recorded by the facilities engineer. */
  replacements?: readonly MeterReplacement[] | undefined;
  /** Readings further apart than this are a gap: what they span is interpolated and marked estimated (default 30 min). */
  maxGapMs?: number | undefined;
}

export interface HourConsumption {
  /** Start of the local hour (ms). */
  start: number;
  /** Consumption in the hour, counter unit. */
  value: number;
  /** The part of `value` that is interpolated rather than measured. */
  estimated: number;
}

export interface CounterEvents {
  resets: number;
  rollovers: number;
  replacements: number;
  /** Replacements nobody recorded: the interval is estimated from the recent rate. */
  undeclared_replacements: number;
  glitches: number;
  gaps: number;
  /** Readings left out: bad or uncertain quality (a stale value is uncertain). */
  skipped: number;
}

export interface ConsumptionResult {
  hours: HourConsumption[];
  events: CounterEvents;
}

const HOUR = 3_600_000;
const DEFAULT_MAX_GAP = 30 * 60_000;

interface Interval {
  from: number;
  to: number;
  delta: number;
  estimated: boolean;
}

/** The zone's UTC offset (ms) at an instant, from its wall-clock parts (core/localTime.ts). */
function zoneOffset(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  return Date.parse(`${p.date}T00:00:00Z`) + Math.round(p.hour * 3600) * 1000 - (ms - (ms % 1000));
}

/**
 * Start of the local hour containing `ms`, cached per UTC hour (offsets change at most at hour
 * boundaries in every zone in use, and a year has only 8,760 hours).
 */
const offsetCaches = new Map<string, Map<number, number>>();

export function localHourStarter(timeZone: string): (ms: number) => number {
  // Shared by every caller for the zone: a rollup of 500 meters looks up the same hours 500 times.
  let cache = offsetCaches.get(timeZone);
  if (!cache) {
    cache = new Map();
    offsetCaches.set(timeZone, cache);
  }
  const offsets = cache;
  return (ms) => {
    if (offsets.size > 1_000_000) offsets.clear(); // about a century of hours: bounded
    const cache = offsets;
    const utcHour = Math.floor(ms / HOUR);
    let offset = cache.get(utcHour);
    if (offset === undefined) {
      offset = zoneOffset(utcHour * HOUR, timeZone);
      cache.set(utcHour, offset);
    }
    const local = ms + offset;
    return local - (((local % HOUR) + HOUR) % HOUR) - offset;
  };
}

/** Start of the local day containing `ms` (local midnight), cached per hour. */
export function localDayStarter(timeZone: string): (ms: number) => number {
  const hourStart = localHourStarter(timeZone);
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', hourCycle: 'h23' });
  const cache = new Map<number, number>();
  return (ms) => {
    const h = hourStart(ms);
    let start = cache.get(h);
    if (start === undefined) {
      start = h - (Number(fmt.format(new Date(h))) % 24) * HOUR;
      cache.set(h, start);
    }
    return start;
  };
}

/** The instant of local midnight starting `date` (YYYY-MM-DD) in `timeZone`. */
const dayStarters = new Map<string, (ms: number) => number>();

export function localMidnight(date: string, timeZone: string): number {
  let starter = dayStarters.get(timeZone);
  if (!starter) {
    starter = localDayStarter(timeZone);
    dayStarters.set(timeZone, starter);
  }
  // The local day containing 12:00 UTC of that date is that date in every zone within ±11 h of UTC.
  return starter(Date.parse(`${date}T12:00:00Z`));
}

function usable(s: CounterSample): s is CounterSample & { value: number } {
  return s.quality === 'good' && s.value !== null && Number.isFinite(s.value);
}

/** What one step of a counter (from `last` to `cur`, with the reading after, if any) is. */
export type CounterStep =
  | { kind: 'increase'; delta: number }
  | { kind: 'replacement'; delta: number; replacement: MeterReplacement }
  | { kind: 'glitch' }
  | { kind: 'rollover'; delta: number }
  | { kind: 'reset'; delta: number }
  | { kind: 'undeclared_replacement'; delta: number };

/**
 * The one classification of a counter step, shared by the rollups (below) and the alarm
 * service's meter detectors (alarms/detectors/meters.ts), so an alarm and a report never disagree
 * on what a drop was. `rate` is the measured rate (unit/ms) of recent ordinary steps; `next`, the
 * reading after `cur`, tells a glitch (out of line with both neighbours) from a lasting change.
 */
export function classifyStep(
  last: { ts: number; value: number },
  cur: { ts: number; value: number },
  next: { ts: number; value: number } | undefined,
  context: {
    rollover?: number | undefined;
    /** Sorted by `at`. */
    replacements: readonly MeterReplacement[];
    rate?: number | undefined;
    dt: number;
  },
): CounterStep {
  const from = last.ts;
  const swap = context.replacements.find((r) => r.at > from && r.at <= cur.ts);
  if (swap)
    return {
      kind: 'replacement',
      delta: Math.max(0, swap.oldFinal - last.value) + Math.max(0, cur.value - swap.newInitial),
      replacement: swap,
    };
  // The reading leaves the line its neighbours agree on (0 between two ordinary readings, or a
  // spike): a glitch, not a reset or consumption.
  if (next && next.value >= last.value && (cur.value < last.value || cur.value > next.value))
    return { kind: 'glitch' };
  if (cur.value >= last.value) return { kind: 'increase', delta: cur.value - last.value };
  const { rollover, rate } = context;
  if (rollover !== undefined && rollover - last.value + cur.value < rollover / 2)
    return { kind: 'rollover', delta: rollover - last.value + cur.value };
  // The counter went down and stays down: reset to 0, or a new meter nobody recorded.
  const expected = rate === undefined ? undefined : rate * context.dt;
  // Counting restarted from 0: what it shows is what was used since (what was counted between the
  // last reading and the reset itself is not known, so the interval is estimated).
  if (expected === undefined || cur.value <= Math.max(3 * expected, 1e-9))
    return { kind: 'reset', delta: cur.value };
  return { kind: 'undeclared_replacement', delta: expected };
}

/** The intervals of consumption between accepted readings, after cleaning. */
function intervals(
  samples: readonly CounterSample[],
  options: ConsumptionOptions,
  events: CounterEvents,
): Interval[] {
  const sorted = [...samples].sort((a, b) => a.ts - b.ts);
  const good: { ts: number; value: number }[] = [];
  for (const s of sorted) {
    if (!usable(s)) {
      events.skipped++;
      continue;
    }
    // Two readings of one instant (a redelivery): keep one.
    if (good.at(-1)?.ts === s.ts) continue;
    good.push({ ts: s.ts, value: s.value });
  }
  const maxGap = options.maxGapMs ?? DEFAULT_MAX_GAP;
  const replacements = [...(options.replacements ?? [])].sort((a, b) => a.at - b.at);
  const out: Interval[] = [];
  let last = good[0];
  /** Measured consumption rate (unit/ms) of the recent accepted intervals, for undeclared replacements. */
  let rate: number | undefined;
  for (let i = 1; last && i < good.length; i++) {
    const cur = good[i];
    if (!cur) continue;
    const next = good[i + 1];
    const dt = cur.ts - last.ts;
    const estimated = dt > maxGap;
    const step = classifyStep(last, cur, next, { rollover: options.rollover, replacements, rate, dt });
    if (step.kind === 'glitch') {
      events.glitches++;
      continue;
    }
    if (step.kind === 'replacement') events.replacements++;
    else if (step.kind === 'rollover') events.rollovers++;
    else if (step.kind === 'reset') events.resets++;
    else if (step.kind === 'undeclared_replacement') events.undeclared_replacements++;
    const delta = step.delta;
    const guessed = estimated || step.kind === 'reset' || step.kind === 'undeclared_replacement';
    if (estimated) events.gaps++;
    out.push({ from: last.ts, to: cur.ts, delta, estimated: guessed });
    if (!guessed && dt > 0) rate = delta / dt;
    last = cur;
  }
  return out;
}

/**
 * Hourly consumption (local hours of `options.timeZone`) from a counter's readings, with the
 * estimated share of each hour and what was found on the way. Readings may come in any order;
 * hours without any interval touching them are absent.
 */
export function hourlyConsumption(
  samples: readonly CounterSample[],
  options: ConsumptionOptions,
): ConsumptionResult {
  const events: CounterEvents = {
    resets: 0,
    rollovers: 0,
    replacements: 0,
    undeclared_replacements: 0,
    glitches: 0,
    gaps: 0,
    skipped: 0,
  };
  const hourStart = localHourStarter(options.timeZone);
  const hours = new Map<number, HourConsumption>();
  const add = (start: number, value: number, estimated: boolean) => {
    let h = hours.get(start);
    if (!h) {
      h = { start, value: 0, estimated: 0 };
      hours.set(start, h);
    }
    h.value += value;
    if (estimated) h.estimated += value;
  };
  for (const iv of intervals(samples, options, events)) {
    const span = iv.to - iv.from;
    if (span <= 0) continue;
    // Spread linearly over the hours the interval covers.
    let t = iv.from;
    while (t < iv.to) {
      const start = hourStart(t);
      const end = Math.min(iv.to, hourStart(start + HOUR));
      add(start, (iv.delta * (end - t)) / span, iv.estimated);
      t = end;
    }
  }
  return { hours: [...hours.values()].sort((a, b) => a.start - b.start), events };
}

/** Sums hours into local days (YYYY-MM-DD of the zone). */
export function dailyConsumption(
  hours: readonly HourConsumption[],
  timeZone: string,
): { date: string; value: number; estimated: number }[] {
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const days = new Map<string, { date: string; value: number; estimated: number }>();
  for (const h of hours) {
    const date = fmt.format(new Date(h.start));
    const d = days.get(date) ?? { date, value: 0, estimated: 0 };
    d.value += h.value;
    d.estimated += h.estimated;
    days.set(date, d);
  }
  return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
}
