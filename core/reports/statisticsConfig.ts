import { z } from 'zod';
import { slugSchema } from '../ids.ts';

/**
 * The site file's part of the annual statistics return (公共机构能源资源消费统计) and of costs: the
 * institution's basic information the buildings do not carry, and the tariffs metered energy is
 * priced by where no bill gives its cost (issue 18). Referenced from siteSchema.ts under `reports:`.
 */

const isoDate = z.iso.date().describe('Local date YYYY-MM-DD');

export const touPeriods = ['sharp', 'peak', 'flat', 'valley'] as const;
export type TouPeriod = (typeof touPeriods)[number];

const touHoursSchema = z
  .object({
    period: z.enum(touPeriods).describe('尖峰 sharp / 峰 peak / 平 flat / 谷 valley'),
    from: z.number().int().min(0).max(23).describe('First local hour of the period (0–23)'),
    to: z
      .number()
      .int()
      .min(1)
      .max(24)
      .describe('Local hour the period ends at, not included (1–24); below `from` it runs past midnight'),
  })
  .strict();

export const costTariffSchema = z
  .object({
    energy_type: z
      .enum(['electricity', 'water', 'natural_gas'])
      .describe(
        'Metered energy the tariff prices: electricity 电 (元/kWh), water 水 (元/m³), natural_gas 天然气 (元/m³)',
      ),
    buildings: z
      .array(slugSchema)
      .min(1)
      .optional()
      .describe('Buildings it applies to (default: every building of the organization)'),
    effective_from: isoDate.describe(
      'First local day the tariff is in force; it holds until the next one of the same energy type and buildings',
    ),
    price: z
      .number()
      .nonnegative()
      .max(1000)
      .optional()
      .describe('One price for every hour, 元 per kWh or m³ (at most 1000); or give time_of_use'),
    time_of_use: z
      .object({
        prices: z
          .partialRecord(z.enum(touPeriods), z.number().nonnegative().max(1000))
          .describe('元 per kWh or m³ of each period named in `hours`'),
        hours: z
          .array(touHoursSchema)
          .min(1)
          .describe('Local hours of each period; together they cover the 24 hours of a day once'),
      })
      .strict()
      .optional()
      .describe('Time-of-use prices (分时电价) by local hour, priced from the hourly rollups'),
    source: z.string().min(1).describe('The price notice or bill the prices come from'),
    verified: z.boolean().default(false).describe('Whether a person checked the prices against the source'),
  })
  .strict()
  .superRefine((t, ctx) => {
    if ((t.price === undefined) === (t.time_of_use === undefined))
      ctx.addIssue({ code: 'custom', message: 'give either price or time_of_use' });
    if (!t.time_of_use) return;
    const seen = new Array<string | undefined>(24);
    for (const h of t.time_of_use.hours) {
      // Hours from `from` up to `to`, past midnight when `to` is not after it (22–8); 0–24 is the whole day.
      const length = h.to > h.from ? h.to - h.from : h.to + 24 - h.from;
      if (h.from === h.to) {
        ctx.addIssue({
          code: 'custom',
          path: ['time_of_use', 'hours'],
          message: `${h.period} ${h.from}–${h.to} covers no hour`,
        });
        continue;
      }
      for (let k = 0; k < length; k++) {
        const x = (h.from + k) % 24;
        if (seen[x] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['time_of_use', 'hours'],
            message: `hour ${x} is in both ${seen[x]} and ${h.period}`,
          });
        seen[x] = h.period;
      }
      if (t.time_of_use.prices[h.period] === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['time_of_use', 'prices'],
          message: `no price for ${h.period}`,
        });
    }
    const open = [...seen.keys()].filter((x) => seen[x] === undefined);
    if (open.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['time_of_use', 'hours'],
        message: `hours ${open.join(', ')} are in no period; cover 0–24`,
      });
  });
export type CostTariff = z.infer<typeof costTariffSchema>;

const datedCount = (what: string) =>
  z
    .array(
      z
        .object({
          from: isoDate.describe(`Date from which this ${what} holds`),
          value: z.number().int().nonnegative().max(1e6).describe(`${what}, persons`),
          source: z.string().optional().describe('Where the figure comes from (e.g. 编办批复, 人事处名册)'),
        })
        .strict(),
    )
    .min(1)
    .optional()
    .describe(`${what} as dated facts: each value holds from its date until the next`);

export const statisticsConfigSchema = z
  .object({
    unit_nature: z
      .object({
        code: z
          .string()
          .regex(/^0\d{1,2}$/)
          .describe('单位性质 code as on the form, e.g. 01 国家机关, 021 事业单位（教育）'),
        name: z.string().min(1).describe('Its name as on the form, e.g. 国家机关'),
      })
      .strict()
      .optional()
      .describe('单位性质 of the institution (the codes rest on 2010–2011 copies of the form, unverified)'),
    staff_quota: datedCount('编制人数 (establishment headcount)'),
    users: datedCount('使用人数 (actual users of the buildings)'),
  })
  .strict()
  .describe('Basic information of the annual statistics return (基层表) the buildings do not carry');
export type StatisticsConfig = z.infer<typeof statisticsConfigSchema>;
