import type { IntensityQuery } from '../../core/reports/port.ts';
import type { IntensityReport } from '../../core/reports/report.ts';
import { buildReport } from '../figures/build.ts';
import { renderReport } from '../render/render.ts';
import type { ReportKind } from './kind.ts';

/** 公共机构能源资源消耗强度报告: intensity per building and organization against baseline and targets. */
export const intensityKind: ReportKind<IntensityQuery, IntensityReport> = {
  id: 'intensity',
  title: '公共机构能源资源消耗强度报告',
  build: (sources, query) => buildReport({ ...sources, ...query }),
  render: renderReport,
};
