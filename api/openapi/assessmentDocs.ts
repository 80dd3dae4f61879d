import { z } from 'zod';
import { assessmentQuery } from '../routes/reports.ts';
import { commonErrors, type RouteDoc } from './common.ts';

// A plan's final assessment (core/reports/assessment.ts is the contract; reports/README.md
// describes it): 十四五 is 2025 against 2020, all four indicators.

const plan = z
  .looseObject({
    id: z.string(),
    short: z.string().optional().describe('十四五, 十五五; a site set: the plan it stands in for'),
    name: z.string(),
    source: z.string(),
    verified: z.boolean(),
    base_year: z.number().int(),
    end_year: z.number().int(),
    origin: z.enum(['standard', 'site']),
    published: z.boolean().optional().describe('false: the plan’s figures are not published (十五五)'),
  })
  .describe('The plan measured against, its base year and end year');

const row = z.looseObject({
  scope: z.string().describe('Building id or the organization’s id'),
  scope_name: z.string(),
  indicator: z.enum([
    'energy_per_area_kgce_m2',
    'energy_per_capita_kgce',
    'water_per_capita_m3',
    'carbon_per_area_kgco2_m2',
  ]),
  base_value: z.number().nullable().describe('The base year’s value; null when missing'),
  value: z.number().nullable().describe('The end year’s value; null when missing'),
  change: z.number().nullable().describe('value / base_value − 1'),
  target: z.number().nullable().describe('The plan’s change by its end year, e.g. −0.05'),
  result: z
    .enum(['achieved', 'not_achieved', 'incomplete', 'no_target'])
    .describe('完成, 未完成, 数据不全 (never achieved), 无目标'),
  result_text: z.string(),
  coverage: z.number().describe('Lowest share of the end year’s days with data over the types it rests on'),
  base_coverage: z.number(),
  estimated_share: z.number().describe('Share of the end year’s figure that is estimated'),
  entered_share: z
    .number()
    .describe('Share of the end year’s figure entered (bills, fuel cards), not metered'),
  national_base: z.number().nullable(),
});

const assessment = z
  .looseObject({
    kind: z.literal('assessment'),
    plan,
    plan_note: z.string().nullable(),
    organization: z.string(),
    year: z.number().int().describe('The plan’s end year'),
    base_year: z.number().int(),
    basis_text: z.string(),
    rows: z.array(row),
    result: z.enum(['achieved', 'not_achieved', 'incomplete', 'no_target']),
    result_text: z.string(),
    notes: z.array(z.string()),
  })
  .describe('A plan’s final assessment (规划终期考核)');

/** GET /reports/assessment. */
export function assessmentDocs(): RouteDoc[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/reports/assessment',
      operationId: 'getPlanAssessment',
      summary: {
        zh: '规划终期考核（如十四五：2025 年对 2020 年）',
        en: 'Final assessment of a plan (十四五: 2025 against 2020)',
      },
      tag: 'reports',
      query: assessmentQuery,
      responses: {
        200: {
          description:
            'format=json; csv (a zip of CSV tables) and xlsx are the same assessment. 400 for a plan it does not know, one not published (十五五) or one whose end year has not ended',
          schema: assessment,
          files: ['application/zip', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        },
      },
      errors: [...commonErrors, 404, 503],
    },
  ];
}
