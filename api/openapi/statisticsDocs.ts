import { z } from 'zod';
import { statisticsQuery } from '../routes/reports.ts';
import { commonErrors, type RouteDoc } from './common.ts';

// The annual statistics return (core/reports/statistics.ts is the contract; reports/README.md
// describes it): what the console's 报表 page shows and downloads.

const row = z.looseObject({
  item: z
    .string()
    .describe('Item of the form: electricity, water, coal, natural_gas, lpg, manufactured_gas, …'),
  label: z.string().describe('As on the form: 电, 水, 煤炭, …, 热力(按热量收费), 其他能源'),
  unit: z.string().describe("The form's unit: 千瓦时, 吨, 立方米, 千克, 百万千焦, 吨标准煤"),
  unit_verified: z.boolean(),
  state: z
    .enum(['none', 'complete', 'incomplete', 'not_tracked'])
    .describe(
      'none: nothing this year; incomplete: days without data (the check list names them); not_tracked: the ledger has no such type',
    ),
  quantity: z.number().nullable().describe("In the form's unit; null for none and not_tracked"),
  cost_yuan: z.number().nullable().describe('Yuan to the 分; null when no day of it has a cost'),
  cost_billed_yuan: z.number().describe('Of cost_yuan, from bills (账单)'),
  cost_computed_yuan: z.number().describe('Of cost_yuan, from the site’s tariffs (计算值)'),
  cost_basis: z.enum(['billed', 'computed', 'mixed']).nullable(),
  cost_complete: z.boolean(),
  note: z.string(),
});

const check = z.looseObject({
  kind: z.enum(['unit_nature', 'floor_area', 'people', 'month_without_data', 'cost_missing', 'not_tracked']),
  building: z.string().optional(),
  item: z.string().optional(),
  text: z.string().describe('What is missing, in Chinese, naming the building, item and days'),
});

const statistics = z
  .looseObject({
    kind: z.literal('statistics'),
    year: z.number().int(),
    basic: z.array(
      z.looseObject({
        label: z.string(),
        value: z.union([z.number(), z.string()]).nullable(),
        unit: z.string(),
        text: z.string(),
      }),
    ),
    rows: z.array(row),
    checklist: z.array(check),
    ready: z.boolean().describe('True when the check list is empty'),
    notes: z.array(z.looseObject({ text: z.string(), verified: z.boolean() })),
  })
  .describe('The annual statistics return (公共机构能源资源消费统计 基层表)');

/** GET /reports/statistics. */
export function statisticsDocs(): RouteDoc[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/reports/statistics',
      operationId: 'getStatisticsReturn',
      summary: { zh: '年度能源资源消费统计报表', en: 'Annual energy and resource statistics return' },
      tag: 'reports',
      query: statisticsQuery,
      responses: {
        200: {
          description: 'format=json; xlsx is the same return laid out as the form, with its check list',
          schema: statistics,
          files: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        },
      },
      errors: [...commonErrors, 404, 503],
    },
  ];
}
