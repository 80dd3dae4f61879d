import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { type TargetIndicator, targetIndicators } from './report.ts';

/**
 * Plan-period target sets (十三五, 十四五, 十五五 …) as data: the standard ones in
 * reports/data/targets.yaml, a site's own (provincial, municipal or the institution's) in the site
 * file under `reports.targets`. Here in core/ because the reports and the alarm service's
 * target_trend rule judge against the same plans (issue 18, "Plans as data"); pure but for the
 * file read of `loadStandardPlans`.
 */

const indicator = z.enum(targetIndicators);

/** One figure of a plan with where it comes from and whether a person checked it against the document. */
const sourcedFigure = (value: z.ZodNumber) =>
  z
    .object({
      value,
      source: z.string().min(1),
      verified: z.boolean(),
      /** Why it is (not) verified, e.g. "两份独立转载一致（domain-facts §1，H）". */
      note: z.string().min(1).optional(),
    })
    .strict();

const standardPlanSchema = z
  .object({
    id: z.string().min(1),
    /** Short name as officers say it: 十四五. */
    short: z.string().min(1),
    name: z.string().min(1),
    source: z.string().min(1),
    /** unpublished: a slot for a plan whose figures are not known yet (no targets). */
    status: z.enum(['published', 'unpublished']),
    base_year: z.number().int(),
    end_year: z.number().int(),
    targets: z.partialRecord(indicator, sourcedFigure(z.number().min(-1).max(0))).default({}),
    national_base: z.partialRecord(indicator, sourcedFigure(z.number().positive())).optional(),
  })
  .strict()
  .refine((p) => p.end_year > p.base_year, { message: 'end_year must be after base_year' })
  .refine((p) => p.status === 'published' || Object.keys(p.targets).length === 0, {
    message: 'an unpublished plan carries no targets',
  });

const standardFileSchema = z
  .object({ version: z.literal(1), plans: z.array(standardPlanSchema).min(1) })
  .strict();

/** A figure's provenance. */
export interface FigureSource {
  source: string;
  verified: boolean;
}

/** A plan as reports and alarms use it: the figures as numbers, their provenance beside them. */
export interface Plan {
  id: string;
  /** 十四五; for a site set, the short name of the plan it stands in for, else its name. */
  short: string;
  name: string;
  source: string;
  /** Every target figure verified (an unpublished plan: false). */
  verified: boolean;
  published: boolean;
  base_year: number;
  end_year: number;
  /** Change by end_year versus base_year, e.g. −0.05; none for an unpublished plan. */
  targets: Partial<Record<TargetIndicator, number>>;
  national_base?: Partial<Record<TargetIndicator, number>>;
  /** Where each target figure comes from. */
  target_sources: Partial<Record<TargetIndicator, FigureSource>>;
  origin: 'standard' | 'site';
  /** A site set: the standard plan it stands in for (e.g. 15th-five-year), and who issued it. */
  stands_for?: string;
  level?: 'provincial' | 'municipal' | 'organization';
}

/** The standard plans file, beside the other factor files of the reports. */
export const STANDARD_PLANS_FILE = join(import.meta.dirname, '..', '..', 'reports', 'data', 'targets.yaml');

/** Reads the standard plans (default reports/data/targets.yaml); a malformed file throws naming the path. */
export function loadStandardPlans(file = STANDARD_PLANS_FILE): Plan[] {
  const parsed = standardFileSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data.plans.map((p) => {
    const figures = Object.entries(p.targets) as [
      TargetIndicator,
      z.infer<ReturnType<typeof sourcedFigure>>,
    ][];
    return {
      id: p.id,
      short: p.short,
      name: p.name,
      source: p.source,
      published: p.status === 'published',
      verified: p.status === 'published' && figures.length > 0 && figures.every(([, f]) => f.verified),
      base_year: p.base_year,
      end_year: p.end_year,
      targets: Object.fromEntries(figures.map(([k, f]) => [k, f.value])),
      ...(p.national_base
        ? { national_base: Object.fromEntries(Object.entries(p.national_base).map(([k, f]) => [k, f.value])) }
        : {}),
      target_sources: Object.fromEntries(
        figures.map(([k, f]) => [k, { source: f.source, verified: f.verified }]),
      ),
      origin: 'standard' as const,
    };
  });
}

export const targetLevels = ['provincial', 'municipal', 'organization'] as const;
const levelNames: Record<(typeof targetLevels)[number], string> = {
  provincial: '省级',
  municipal: '市级',
  organization: '本单位',
};
/** 省级 / 市级 / 本单位. */
export const levelName = (l: Plan['level']) => (l ? levelNames[l] : '');

/** The site file's `reports.targets`: provincial, municipal or the institution's own target sets. */
export const siteTargetSetSchema = z
  .object({
    id: z.string().min(1).describe('Id of the target set, e.g. 15th-five-year-fujian'),
    name: z.string().min(1).describe('Name as printed, e.g. 福建省“十五五”公共机构节约能源资源工作规划'),
    plan: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The standard plan (reports/data/targets.yaml) this set stands in for, e.g. 15th-five-year; its base and end years must be the plan’s',
      ),
    level: z
      .enum(targetLevels)
      .optional()
      .describe('Who set it: provincial (省级), municipal (市级) or organization (本单位, when left out)'),
    source: z.string().min(1).describe('The document the targets come from (文号)'),
    base_year: z.number().int().describe('Base year the changes are measured against'),
    end_year: z
      .number()
      .int()
      .describe('Year by which the changes are due; the set covers base_year + 1 … end_year'),
    targets: z
      .partialRecord(
        indicator,
        z.number().min(-1).max(0).describe('Change by end_year versus base_year, e.g. -0.05 for −5 %'),
      )
      .describe(
        'Per indicator: energy_per_area_kgce_m2, energy_per_capita_kgce, water_per_capita_m3, carbon_per_area_kgco2_m2',
      ),
    national_base: z
      .partialRecord(indicator, z.number().positive())
      .optional()
      .describe('National levels in the base year, printed beside the figures'),
    verified: z
      .boolean()
      .default(false)
      .describe(
        'Whether a person checked the figures against the document; unverified targets are flagged on the report',
      ),
  })
  .strict()
  .refine((t) => t.end_year > t.base_year, {
    message: 'end_year must be after base_year',
    path: ['end_year'],
  });

export type SiteTargetSet = z.infer<typeof siteTargetSetSchema>;

export const siteTargetsSchema = z
  .array(siteTargetSetSchema)
  .default([])
  .describe(
    'Target sets of the site’s own — provincial, municipal or the institution’s (e.g. while the 十五五 figures are not published): for the years it covers a site set wins over the standard one',
  );

/** A site set as a plan; `standard` names the short name of the plan it stands for. */
export function sitePlan(t: SiteTargetSet, standard: readonly Plan[]): Plan {
  const stands = t.plan ? standard.find((p) => p.id === t.plan) : undefined;
  const sources = Object.fromEntries(
    Object.keys(t.targets).map((k) => [k, { source: t.source, verified: t.verified }]),
  );
  return {
    id: t.id,
    short: stands?.short ?? t.name,
    name: t.name,
    source: t.source,
    verified: t.verified,
    published: true,
    base_year: t.base_year,
    end_year: t.end_year,
    targets: t.targets,
    ...(t.national_base ? { national_base: t.national_base } : {}),
    target_sources: sources,
    origin: 'site',
    ...(t.plan ? { stands_for: t.plan } : {}),
    level: t.level ?? 'organization',
  };
}

/** Whether a plan's period (base_year, end_year] holds the year. */
export const coversYear = (p: { base_year: number; end_year: number }, year: number) =>
  year > p.base_year && year <= p.end_year;

/**
 * The plan a year is judged against: a site set covering it first (it wins for the years it
 * covers), then a standard plan — which may be an unpublished slot (published: false, no targets:
 * nothing is judged, and the caller says 十五五目标未发布). Null when no plan covers the year.
 */
export function planForYear(
  standard: readonly Plan[],
  site: readonly SiteTargetSet[],
  year: number,
): Plan | null {
  const own = site.find((t) => coversYear(t, year));
  if (own) return sitePlan(own, standard);
  return standard.find((p) => coversYear(p, year)) ?? null;
}

/** A plan by id or short name (十四五), standard or the site's; null when none is called so. */
export function planNamed(
  standard: readonly Plan[],
  site: readonly SiteTargetSet[],
  name: string,
): Plan | null {
  const own = site.find((t) => t.id === name);
  if (own) return sitePlan(own, standard);
  return standard.find((p) => p.id === name || p.short === name) ?? null;
}

/**
 * Why an unpublished plan judges nothing, said the same way by the reports and the alarm service:
 * "十五五目标未发布（十五五公共机构节约能源资源工作规划 2026–2030 年，基准年 2025）：站点文件未配置省、市或本单位目标（reports.targets），未评价达标".
 */
export const unpublishedText = (p: Pick<Plan, 'short' | 'name' | 'base_year' | 'end_year'>) =>
  `${p.short}目标未发布（${p.name} ${p.base_year + 1}–${p.end_year} 年，基准年 ${p.base_year}）：站点文件未配置省、市或本单位目标（reports.targets），未评价达标`;
