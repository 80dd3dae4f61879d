import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { slugSchema } from '../ids.ts';

/**
 * Energy quotas (能耗定额) as data (issue 18, "Quotas with early warning"): provincial standards'
 * tables in reports/data/quotas.yaml (Shandong DB37/T 2672-2019 the sourced example; no Fujian
 * standard was found), a site's quotas in the site file under `reports.quotas` — by standard and
 * category, or its own figure with a source. GB/T 51161-2016's office limit and guide values are
 * the second benchmark. Here in core/ because the reports and the alarm service's quota rule judge
 * the same quotas; pure but for the file read of `loadQuotaStandards`.
 */

/** What a quota is set on: per m², per person, or a total, each a year. */
export const quotaIndicators = [
  'energy_per_area_kgce_m2',
  'energy_per_capita_kgce',
  'water_per_capita_m3',
  'electricity_per_area_kwh_m2',
  'energy_total_kgce',
  'electricity_total_kwh',
  'water_total_m3',
] as const;
export type QuotaIndicator = (typeof quotaIndicators)[number];

/** What each indicator adds up (kgce, kWh or m³) and what it divides by. */
export const quotaIndicatorInfo: Record<
  QuotaIndicator,
  { quantity: 'energy' | 'electricity' | 'water'; per: 'area' | 'people' | null; unit: string; zh: string }
> = {
  energy_per_area_kgce_m2: { quantity: 'energy', per: 'area', unit: 'kgce/(m²·a)', zh: '单位建筑面积能耗' },
  energy_per_capita_kgce: { quantity: 'energy', per: 'people', unit: 'kgce/(人·a)', zh: '人均综合能耗' },
  water_per_capita_m3: { quantity: 'water', per: 'people', unit: 'm³/(人·a)', zh: '人均用水量' },
  electricity_per_area_kwh_m2: {
    quantity: 'electricity',
    per: 'area',
    unit: 'kWh/(m²·a)',
    zh: '单位建筑面积用电量',
  },
  energy_total_kgce: { quantity: 'energy', per: null, unit: 'kgce/a', zh: '综合能耗总量' },
  electricity_total_kwh: { quantity: 'electricity', per: null, unit: 'kWh/a', zh: '用电总量' },
  water_total_m3: { quantity: 'water', per: null, unit: 'm³/a', zh: '用水总量' },
};

export const quotaLevels = ['limit', 'baseline', 'guide'] as const;
export type QuotaLevel = (typeof quotaLevels)[number];

const figureSchema = z
  .object({
    value: z.number().positive(),
    source: z.string().min(1),
    verified: z.boolean(),
    note: z.string().min(1).optional(),
  })
  .strict();
type Figure = z.infer<typeof figureSchema>;

const standardSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    source: z.string().min(1),
    /** kgce/kWh the standard's energy figures convert electricity at (DB37/T 2672: 0.31 等价值). */
    electricity_kgce_per_kwh: z.number().positive().optional(),
    electricity_basis: z.string().min(1).optional(),
    /** The standard's own name of each level it sets (约束值 / 基准值 / 引导值; 通用值 / 先进值). */
    levels: z.partialRecord(z.enum(quotaLevels), z.string().min(1)),
    categories: z
      .array(
        z
          .object({
            id: z.string().min(1),
            name: z.string().min(1),
            quotas: z.partialRecord(
              z.enum(quotaIndicators),
              z.partialRecord(z.enum(quotaLevels), figureSchema),
            ),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type QuotaStandard = z.infer<typeof standardSchema>;

export const climateZones = [
  'severe_cold',
  'cold',
  'hot_summer_cold_winter',
  'hot_summer_warm_winter',
  'mild',
] as const;
export const officeTypes = ['government', 'commercial'] as const;
export const officeClasses = ['A', 'B'] as const;

const benchmarkSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    source: z.string().min(1),
    unit: z.string().min(1),
    corrections: z.object({ verified: z.boolean(), text: z.string().min(1) }).strict(),
    offices: z.array(
      z
        .object({
          type: z.enum(officeTypes),
          zones: z.array(z.enum(climateZones)).min(1),
          class: z.enum(officeClasses),
          limit: z.number().positive(),
          guide: z.number().positive(),
          source: z.string().min(1),
          verified: z.boolean(),
          note: z.string().min(1).optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type OfficeBenchmarkTable = z.infer<typeof benchmarkSchema>;

const fileSchema = z
  .object({
    version: z.literal(1),
    standards: z.array(standardSchema).min(1),
    benchmarks: z.array(benchmarkSchema).default([]),
  })
  .strict();
export type QuotaData = z.infer<typeof fileSchema>;

/** The standard quotas file, beside the other factor files of the reports. */
export const QUOTA_STANDARDS_FILE = join(import.meta.dirname, '..', '..', 'reports', 'data', 'quotas.yaml');

/** Reads the quota standards and benchmarks (default reports/data/quotas.yaml); a malformed file throws naming the path. */
export function loadQuotaStandards(file = QUOTA_STANDARDS_FILE): QuotaData {
  const parsed = fileSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** One quota of the site file (`reports.quotas`). */
export const siteQuotaSchema = z
  .object({
    building: slugSchema.describe('The building the quota is set for'),
    indicator: z
      .enum(quotaIndicators)
      .describe(
        'What the quota is set on, a year: energy_per_area_kgce_m2 kgce/(m²·a), energy_per_capita_kgce kgce/(人·a), water_per_capita_m3 m³/(人·a), electricity_per_area_kwh_m2 kWh/(m²·a), or a total: energy_total_kgce, electricity_total_kwh, water_total_m3',
      ),
    standard: z
      .string()
      .min(1)
      .optional()
      .describe('A standard of reports/data/quotas.yaml, e.g. DB37/T 2672-2019 (with category)'),
    category: z
      .string()
      .min(1)
      .optional()
      .describe('The standard’s building category, e.g. provincial (省级党政机关), city_a'),
    level: z
      .enum(quotaLevels)
      .default('limit')
      .describe(
        'Which of the standard’s levels is the quota: limit 约束值 (default), baseline 基准值, guide 引导值',
      ),
    value: z
      .number()
      .positive()
      .optional()
      .describe('The quota’s own figure in the indicator’s unit, when no standard is named (with source)'),
    source: z
      .string()
      .min(1)
      .optional()
      .describe('Where the own figure comes from (文号, 本单位定额文件); required with value'),
    verified: z
      .boolean()
      .default(false)
      .describe(
        'Whether a person checked the own figure against its document; unverified is said on the report',
      ),
    electricity_kgce_per_kwh: z
      .number()
      .positive()
      .max(1)
      .optional()
      .describe(
        'kgce/kWh electricity is converted at for an energy quota; default the standard’s (DB37/T 2672-2019: 0.31 等价值), else 0.1229 当量值',
      ),
  })
  .strict();
export type SiteQuota = z.infer<typeof siteQuotaSchema>;

export const siteQuotasSchema = z
  .array(siteQuotaSchema)
  .default([])
  .describe(
    'Energy quotas (能耗定额) per building and indicator, judged per statistics year: year to date against the quota prorated by the building’s monthly shape of last year, 预警 at 80 %, 超定额 at 100 %',
  );

/** The GB/T 51161-2016 office benchmark a building is compared with (`reports.office_benchmarks`). */
export const officeBenchmarkSchema = z
  .object({
    building: slugSchema,
    type: z.enum(officeTypes).describe('government 党政机关办公建筑, commercial 商业办公建筑'),
    class: z
      .enum(officeClasses)
      .describe('A: windows that open (natural ventilation); B: sealed, central air conditioning'),
  })
  .strict();
export const officeBenchmarksSchema = z
  .array(officeBenchmarkSchema)
  .default([])
  .describe(
    'Office buildings compared with GB/T 51161-2016’s non-heating electricity limit and guide values of their climate zone (second benchmark on the report)',
  );

/** 0.1229 kgce/kWh 当量值 (GB/T 2589-2020 附录A), the reports' default basis. */
export const EQUIVALENT_KGCE_PER_KWH = 0.1229;

/** A site quota with its figure found: what the reports and the alarm rule judge. */
export interface ResolvedQuota {
  building: string;
  indicator: QuotaIndicator;
  unit: string;
  /** The quota, a year, in `unit`. */
  value: number;
  level: QuotaLevel;
  /** 约束值, 通用值 …; 本单位定额 for an own figure. */
  level_name: string;
  standard: string | null;
  category: string | null;
  source: string;
  verified: boolean;
  note: string | null;
  /** kgce/kWh for an energy indicator, with its words; null for electricity and water. */
  electricity_kgce_per_kwh: number | null;
  basis_text: string | null;
  /** The standard's other levels of the same indicator (rating bands 先进/合理/达标), if any. */
  levels: Partial<Record<QuotaLevel, number>>;
}

const allowed = (xs: readonly string[]) => xs.join(', ');

/**
 * The figure a site quota names, or why it names none (naming the building and what is allowed):
 * the config check prints the reason, the reports and the rule skip it.
 */
export function resolveQuota(
  q: SiteQuota,
  data: QuotaData,
): ResolvedQuota | { problem: string; key: keyof SiteQuota } {
  const info = quotaIndicatorInfo[q.indicator];
  const energy = info.quantity === 'energy';
  const who = {
    zh: `建筑 "${q.building}" 的定额 ${q.indicator}`,
    en: `building "${q.building}" quota ${q.indicator}`,
  };
  const said = (key: keyof SiteQuota, zh: string, en: string) => ({
    problem: `${who.zh}：${zh} — ${who.en}: ${en}`,
    key,
  });
  const stds = allowed(data.standards.map((s) => s.id));
  if (q.standard === undefined) {
    if (q.value === undefined || q.source === undefined)
      return said(
        q.value === undefined ? 'value' : 'source',
        `请写标准与类别（standard、category；标准有：${stds}），或写本单位定额的数值与来源（value、source）`,
        `name a standard and category (standards: ${stds}) or give the quota's own value and source`,
      );
    const factor = q.electricity_kgce_per_kwh ?? EQUIVALENT_KGCE_PER_KWH;
    return {
      building: q.building,
      indicator: q.indicator,
      unit: info.unit,
      value: q.value,
      level: q.level,
      level_name: '本单位定额',
      standard: null,
      category: null,
      source: q.source,
      verified: q.verified,
      note: null,
      electricity_kgce_per_kwh: energy ? factor : null,
      basis_text: energy
        ? q.electricity_kgce_per_kwh === undefined
          ? `电力按当量值 ${EQUIVALENT_KGCE_PER_KWH} kgce/kWh 折算（GB/T 2589-2020）`
          : `电力按 ${factor} kgce/kWh 折算（站点文件）`
        : null,
      levels: { [q.level]: q.value },
    };
  }
  if (q.value !== undefined)
    return said(
      'value',
      `标准（${q.standard}）与本单位数值（value）只能写一个`,
      `give either a standard (${q.standard}) or an own value, not both`,
    );
  const std = data.standards.find((s) => s.id === q.standard);
  if (!std)
    return said(
      'standard',
      `没有定额标准 "${q.standard}"；标准有：${stds}（reports/data/quotas.yaml），或写本单位定额的数值与来源`,
      `no quota standard "${q.standard}"; standards are: ${stds} (reports/data/quotas.yaml), or give the quota's own value and source`,
    );
  const cats = allowed(std.categories.map((c) => `${c.id} (${c.name})`));
  if (q.category === undefined)
    return said(
      'standard',
      `${std.id} 需写类别 category；类别有：${cats}`,
      `${std.id} needs a category; its categories are: ${cats}`,
    );
  const cat = std.categories.find((c) => c.id === q.category);
  if (!cat)
    return said(
      'category',
      `${std.id} 没有类别 "${q.category}"；类别有：${cats}`,
      `${std.id} has no category "${q.category}"; its categories are: ${cats}`,
    );
  const row = cat.quotas[q.indicator];
  const sets = allowed(Object.keys(cat.quotas));
  if (!row)
    return said(
      'indicator',
      `${std.id} ${cat.id}（${cat.name}）未规定 ${q.indicator}；它规定：${sets}`,
      `${std.id} ${cat.id} sets no quota for ${q.indicator}; it sets: ${sets}`,
    );
  const fig: Figure | undefined = row[q.level];
  const lv = allowed(Object.keys(row).map((k) => `${k} (${std.levels[k as QuotaLevel] ?? k})`));
  if (!fig)
    return said(
      'level',
      `${std.id} ${cat.id} 的 ${q.indicator} 没有 ${q.level} 级；级别有：${lv}`,
      `${std.id} ${cat.id} has no ${q.level} level for ${q.indicator}; its levels are: ${lv}`,
    );
  const factor = q.electricity_kgce_per_kwh ?? std.electricity_kgce_per_kwh ?? EQUIVALENT_KGCE_PER_KWH;
  return {
    building: q.building,
    indicator: q.indicator,
    unit: info.unit,
    value: fig.value,
    level: q.level,
    level_name: std.levels[q.level] ?? q.level,
    standard: std.id,
    category: cat.name,
    source: fig.source,
    verified: fig.verified,
    note: fig.note ?? null,
    electricity_kgce_per_kwh: energy ? factor : null,
    basis_text: energy ? (std.electricity_basis ?? `电力按 ${factor} kgce/kWh 折算`) : null,
    levels: Object.fromEntries(Object.entries(row).map(([k, f]) => [k, f.value])),
  };
}

/** The site's quotas with their figures; those naming none are left out (config check refuses them). */
export function resolveQuotas(quotas: readonly SiteQuota[], data: QuotaData): ResolvedQuota[] {
  return quotas.flatMap((q) => {
    const r = resolveQuota(q, data);
    return 'problem' in r ? [] : [r];
  });
}

/** A building's GB/T 51161-2016 office row: its limit and guide values with their provenance. */
export interface OfficeBenchmark {
  standard: string;
  name: string;
  unit: string;
  type: (typeof officeTypes)[number];
  class: (typeof officeClasses)[number];
  zone: (typeof climateZones)[number];
  limit: number;
  guide: number;
  source: string;
  verified: boolean;
  note: string | null;
  corrections_verified: boolean;
  corrections_text: string;
}

/** The benchmark row of a climate zone, office type and class, or why there is none (naming what there is). */
export function officeBenchmarkFor(
  data: QuotaData,
  zone: (typeof climateZones)[number],
  type: (typeof officeTypes)[number],
  cls: (typeof officeClasses)[number],
): OfficeBenchmark | { problem: string } {
  const table = data.benchmarks[0];
  if (!table) return { problem: 'no office benchmark table in reports/data/quotas.yaml' };
  const row = table.offices.find((o) => o.type === type && o.class === cls && o.zones.includes(zone));
  if (!row)
    return {
      problem: `${table.id} has no ${type} office class ${cls} value for climate zone ${zone}; it has: ${table.offices.map((o) => `${o.type} ${o.class} ${o.zones.join('/')}`).join(', ')}`,
    };
  return {
    standard: table.id,
    name: table.name,
    unit: table.unit,
    type,
    class: cls,
    zone,
    limit: row.limit,
    guide: row.guide,
    source: row.source,
    verified: row.verified,
    note: row.note ?? null,
    corrections_verified: table.corrections.verified,
    corrections_text: table.corrections.text,
  };
}
