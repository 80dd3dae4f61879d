import { JnError } from '../../core/errors.ts';
import type { StatisticsReport } from '../../core/reports/statistics.ts';
import { buildStatistics, type StatisticsQuery } from '../statistics/build.ts';
import { statisticsXlsx } from '../statistics/xlsx.ts';
import type { ReportKind } from './kind.ts';

/** The formats the statistics return renders to: its JSON, and XLSX laid out as the form. */
export const statisticsFormats = ['json', 'xlsx'] as const;

/** 公共机构能源资源消费统计（基层表）: quantity and cost per item of the form, with the check list. */
export const statisticsKind: ReportKind<StatisticsQuery, StatisticsReport> = {
  id: 'statistics',
  title: '公共机构能源资源消费统计（基层表）',
  build: buildStatistics,
  render: async (report, format) => {
    if (format === 'json') return Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
    if (format === 'xlsx') return statisticsXlsx(report);
    throw new JnError(
      'bad_request',
      `统计报表只提供 ${statisticsFormats.join('、')} 格式（the statistics return renders to json or xlsx），不提供 ${format}`,
    );
  },
};
