/**
 * The monitoring screens' charts as small pure functions (ECharts options and the rows of the
 * tables under them), checked by charts.test.ts:
 * - a point's history from GET /readings/history: the min and max of every bucket as their own lines
 *   (a peak is never smoothed away: no sampling, no LTTB) and the mean between them; an empty bucket
 *   is a gap in the lines and 缺数据 in the table, never 0;
 * - the after-hours heat map (hour × weekday) from a building's main meters' hours of GET
 *   /consumption: the mean kWh of each weekday's hour over the weeks, working hours framed, hours
 *   without data drawn as missing (hatched, labelled), never as 0.
 */
import type { EChartsCoreOption } from 'echarts/core';
import { addDays, weekday } from '../../period';

export interface Bucket {
  start: string;
  min: number | null;
  max: number | null;
  avg: number | null;
  count: number;
}

export interface HistoryText {
  min: string;
  max: string;
  avg: string;
  unit: string;
  description: string;
}

/** W shown as kW (the table and the axis say so). */
export function scaleOf(unit: string | null): { factor: number; unit: string } {
  return unit === 'W' ? { factor: 1 / 1000, unit: 'kW' } : { factor: 1, unit: unit ?? '' };
}

const scaled = (v: number | null, factor: number) => (v === null ? null : v * factor);

export function historyOption(
  buckets: readonly Bucket[],
  unit: string | null,
  text: HistoryText,
): EChartsCoreOption {
  const { factor } = scaleOf(unit);
  const line = (name: string, key: 'min' | 'max' | 'avg', style: Record<string, unknown>) => ({
    name,
    type: 'line',
    showSymbol: false,
    connectNulls: false,
    // Every bucket is drawn (no `sampling`): nothing that could drop a peak.
    lineStyle: style,
    data: buckets.map((b) => [b.start, scaled(b[key], factor)]),
  });
  return {
    legend: { top: 0 },
    grid: { left: 64, right: 24, top: 36, bottom: 56 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: text.unit, scale: true },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
    series: [
      line(text.max, 'max', { width: 1, type: 'solid' }),
      line(text.avg, 'avg', { width: 2, type: 'solid' }),
      line(text.min, 'min', { width: 1, type: 'dashed' }),
    ],
  };
}

export function historyRows(
  buckets: readonly Bucket[],
  unit: string | null,
  time: (iso: string) => string,
): Record<string, string | number | null>[] {
  const { factor } = scaleOf(unit);
  // Newest first, as a person reads a log.
  return [...buckets].reverse().map((b) => ({
    start: time(b.start),
    min: scaled(b.min, factor),
    max: scaled(b.max, factor),
    avg: scaled(b.avg, factor),
    count: b.count,
  }));
}

/** A meter's hour of GET /consumption?period=hour&meter=… */
export interface HourValue {
  start: string;
  value: number;
  estimated: number;
}

export interface HeatCell {
  /** ISO weekday, Monday 1 … Sunday 7. */
  weekday: number;
  hour: number;
  /** Mean kWh of this hour over the weeks it has data; null when none. */
  mean: number | null;
  /** Hours with data (every main meter of the building) and hours that have passed. */
  hours: number;
  expected: number;
  estimated: boolean;
  working: boolean;
}

export interface WorkingHours {
  /** First and last+1 hour of the working day, e.g. 8 and 18. */
  from: number;
  to: number;
}

export const defaultWorkingHours: WorkingHours = { from: 8, to: 18 };

const hourFormats = new Map<string, Intl.DateTimeFormat>();

/** Local date and hour of an instant at the site. */
export function localHour(iso: string, timeZone: string): { date: string; hour: number } {
  let f = hourFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    });
    hourFormats.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')) };
}

export interface HeatInput {
  /** Each main meter's hours (a building may have more than one). */
  meters: readonly (readonly HourValue[])[];
  /** First and last local date (inclusive). */
  from: string;
  to: string;
  /** Epoch ms now: hours after it are not expected yet. */
  now: number;
  timeZone: string;
  /** Working days by date (GET /calendar); a date not in it counts as Mon–Fri working. */
  working?: ReadonlyMap<string, boolean>;
  hours?: WorkingHours;
}

export interface HeatSummary {
  cells: HeatCell[];
  /** kWh in and outside working hours (by the calendar of each date), over hours with data. */
  inside: number;
  outside: number;
  /** Hours with data and hours expected, over the range. */
  covered: number;
  expected: number;
}

/**
 * The heat map's cells: for each weekday and hour, the mean of the building's kWh over the dates of
 * that weekday in the range. An hour counts only when every main meter has it; a cell with none is
 * missing (null), not 0. Working hours: a working day of the calendar, from..to.
 */
export function heatOf(input: HeatInput): HeatSummary {
  const hours = input.hours ?? defaultWorkingHours;
  const sums = new Map<string, { value: number; meters: number; estimated: boolean }>();
  for (const meter of input.meters)
    for (const h of meter) {
      const { date, hour } = localHour(h.start, input.timeZone);
      const key = `${date}|${hour}`;
      const s = sums.get(key) ?? { value: 0, meters: 0, estimated: false };
      s.value += h.value;
      s.meters += 1;
      s.estimated ||= h.estimated > 0;
      sums.set(key, s);
    }
  const cells = new Map<string, HeatCell & { total: number }>();
  for (let wd = 1; wd <= 7; wd++)
    for (let hour = 0; hour < 24; hour++)
      cells.set(`${wd}|${hour}`, {
        weekday: wd,
        hour,
        mean: null,
        hours: 0,
        expected: 0,
        estimated: false,
        working: wd <= 5 && hour >= hours.from && hour < hours.to,
        total: 0,
      });
  let inside = 0;
  let outside = 0;
  let covered = 0;
  let expected = 0;
  const hourStart = hourStarts(input.from, input.to, input.timeZone);
  for (let date = input.from; date <= input.to; date = addDays(date, 1)) {
    const wd = weekday(date);
    const workday = input.working?.get(date) ?? wd <= 5;
    for (let hour = 0; hour < 24; hour++) {
      const start = hourStart(date, hour);
      if (start > input.now) continue;
      const cell = cells.get(`${wd}|${hour}`) as HeatCell & { total: number };
      cell.expected++;
      expected++;
      const s = sums.get(`${date}|${hour}`);
      if (!s || s.meters < input.meters.length) continue;
      cell.hours++;
      cell.total += s.value;
      cell.estimated ||= s.estimated;
      covered++;
      if (workday && hour >= hours.from && hour < hours.to) inside += s.value;
      else outside += s.value;
    }
  }
  return {
    cells: [...cells.values()].map(({ total, ...c }) => ({
      ...c,
      mean: c.hours > 0 ? total / c.hours : null,
    })),
    inside,
    outside,
    covered,
    expected,
  };
}

/** Epoch ms of a local date's hour at the site (by the zone's offset at noon that day). */
function hourStarts(_from: string, _to: string, timeZone: string) {
  const offsets = new Map<string, number>();
  const offsetOf = (date: string) => {
    let o = offsets.get(date);
    if (o === undefined) {
      const noon = Date.parse(`${date}T12:00:00Z`);
      const local = localHour(new Date(noon).toISOString(), timeZone);
      const localNoon = Date.parse(`${local.date}T${String(local.hour).padStart(2, '0')}:00:00Z`);
      o = localNoon - noon;
      offsets.set(date, o);
    }
    return o;
  };
  return (date: string, hour: number) =>
    Date.parse(`${date}T${String(hour).padStart(2, '0')}:00:00Z`) - offsetOf(date);
}

export interface HeatText {
  weekdays: readonly string[];
  /** Words of the series of hours with data, of missing hours and of working hours. */
  value: string;
  missing: string;
  missingMark: string;
  unit: string;
  description: string;
  /** A number as the page writes it. */
  number?: (v: number) => string;
}

export function heatOption(cells: readonly HeatCell[], text: HeatText): EChartsCoreOption {
  const values = cells.map((c) => c.mean).filter((v): v is number => v !== null);
  const max = values.length ? Math.max(...values) : 1;
  const hours = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}`);
  const number = text.number ?? ((v: number) => v.toFixed(2));
  const cellName = (v: readonly number[]) =>
    `${text.weekdays[v[1] ?? 0] ?? ''} ${hours[v[0] ?? 0] ?? ''}:00–${String((v[0] ?? 0) + 1).padStart(2, '0')}:00`;
  const frame = (c: HeatCell) =>
    c.working ? { borderColor: '#1d2129', borderWidth: 2 } : { borderColor: '#fff', borderWidth: 1 };
  return {
    tooltip: { trigger: 'item', confine: true },
    // Decal patterns on 168 cells cost more than they say: the frames and the 缺 labels carry the meaning.
    aria: { enabled: true, decal: { show: false }, label: { enabled: true, description: text.description } },
    grid: { left: 56, right: 24, top: 16, bottom: 96 },
    xAxis: { type: 'category', data: hours, name: 'h', splitArea: { show: false } },
    yAxis: { type: 'category', data: [...text.weekdays], inverse: true },
    visualMap: {
      seriesIndex: 0,
      min: 0,
      max: max > 0 ? max : 1,
      calculable: true,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      text: [text.unit, '0'],
      inRange: { color: ['#e8f3ef', '#7fb0a4', '#1f6f5c', '#0b3b30'] },
    },
    series: [
      {
        name: text.value,
        type: 'heatmap',
        tooltip: {
          formatter: (p: { value: [number, number, number] }) =>
            `${cellName(p.value)}：${number(p.value[2])} kWh`,
        },
        data: cells
          .filter((c) => c.mean !== null)
          .map((c) => ({ value: [c.hour, c.weekday - 1, c.mean], itemStyle: frame(c) })),
      },
      {
        name: text.missing,
        type: 'heatmap',
        label: { show: true, formatter: text.missingMark, color: '#86909c', fontSize: 10 },
        tooltip: {
          formatter: (p: { value: [number, number, number] }) => `${cellName(p.value)}：${text.missing}`,
        },
        itemStyle: { color: '#f2f3f5' },
        data: cells
          .filter((c) => c.mean === null)
          // ECharts draws no cell without a third value: 0 here only places the 缺 cell, it is not shown.
          .map((c) => ({ value: [c.hour, c.weekday - 1, 0], itemStyle: { color: '#f2f3f5', ...frame(c) } })),
      },
    ],
  };
}

export function heatRows(
  cells: readonly HeatCell[],
  text: { weekdays: readonly string[]; working: string; after: string; estimated: string },
): Record<string, string | number | null>[] {
  return [...cells]
    .sort((a, b) => a.weekday - b.weekday || a.hour - b.hour)
    .map((c) => ({
      weekday: text.weekdays[c.weekday - 1] ?? String(c.weekday),
      hour: `${String(c.hour).padStart(2, '0')}:00–${String(c.hour + 1).padStart(2, '0')}:00`,
      kind: c.working ? text.working : text.after,
      mean: c.mean,
      hours: `${c.hours} / ${c.expected}`,
      note: c.estimated ? text.estimated : '',
    }));
}
