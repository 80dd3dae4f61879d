/**
 * The ECharts options of 能耗总览 (pure, unit-tested in overviewCharts.test.ts): a donut for one
 * period's shares (分类, 分项), horizontal bars for the ranking by intensity. Missing slices are
 * left out of the chart (never drawn as 0) and stay in the table under it as 缺数据.
 */
import type { EChartsCoreOption } from 'echarts/core';
import { withBase } from '../../charts/base';

/** Nothing to draw: the chart says so in words (an empty ring or axis reads as zero). */
const emptyTitle = (n: number, empty: string) =>
  n > 0
    ? {}
    : {
        title: {
          text: empty,
          left: 'center',
          top: 'middle',
          textStyle: { fontSize: 13, fontWeight: 'normal' },
        },
      };

export interface Slice {
  name: string;
  value: number | null;
}

/** A donut of one period's shares; slices without a value (or negative) are not drawn. */
export function donutOption(
  slices: readonly Slice[],
  text: { description: string; unit: string; empty: string },
): EChartsCoreOption {
  const data = slices
    .filter(
      (s): s is Slice & { value: number } => s.value !== null && Number.isFinite(s.value) && s.value >= 0,
    )
    .map((s) => ({ name: s.name, value: s.value }));
  return withBase(
    {
      tooltip: { trigger: 'item', confine: true, valueFormatter: (v: unknown) => `${v} ${text.unit}` },
      legend: { type: 'scroll', bottom: 0 },
      ...emptyTitle(data.length, text.empty),
      series: [
        {
          type: 'pie',
          radius: ['40%', '68%'],
          center: ['50%', '45%'],
          avoidLabelOverlap: true,
          label: { formatter: '{b}\n{d}%' },
          data,
        },
      ],
    },
    { description: text.description },
  );
}

export interface Bar {
  name: string;
  value: number;
}

/** Horizontal bars, the first row (the best: lowest intensity) at the top. */
export function rankingOption(
  bars: readonly Bar[],
  text: { description: string; unit: string; empty: string },
): EChartsCoreOption {
  return withBase(
    {
      ...emptyTitle(bars.length, text.empty),
      grid: { left: 8, right: 48, top: 8, bottom: 28, containLabel: true },
      xAxis: { type: 'value', name: text.unit, nameLocation: 'middle', nameGap: 26 },
      yAxis: { type: 'category', inverse: true, data: bars.map((b) => b.name) },
      series: [
        {
          type: 'bar',
          data: bars.map((b) => b.value),
          label: { show: true, position: 'right' },
          barMaxWidth: 28,
        },
      ],
    },
    { description: text.description },
  );
}
