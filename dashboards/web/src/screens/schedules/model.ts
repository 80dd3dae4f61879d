/**
 * The 日程与日历 screen's pure parts: the calendar's days, the schedule as YAML text (with each
 * problem of the API's validation placed on its line), the preview grouped per day and per time,
 * and the words of the preview's `because`. No DOM, no API: unit tests check them (model.test.ts).
 */
import { Document, isMap, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import { addDays } from '../../period';

export type DayType = 'workday' | 'weekend' | 'holiday' | 'makeup_workday';
export const dayTypes: readonly DayType[] = ['workday', 'weekend', 'holiday', 'makeup_workday'];

/** One day of GET /api/v1/calendar. */
export interface CalendarDay {
  date: string;
  type: string;
  working: boolean;
  source: string;
  holiday?: string;
  override_by?: string;
  override_at?: string;
  /** The calendar data has no statutory holidays for this day's year yet (typed by weekday alone). */
  holidays_unknown?: true;
  [key: string]: unknown;
}

/** The day type of a calendar day (an unknown type reads as a workday or weekend by `working`). */
export function dayTypeOf(day: Pick<CalendarDay, 'type' | 'working'>): DayType {
  return (dayTypes as readonly string[]).includes(day.type)
    ? (day.type as DayType)
    : day.working
      ? 'workday'
      : 'weekend';
}

/** `YYYY-MM` of a month shown by the calendar → the dates its grid shows (whole weeks around the month). */
export function calendarRange(month: string): { from: string; to: string } {
  const first = `${month}-01`;
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { from: addDays(first, -7), to: addDays(next, 6) };
}

/** A Date (the calendar's model) → `YYYY-MM` of the site's time zone. */
export function monthOf(date: Date, timeZone = 'Asia/Shanghai'): string {
  return localDateOf(date, timeZone).slice(0, 7);
}

/** A Date → `YYYY-MM-DD` of the site's time zone. */
export function localDateOf(date: Date, timeZone = 'Asia/Shanghai'): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}

/** A problem of the API's validation (`path`: dotted, array indexes as numbers). */
export interface ScheduleProblem {
  path: string;
  message: string;
}

/** A problem with the line of the YAML text it is about (1-based), when it can be found. */
export interface PlacedProblem extends ScheduleProblem {
  line?: number;
}

/**
 * A schedule as YAML text: keys in the API's order, each time-value pair on one line
 * (`- { at: "08:00", value: 1 }`), times quoted (YAML 1.1 tools read 08:00 as a number).
 */
export function scheduleToYaml(schedule: unknown): string {
  const doc = new Document(schedule);
  visit(doc, {
    Map(_key, node) {
      if (node.items.some((p) => (p.key as { value?: unknown })?.value === 'at')) node.flow = true;
    },
    Scalar(key, node) {
      if (key === 'value' && typeof node.value === 'string' && /^\d{1,2}:\d{2}$/.test(node.value))
        node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0 });
}

export type Parsed = { ok: true; value: unknown } | { ok: false; problem: PlacedProblem };

/** The YAML text → its value, or the syntax problem with its line. */
export function parseScheduleYaml(text: string): Parsed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const line = lineCounter.linePos(error.pos[0]).line;
    return { ok: false, problem: { path: '', message: error.message.split('\n')[0] ?? error.message, line } };
  }
  return { ok: true, value: doc.toJS() };
}

/** Each problem with the line of the YAML text its path points at (or the nearest enclosing key's). */
export function placeProblems(text: string, problems: readonly ScheduleProblem[]): PlacedProblem[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  /** Where the entry `key` of `parent` starts: a map's key, a sequence's item. */
  const startOf = (parent: unknown, key: string | number): number | undefined => {
    if (isMap(parent)) {
      const pair = parent.items.find((p) => String((p.key as { value?: unknown })?.value) === String(key));
      return (pair?.key as Node | undefined)?.range?.[0];
    }
    if (isSeq(parent) && typeof key === 'number') return (parent.items[key] as Node | undefined)?.range?.[0];
    return undefined;
  };
  return problems.map((p) => {
    const path = p.path === '' ? [] : p.path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    for (let n = path.length; n >= 1; n--) {
      const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
      const key = path[n - 1];
      const start = key === undefined ? undefined : startOf(parent, key);
      if (start !== undefined) return { ...p, line: lineCounter.linePos(start).line };
    }
    const top = doc.contents?.range?.[0];
    return top === undefined ? { ...p } : { ...p, line: lineCounter.linePos(top).line };
  });
}

/** One action of GET /api/v1/schedules/preview. */
export interface PreviewAction {
  at: string;
  schedule: string;
  group: string;
  device: string;
  point: string;
  priority: number;
  value: number | null;
  because: string;
  [key: string]: unknown;
}

/** A row of a day's preview table. */
export interface PreviewRow {
  time: string;
  device: string;
  point: string;
  value: number | null;
  priority: number;
  schedule: string;
  because: string;
}

/** The local `HH:MM` of an API instant (`2026-12-03T08:00:00+08:00`; other offsets converted). */
export function localTimeOf(at: string, timeZone = 'Asia/Shanghai'): string {
  const m = /T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?\+08:00$/.exec(at);
  if (m?.[1] && timeZone === 'Asia/Shanghai') return m[1];
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at));
}

/** The preview of one day as table rows, in time order (the API's order within a time). */
export function previewRows(actions: readonly PreviewAction[]): PreviewRow[] {
  return actions
    .map((a, i) => ({ a, i }))
    .sort((x, y) => Date.parse(x.a.at) - Date.parse(y.a.at) || x.i - y.i)
    .map(({ a }) => ({
      time: localTimeOf(a.at),
      device: a.device,
      point: a.point,
      value: a.value,
      priority: a.priority,
      schedule: a.schedule,
      because: a.because,
    }));
}

/** Device, point and control-group names from GET /devices, /points and /site/tree. */
export interface Names {
  devices: Map<string, string>;
  points: Map<string, { name: string; unit: string | null }>;
}

/** Names from the API's answers (what is missing stays out: the page shows the id then). */
export function namesOf(
  devices: readonly { device: string; name: string | null }[],
  points: readonly { device: string; point: string; name: string; unit: string | null }[],
): Names {
  return {
    devices: new Map(devices.flatMap((d) => (d.name ? [[d.device, d.name] as const] : []))),
    points: new Map(points.map((p) => [`${p.device}/${p.point}`, { name: p.name, unit: p.unit }])),
  };
}

/**
 * A preview row in words: the device's and the point's names (the page's half of a bilingual
 * point name, `制冷设定温度 / Cooling setpoint`), the unit; the ids when the API names neither.
 */
export function rowNames(
  r: Pick<PreviewRow, 'device' | 'point'>,
  names: Names,
  locale: string,
): { device: string; point: string; unit: string | null } {
  const p = names.points.get(`${r.device}/${r.point}`);
  let point = r.point;
  if (p) {
    const i = p.name.indexOf(' / ');
    point = i < 0 ? p.name : locale === 'en' ? p.name.slice(i + 3) : p.name.slice(0, i);
  }
  return { device: names.devices.get(r.device) ?? r.device, point, unit: p?.unit ?? null };
}

/** The day's timeline: one entry per time, with what happens then. */
export function previewTimeline(rows: readonly PreviewRow[]): { time: string; rows: PreviewRow[] }[] {
  const out: { time: string; rows: PreviewRow[] }[] = [];
  for (const r of rows) {
    const last = out.at(-1);
    if (last && last.time === r.time) last.rows.push(r);
    else out.push({ time: r.time, rows: [r] });
  }
  return out;
}

/**
 * The preview's `because` (the engine's English words, e.g. `workday (补班 国庆节)`,
 * `holiday (国庆节), calendar override`, `exception 2025-10-09…2025-10-10 (迎检): runs the holiday
 * program`) in the page's language; holiday names and notes stay as they are.
 */
export function becauseWords(because: string, words: Record<string, string>): string {
  let s = because;
  s = s.replace(/^outside the effective period$/, words.outside ?? 'outside the effective period');
  s = s.replace(/, calendar override$/, words.override ?? ', calendar override');
  s = s.replace(/: runs the (workday|weekend|holiday) program$/, (_m, t: string) =>
    (words.runs ?? ': runs the {type} program').replace('{type}', words[t] ?? t),
  );
  s = s.replace(/^exception /, words.exception ?? 'exception ');
  s = s.replace(/^(workday|weekend|holiday)\b/, (t) => words[t] ?? t);
  return s;
}

/** `until` of POST /overtime: now + hours as an ISO instant with the site's offset (+08:00). */
export function overtimeUntil(now: Date, hours: number): string {
  const ms = now.getTime() + Math.round(hours * 60) * 60_000;
  const local = new Date(ms + 8 * 3_600_000);
  return `${local.toISOString().slice(0, 16)}:00+08:00`;
}
