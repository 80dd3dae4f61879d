/**
 * ECharts options and data-table rows of the 建筑与区域 screen, as pure functions of the model's
 * rows and the page's words (unit-tested in charts.test.ts). Missing buckets are null: a gap in the
 * chart and 缺数据 in the table, never 0.
 */
import type { EChartsCoreOption } from 'echarts/core';
import { withBase } from '../../charts/base';
import type { Granularity, Subitem, SubitemRow } from './model';

/** A bucket in a table: the date of a day, `13:00–14:00` for an hour (the period names the day). */
export function bucketLabel(key: string, g: Granularity): string {
  if (g === 'day') return key;
  const h = Number(key.slice(11, 13));
  return `${String(h).padStart(2, '0')}:00–${String(h + 1).padStart(2, '0')}:00`;
}

/** Past two months of days a zoom (wheel and slider) keeps the bars readable. */
const ZOOM_FROM = 62;
function zoomOf(n: number) {
  return n > ZOOM_FROM
    ? {
        dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 4 }],
        grid: { left: 56, right: 16, top: 52, bottom: 48, containLabel: true },
      }
    : { grid: { left: 56, right: 16, top: 52, bottom: 28, containLabel: true } };
}

/** A bucket as an axis label: `12-05` for a day, `13:00` for an hour. */
export function axisLabel(key: string, g: Granularity): string {
  return g === 'hour' ? `${key.slice(11, 13)}:00` : key.slice(5, 10);
}

export interface SubitemChartText {
  description: string;
  unit: string;
  /** Names of the 分项 and of the other series. */
  subitem: (s: Subitem) => string;
  other: string;
  total: string;
}

/**
 * Stacked bars of the 分项 with 其他/未计量 as its own labelled series on top, and the total (main
 * meter) as a line of points: where sub-meters exceed the main meter the bars rise above it, and
 * no negative 其他 is drawn.
 */
export function subitemChartOption(
  rows: readonly SubitemRow[],
  present: readonly Subitem[],
  g: Granularity,
  text: SubitemChartText,
): EChartsCoreOption {
  const bars = present.map((s) => ({
    name: text.subitem(s),
    type: 'bar',
    stack: 'subitems',
    emphasis: { focus: 'series' },
    data: rows.map((r) => r.subitems[s] ?? null),
  }));
  const hasOther = rows.some((r) => r.other !== null || r.excess > 0);
  const other = hasOther
    ? [
        {
          name: text.other,
          type: 'bar',
          stack: 'subitems',
          emphasis: { focus: 'series' },
          data: rows.map((r) => r.other),
        },
      ]
    : [];
  // A node with no 分项 (one meter, a water meter): its consumption as the bars themselves.
  const alone = bars.length === 0 && other.length === 0;
  const total = {
    name: text.total,
    type: alone ? 'bar' : 'line',
    symbol: 'diamond',
    symbolSize: 8,
    connectNulls: false,
    lineStyle: { type: 'dashed', width: 1 },
    data: rows.map((r) => r.total),
  };
  return withBase(
    {
      legend: { top: 0, type: 'scroll' },
      ...zoomOf(rows.length),
      xAxis: { type: 'category', data: rows.map((r) => axisLabel(r.key, g)) },
      yAxis: { type: 'value', name: text.unit },
      series: [...bars, ...other, total],
    },
    { description: text.description },
  );
}

export interface TrendText {
  description: string;
  unit: string;
  current: string;
  base: string;
}

/** The node's total per bucket, this period against its base period (aligned bucket by bucket). */
export function trendOption(
  current: readonly { key: string; value: number | null }[],
  base: readonly (number | null)[],
  g: Granularity,
  text: TrendText,
): EChartsCoreOption {
  return withBase(
    {
      legend: { top: 0 },
      ...zoomOf(current.length),
      xAxis: { type: 'category', data: current.map((r) => axisLabel(r.key, g)) },
      yAxis: { type: 'value', name: text.unit },
      series: [
        {
          name: text.current,
          type: 'line',
          connectNulls: false,
          symbol: 'circle',
          data: current.map((r) => r.value),
        },
        {
          name: text.base,
          type: 'line',
          connectNulls: false,
          symbol: 'rect',
          lineStyle: { type: 'dashed' },
          data: current.map((_, i) => base[i] ?? null),
        },
      ],
    },
    { description: text.description },
  );
}

export type Cell = string | number | null;

export interface SubitemTableText {
  /** Words for a bucket whose sub-meters exceed the main meter, e.g. `分表之和超出总表 12.3`. */
  excess: (amount: number, buildings: string[]) => string;
  estimated: (amount: number) => string;
  /** The note of such a bucket: a balance problem, in short. */
  balance: string;
  missing: string;
  ok: string;
}

/**
 * The chart's table: one row per bucket with each 分项, 其他/未计量, Σ 分表 and 总表, and a note
 * (缺数据, 估算, or the balance problem in words where 其他 would be negative).
 */
export function subitemTableRows(
  rows: readonly SubitemRow[],
  present: readonly Subitem[],
  g: Granularity,
  text: SubitemTableText,
): Record<string, Cell>[] {
  return rows.map((r) => {
    const out: Record<string, Cell> = { bucket: bucketLabel(r.key, g) };
    for (const s of present) out[s] = r.subitems[s] ?? null;
    out.other = r.excess > 0 ? text.excess(r.excess, r.excessIn) : r.other;
    out.subs = r.subs;
    out.total = r.total;
    const notes: string[] = [];
    const gaps = r.total === null || r.subs === null || present.some((s) => r.subitems[s] === null);
    if (gaps) notes.push(text.missing);
    if (r.excess > 0) notes.push(text.balance);
    if (r.estimated > 0) notes.push(text.estimated(r.estimated));
    out.note = notes.length > 0 ? notes.join('；') : text.ok;
    return out;
  });
}
