import { z } from 'zod';
import { quotaIndicators } from '../../core/reports/quotas.ts';
import { consumptionQuery } from '../routes/consumption.ts';
import { intensityQuery, replaceQuery, uploadBody } from '../routes/reports.ts';
import { bodyErrors, commonErrors, instant, localDay, type RouteDoc } from './common.ts';

/** A service's state in /health (running, starting, stopped, failed …) and what it says of itself. */
const serviceStatus = z.looseObject({ state: z.string() });
const health = z.object({
  status: z.enum(['ok', 'degraded']),
  services: z.record(z.string(), serviceStatus),
});

const availability = z
  .looseObject({ state: z.string(), since: z.string().nullable().optional() })
  .nullable()
  .describe("The device's availability from its gateway (null when unknown)");

const latestReading = z.looseObject({
  device: z.string(),
  point: z.string(),
  value: z.union([z.number(), z.string(), z.boolean()]).nullable(),
  unit: z.string().nullable(),
  ts: instant,
  age_s: z.number().describe('Seconds since the device was read, s'),
  quality: z.string(),
  availability,
});

const total = z.looseObject({
  key: z.string(),
  category: z.string(),
  value: z
    .number()
    .nullable()
    .describe(
      'null only for the virtual 其他/未计量 when no main meter reported in the range (缺数据), never a 0',
    ),
  estimated: z.number().describe('Share of the value that is estimated (gaps filled), in the unit of value'),
  unit: z.string().nullable(),
  virtual: z.boolean().optional().describe('Computed, not metered: 其他/未计量 = main − Σ sub-meters'),
  note: z.string().optional(),
  name: z.string().optional().describe('group_by=item_code: the code’s Chinese name, e.g. 空调用电'),
  parent: z
    .string()
    .nullable()
    .optional()
    .describe('group_by=item_code: the code this one rolls up into (01B1C → 01B10 → 01B00 → 01000)'),
  subitem: z
    .string()
    .optional()
    .describe(
      'group_by=item_code: the 分项 the code belongs to; the rows of one subitem add up to its group_by=subitem row',
    ),
});
const consumption = z.looseObject({
  site: z.string(),
  timezone: z.string(),
  from: instant,
  to: instant,
  period: z.enum(['hour', 'day']),
  group_by: z.string(),
  totals: z.array(total),
  series: z
    .array(
      z.object({ start: instant, value: z.number(), estimated: z.number(), unit: z.string().nullable() }),
    )
    .optional(),
});

const report = z
  .looseObject({
    kind: z.literal('intensity'),
    from: localDay,
    to: localDay,
    days: z.number().int(),
    baseline_year: z
      .number()
      .int()
      .nullable()
      .describe('The year compared with (default the plan’s base year)'),
    plan: z
      .looseObject({
        id: z.string(),
        name: z.string(),
        base_year: z.number().int(),
        end_year: z.number().int(),
        origin: z.enum(['standard', 'site']),
        short: z.string().optional().describe('十四五, 十五五'),
        published: z
          .boolean()
          .optional()
          .describe('false: the plan’s figures are not published (十五五): nothing judged, 十五五目标未发布'),
      })
      .nullable()
      .describe('The plan measured against; null outside every plan'),
    plan_note: z.string().nullable(),
    quotas: z
      .looseObject({
        year: z.number().int().describe('The statistics year judged: that of the last day counted'),
        to: localDay.describe('The last day counted; the year to date runs from 1 January'),
        rows: z.array(
          z.looseObject({
            building: z.string(),
            name: z.string(),
            indicator: z.enum(quotaIndicators),
            indicator_name: z.string().describe('单位建筑面积能耗, 人均综合能耗 …'),
            unit: z.string().describe('kgce/(m²·a), kgce/(人·a), m³/(人·a), kWh/(m²·a), or a total a year'),
            quota: z.number().describe('The year’s quota in unit'),
            level_name: z.string().describe('约束值, 基准值, 引导值, 通用值, or 本单位定额'),
            standard: z.string().nullable().describe('e.g. DB37/T 2672-2019; null for an own figure'),
            category: z.string().nullable(),
            source: z.string(),
            verified: z
              .boolean()
              .describe('false: not checked against the standard’s text (said on the report)'),
            ytd: z
              .number()
              .nullable()
              .describe('Year to date in unit; null when missing (status incomplete)'),
            share: z.number().describe('Share of the year’s quota due by `to`, 0–1'),
            prorated: z.number().describe('quota × share'),
            projection: z.number().nullable().describe('ytd ÷ share: the year at this pace'),
            ratio: z.number().nullable().describe('ytd ÷ prorated (= projection ÷ quota)'),
            status: z.enum(['normal', 'warning', 'exceeded', 'incomplete']),
            status_zh: z.string().describe('正常, 预警 (≥ 80 %), 超定额 (≥ 100 %), 缺数据（…）'),
            method: z.enum(['previous_year_shape', 'days']).describe('days: last year missing, marked'),
            method_text: z.string(),
            rating: z
              .string()
              .nullable()
              .describe('A standard’s band of the projection: 先进, 合理, 达标, 需整改'),
            basis_text: z.string().nullable().describe('The electricity factor an energy quota converts at'),
          }),
        ),
        benchmarks: z
          .array(
            z.looseObject({
              building: z.string(),
              standard: z.string().describe('GB/T 51161-2016'),
              type: z.enum(['government', 'commercial']),
              class: z.enum(['A', 'B']),
              zone: z.string(),
              limit: z.number().describe('约束值, kWh/(m²·a)'),
              guide: z.number().describe('引导值, kWh/(m²·a)'),
              value: z
                .number()
                .nullable()
                .describe('The year’s electricity per m², projected as the quota rows'),
              status_zh: z.string().describe('≤ 引导值, ≤ 约束值, 超约束值, 缺数据'),
              verified: z.boolean(),
              corrections_verified: z.boolean().describe('false: γ₁ γ₂ not applied (unverified)'),
            }),
          )
          .describe(
            'GB/T 51161-2016 office limit and guide values of the building’s climate zone, the second benchmark',
          ),
        notes: z.array(z.string()),
      })
      .nullable()
      .optional()
      .describe(
        'The site’s energy quotas (能耗定额, reports.quotas) for the year of the last day counted; null when it sets none',
      ),
  })
  .describe('The intensity report (reports/README.md describes every field)');

const fact = z.looseObject({
  building: z.string(),
  effective_from: localDay,
  floor_area_m2: z.number().describe('Floor area, m²'),
  headcount: z.number().int().describe('用能人数, persons'),
});
const entry = z.looseObject({
  building: z.string(),
  period_start: localDay,
  period_end: localDay,
  energy_type: z.string(),
  quantity: z.number().describe("In the energy type's unit (kWh, m³, kg …), converted from quantity_given"),
  quantity_given: z.number(),
  unit_given: z.string(),
  source: z.string(),
  cost_yuan: z.number().nullable().describe('Cost, yuan'),
});

/**
 * The body of POST /facts and /entries as a person writes it: one object or an array of objects
 * with the CSV template's columns (reports/ledger/schema.ts checks every cell; a number may also be
 * written as text, as in the CSV). Bounds are the ledger's: floor area 0 < m² ≤ 1e7, headcount 1 … 1e6.
 */
// A cell reads text or a number, as a CSV or Excel cell does (a number for text is its digits).
const cell = z.union([z.string(), z.number()]);
const factInput = z.object({
  building: cell.describe('Building id or name of the site file'),
  effective_from: cell.describe('Local date YYYY-MM-DD from which the figures hold'),
  floor_area_m2: cell.describe('Floor area, m², more than 0 and at most 1e7'),
  headcount: cell.describe('用能人数, persons, a whole number from 1 to 1e6'),
});
const entryInput = z.object({
  building: cell.describe('Building id or name of the site file'),
  period_start: cell.describe('Local date YYYY-MM-DD'),
  period_end: cell.describe('Local date YYYY-MM-DD, on or after period_start'),
  energy_type: cell.describe('electricity, water, natural_gas, diesel, … (or their Chinese names)'),
  quantity: cell.describe(
    'Quantity in unit, at least 0 (at most about 100 times a large campus’s yearly use)',
  ),
  unit: cell.describe('kWh, MWh, m³, t, kg, L, GJ … as allowed for the energy type'),
  source: cell.describe('Where the figure comes from (bill, statistics form), at most 500 characters'),
  cost_yuan: cell.nullable().optional().describe('Cost, yuan, at least 0'),
});
const oneOrMany = (row: z.ZodObject) => z.union([row, z.array(row).max(100_000)]);
const entered = (kind: 'facts' | 'entries', row: z.ZodType) =>
  z.looseObject({
    imported: z.number().int(),
    replaced: z.number().int(),
    identical: z.number().int(),
    replacements: z.array(z.unknown()),
    notes: z.array(z.string()),
    [kind]: z.array(row),
  });

const ledgerAudit = z.array(z.object({ at: instant, action: z.string(), detail: z.unknown() }));

/** Health, readings, consumption, reports and the ledger: what a site's data answers. */
export function dataDocs(timeZone: string): RouteDoc[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/health',
      operationId: 'getHealth',
      summary: { zh: '各服务运行状态', en: 'State of each service' },
      tag: 'system',
      public: true,
      responses: {
        200: { description: 'Every service is running', schema: health },
        503: { description: 'A service is not running', schema: health },
      },
      errors: [],
    },
    {
      method: 'GET',
      path: '/metrics',
      operationId: 'getMetrics',
      summary: { zh: 'Prometheus 指标', en: 'Prometheus metrics' },
      tag: 'system',
      // A scraper sends a viewer token (the role matrix, api/access.ts).
      responses: { 200: { description: 'Text exposition format', schema: null, contentType: 'text/plain' } },
      errors: [401, 403],
    },
    {
      method: 'GET',
      path: '/api/v1/readings/latest',
      operationId: 'getLatestReadings',
      summary: { zh: '各点位最新读数', en: 'Newest reading of every device point' },
      tag: 'readings',
      query: {},
      responses: { 200: { description: 'One reading per device point', schema: z.array(latestReading) } },
      errors: commonErrors,
    },
    {
      method: 'GET',
      path: '/api/v1/consumption',
      operationId: 'getConsumption',
      summary: { zh: '能耗汇总（按建筑、区域、分项……）', en: 'Consumption totalled through the site tree' },
      tag: 'readings',
      query: consumptionQuery(timeZone),
      responses: { 200: { description: 'Totals (and a meter series when asked)', schema: consumption } },
      errors: [...commonErrors, 404, 503],
    },
    {
      method: 'GET',
      path: '/api/v1/reports/intensity',
      operationId: 'getIntensityReport',
      summary: { zh: '能耗强度报告', en: 'Energy intensity report' },
      tag: 'reports',
      query: intensityQuery(timeZone),
      responses: {
        200: {
          description: 'format=json; csv (zip), xlsx and pdf are files of the same report',
          schema: report,
        },
      },
      errors: [...commonErrors, 404, 503],
    },
    ...(['facts', 'entries'] as const).map(
      (kind): RouteDoc => ({
        method: 'POST',
        path: `/api/v1/${kind}`,
        operationId: kind === 'facts' ? 'enterFacts' : 'enterEntries',
        summary:
          kind === 'facts'
            ? { zh: '录入建筑面积与用能人数', en: 'Enter building facts (floor area, headcount)' }
            : { zh: '录入能源台账', en: 'Enter energy entries (bills, fuel cards)' },
        tag: 'ledger',
        query: replaceQuery,
        body: oneOrMany(kind === 'facts' ? factInput : entryInput),
        responses: {
          201: {
            description: 'All stored (or none: 422)',
            schema: entered(kind, kind === 'facts' ? fact : entry),
          },
        },
        errors: [...commonErrors, ...bodyErrors, 422],
      }),
    ),
    ...(['facts', 'entries'] as const).map(
      (kind): RouteDoc => ({
        method: 'POST',
        path: `/api/v1/${kind}/upload`,
        operationId: kind === 'facts' ? 'uploadFacts' : 'uploadEntries',
        summary:
          kind === 'facts'
            ? {
                zh: '上传建筑面积与用能人数文件（CSV 或 XLSX）',
                en: 'Upload a file of building facts (CSV or XLSX)',
              }
            : { zh: '上传能源台账文件（CSV 或 XLSX）', en: 'Upload a file of energy entries (CSV or XLSX)' },
        tag: 'ledger',
        query: replaceQuery,
        body: uploadBody,
        // The file as `jieneng import` reads it; all rows or none: a 422 lists every problem
        // (`problems`) and the same grouped by the file's row (`rows`: { row, problems }).
        responses: {
          201: {
            description: 'Every row stored (or none: 422 with problems and rows: { row, problems })',
            schema: entered(kind, kind === 'facts' ? fact : entry).extend({
              encoding: z.string().optional().describe('How the file was read: UTF-8, GB18030 (GBK), XLSX …'),
            }),
          },
        },
        errors: [...commonErrors, ...bodyErrors, 422],
      }),
    ),
    {
      method: 'GET',
      path: '/api/v1/facts',
      operationId: 'listFacts',
      summary: { zh: '建筑面积与用能人数', en: 'Building facts' },
      tag: 'ledger',
      query: {},
      responses: { 200: { description: 'Every stored fact', schema: z.array(fact) } },
      errors: commonErrors,
    },
    {
      method: 'GET',
      path: '/api/v1/entries',
      operationId: 'listEntries',
      summary: { zh: '能源台账', en: 'Energy entries' },
      tag: 'ledger',
      query: {},
      responses: { 200: { description: 'Every stored entry', schema: z.array(entry) } },
      errors: commonErrors,
    },
    {
      method: 'GET',
      path: '/api/v1/ledger/audit',
      operationId: 'getLedgerAudit',
      summary: { zh: '台账变更记录', en: 'Ledger changes' },
      tag: 'ledger',
      query: {},
      responses: { 200: { description: 'Imports and entries, oldest first', schema: ledgerAudit } },
      errors: commonErrors,
    },
  ];
}
