import { type CalendarOverride, dayInfo } from '../calendar.ts';
import type { LoadedSite } from '../config/loadedSite.ts';
import { localParts } from '../localTime.ts';
import { localMidnight } from '../rollup/consumption.ts';
import { type ControlPoint, pointKey, valueViolation } from './points.ts';
import type { Schedule } from './schema.ts';

/**
 * Schedules on the Chinese working calendar: which program runs on a local date (exception days
 * first, then the weekly program of the day's type from chinese-days with the site's overrides —
 * a 补班 weekend day runs the workday program, a statutory holiday the holiday program), the value
 * a schedule asks for at an instant, and every change it makes over a range (the preview).
 */
type Entry = Schedule['week']['workday'][number];

export interface DayProgram {
  program: Entry[];
  /** What chose the program, in words: `workday (补班 国庆节)`, `exception 2025-10-09 …`. */
  because: string;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function inEffect(s: Schedule, date: string): boolean {
  return (
    (s.effective.from === undefined || date >= s.effective.from) &&
    (s.effective.to === undefined || date <= s.effective.to)
  );
}

const dayInfos = new WeakMap<readonly CalendarOverride[], Map<string, ReturnType<typeof dayInfo>>>();

/** dayInfo, remembered per override table: every control cycle asks for today again. */
function cachedDayInfo(date: string, overrides: readonly CalendarOverride[]) {
  let m = dayInfos.get(overrides);
  if (!m) {
    m = new Map();
    dayInfos.set(overrides, m);
  }
  let info = m.get(date);
  if (!info) {
    info = dayInfo(date, overrides);
    m.set(date, info);
  }
  return info;
}

/** The program `s` runs on local `date`, or undefined when the date is outside its effective period. */
export function programOn(
  s: Schedule,
  date: string,
  overrides: readonly CalendarOverride[],
): DayProgram | undefined {
  if (!inEffect(s, date)) return undefined;
  for (const e of s.exceptions) {
    if (date < e.from || date > (e.to ?? e.from)) continue;
    const because = `exception ${e.from}${e.to && e.to !== e.from ? `…${e.to}` : ''}${e.note ? ` (${e.note})` : ''}`;
    if (e.program) return { program: e.program, because };
    if (e.as) return { program: s.week[e.as], because: `${because}: runs the ${e.as} program` };
  }
  const day = cachedDayInfo(date, overrides);
  const type = day.working ? 'workday' : day.type === 'holiday' ? 'holiday' : 'weekend';
  const label =
    day.type === 'makeup_workday'
      ? `workday (补班${day.holiday ? ` ${day.holiday}` : ''})`
      : day.type === 'holiday'
        ? `holiday${day.holiday ? ` (${day.holiday})` : ''}`
        : type;
  return {
    program: s.week[type],
    because: day.source === 'override' ? `${label}, calendar override` : label,
  };
}

/** The value `s` asks for at `ms`: a number, null (slot empty), or undefined outside its effective period. */
export function scheduleValueAt(
  s: Schedule,
  ms: number,
  timeZone: string,
  overrides: readonly CalendarOverride[],
): number | null | undefined {
  const { date, hour } = localParts(ms, timeZone);
  const day = programOn(s, date, overrides);
  if (!day) return undefined;
  const now = Math.floor(hour * 60 + 1e-6);
  let value = s.default;
  for (const e of day.program) if (minutes(e.at) <= now) value = e.value;
  return value;
}

export interface ScheduledAction {
  /** ISO instant with the site's offset. */
  at: string;
  ms: number;
  schedule: string;
  group: string;
  device: string;
  point: string;
  priority: number;
  /** null: the schedule relinquishes its slot. */
  value: number | null;
  because: string;
}

const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Every change `s` makes in [from, to), per device of its group. */
export function scheduleActions(
  s: Schedule,
  devices: readonly string[],
  from: number,
  to: number,
  timeZone: string,
  overrides: readonly CalendarOverride[],
): ScheduledAction[] {
  const out: ScheduledAction[] = [];
  let previous = scheduleValueAt(s, from - 1, timeZone, overrides);
  const end = localParts(to, timeZone).date;
  for (let date = localParts(from, timeZone).date; date <= end; date = addDays(date, 1)) {
    const midnight = localMidnight(date, timeZone);
    const day = programOn(s, date, overrides);
    const instants = [midnight, ...(day?.program ?? []).map((e) => midnight + minutes(e.at) * 60_000)];
    for (const ms of instants) {
      if (ms < from || ms >= to) continue;
      const value = scheduleValueAt(s, ms, timeZone, overrides);
      if (value === previous) continue;
      previous = value;
      const because = day?.because ?? 'outside the effective period';
      for (const device of devices)
        out.push({
          at: isoLocal(ms, timeZone),
          ms,
          schedule: s.id,
          group: s.group,
          device,
          point: s.point,
          priority: s.priority,
          value: value ?? null,
          because,
        });
    }
  }
  return out;
}

/** `2025-10-01T08:00:00+08:00`: an instant in the site's offset. */
export function isoLocal(ms: number, timeZone: string): string {
  const { date, hour } = localParts(ms, timeZone);
  const total = Math.round(hour * 3600);
  const offsetMin = Math.round((Date.parse(`${date}T00:00:00Z`) + total * 1000 - ms) / 60_000);
  const abs = Math.abs(offsetMin);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return `${date}T${time}${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export interface ScheduleProblem {
  /** Path in the schedule, e.g. `week.workday[1].value`. */
  path: string;
  message: string;
}

/**
 * Every problem of `s` against the site: unknown group, a device of the group without the point
 * or where it is read-only, values a policy forbids, times out of order, empty or overlapping
 * exceptions, and another schedule writing the same point at the same priority on the same days.
 */
export function validateSchedule(
  s: Schedule,
  site: LoadedSite,
  points: ReadonlyMap<string, ControlPoint>,
  others: readonly Schedule[],
): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  const control = site.config.control;
  const group = control.groups.find((g) => g.id === s.group);
  const targets: ControlPoint[] = [];
  if (!group)
    problems.push({
      path: 'group',
      message: `no group "${s.group}"; groups are: ${[...new Set(control.groups.map((g) => g.id))].join(', ') || '(none)'}`,
    });
  else
    for (const device of group.devices) {
      const cp = points.get(pointKey(device, s.point));
      const owner = site.devices.get(device);
      if (cp) targets.push(cp);
      else if (owner?.profile.points.some((p) => p.id === s.point))
        problems.push({ path: 'point', message: `point "${s.point}" of device "${device}" is read-only` });
      else
        problems.push({
          path: 'point',
          message: `device "${device}" (profile ${owner?.device.profile ?? '?'}) has no point "${s.point}"; its writable points are: ${
            [...points.values()]
              .filter((p) => p.device === device)
              .map((p) => p.point)
              .join(', ') || '(none)'
          }`,
        });
    }
  const checkValue = (path: string, value: number | null) => {
    if (value === null) return;
    for (const cp of targets) {
      const why = valueViolation(cp, value, control.policy);
      if (why) {
        problems.push({ path, message: why });
        return;
      }
    }
  };
  checkValue('default', s.default);
  const checkProgram = (path: string, program: Schedule['week']['workday']) => {
    program.forEach((e, i) => {
      checkValue(`${path}[${i}].value`, e.value);
      const prev = program[i - 1];
      if (prev && minutes(e.at) <= minutes(prev.at))
        problems.push({
          path: `${path}[${i}].at`,
          message: `${e.at} is not after the previous entry ${prev.at}; entries of a program go in time order, one per time`,
        });
    });
  };
  for (const type of ['workday', 'weekend', 'holiday'] as const) checkProgram(`week.${type}`, s.week[type]);
  if (s.effective.from && s.effective.to && s.effective.to < s.effective.from)
    problems.push({
      path: 'effective.to',
      message: `${s.effective.to} is before effective.from ${s.effective.from}`,
    });
  s.exceptions.forEach((e, i) => {
    const to = e.to ?? e.from;
    if (to < e.from)
      problems.push({ path: `exceptions[${i}].to`, message: `${to} is before from ${e.from}` });
    if ((e.program === undefined) === (e.as === undefined))
      problems.push({
        path: `exceptions[${i}]`,
        message: 'give either program or as (a day type), not both or neither',
      });
    if (e.program) checkProgram(`exceptions[${i}].program`, e.program);
  });
  problems.push(...overlappingExceptions(s.exceptions));
  const mine = new Set(targets.map((t) => t.key));
  for (const o of others) {
    if (o.id === s.id || o.priority !== s.priority) continue;
    const theirGroup = control.groups.find((g) => g.id === o.group);
    const shared = (theirGroup?.devices ?? []).map((d) => pointKey(d, o.point)).filter((k) => mine.has(k));
    if (shared.length === 0) continue;
    const from = [s.effective.from, o.effective.from].filter(Boolean).sort().at(-1) ?? '';
    const to = [s.effective.to, o.effective.to].filter(Boolean).sort()[0] ?? '9999-12-31';
    if (from <= to)
      problems.push({
        path: 'priority',
        message: `schedule "${o.id}" also writes ${shared.join(', ')} at priority ${s.priority} on overlapping dates; give one of them another priority (14–16) or other dates`,
      });
  }
  return capProblems(problems);
}

/** At most this many problems are reported; the rest are counted in one last line. */
export const maxProblems = 50;

/** The first `maxProblems` problems and, if there were more, one saying how many more. */
export function capProblems(problems: ScheduleProblem[]): ScheduleProblem[] {
  if (problems.length <= maxProblems) return problems;
  const more = problems.length - maxProblems;
  return [
    ...problems.slice(0, maxProblems),
    { path: '(more)', message: `and ${more} more problem(s); fix these and validate again` },
  ];
}

/**
 * Exceptions that share a day with an earlier-starting one, each named once against the one
 * reaching furthest before it: sorted by first day, so O(n log n) however many overlap (a pairwise
 * check of thousands of exceptions covering the same century ran out of memory).
 */
function overlappingExceptions(exceptions: Schedule['exceptions']): ScheduleProblem[] {
  const spans = exceptions
    .map((e, i) => ({ i, from: e.from, to: e.to ?? e.from }))
    .filter((x) => x.to >= x.from) // a reversed range is reported on its own
    .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.i - b.i));
  const problems: ScheduleProblem[] = [];
  let reach: (typeof spans)[number] | undefined;
  for (const x of spans) {
    if (reach && x.from <= reach.to) {
      const [later, earlier] = x.i > reach.i ? [x, reach] : [reach, x];
      problems.push({
        path: `exceptions[${later.i}]`,
        message: `${later.from}…${later.to} overlaps exceptions[${earlier.i}] ${earlier.from}…${earlier.to}; one exception per day`,
      });
    }
    if (!reach || x.to > reach.to) reach = x;
  }
  return problems;
}
