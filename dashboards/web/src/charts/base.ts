/**
 * What every chart of the console has, whatever its kind: an aria description written by us (the
 * generated one reads category values as "index, value"), decal patterns so colour is never the only
 * signal, and no animation under automation (a screenshot or a test never catches a bar half-grown).
 */
import type { EChartsCoreOption } from 'echarts/core';

export interface ChartText {
  /** What the chart shows, in the page's language: the aria description. */
  description: string;
}

const automated = () => typeof navigator !== 'undefined' && navigator.webdriver === true;

export function withBase(option: EChartsCoreOption, text: ChartText): EChartsCoreOption {
  return {
    animation: !automated(),
    aria: { enabled: true, decal: { show: true }, label: { enabled: true, description: text.description } },
    tooltip: { trigger: 'axis', confine: true },
    ...option,
  };
}
