import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { loadStandardPlans, type Plan } from '../core/reports/plans.ts';
import {
  type ElectricityBasis,
  type TargetIndicator,
  targetIndicators,
  type UsedFactor,
} from '../core/reports/report.ts';

export type { ElectricityBasis, TargetIndicator, UsedFactor };

/**
 * Regulatory figures as data (reports/data/*.yaml): 折标准煤 coefficients, CO₂ factors and
 * plan-period targets, each value with its source and a verified flag. Reports print which value
 * they used, from where, and whether it was checked.
 */
const sourced = z
  .object({
    value: z.number().positive(),
    unit: z.string().min(1),
    source: z.string().min(1),
    verified: z.boolean(),
  })
  .strict();

export type SourcedValue = z.infer<typeof sourced>;

export const fuelSchema = z.enum(['natural_gas', 'gasoline', 'diesel', 'lpg', 'coal', 'heat']);
export type Fuel = z.infer<typeof fuelSchema>;

const coefficientsSchema = z
  .object({
    version: z.literal(1),
    electricity: z
      .object({
        equivalent: sourced,
        generation_coal_rate: z.array(sourced.extend({ year: z.number().int() })).min(1),
      })
      .strict(),
    fuels: z.record(fuelSchema, sourced),
  })
  .strict();

const emissionsSchema = z
  .object({
    version: z.literal(1),
    electricity: z.array(sourced.extend({ year: z.number().int(), region: z.string().min(1) })).min(1),
    fuels: z.partialRecord(fuelSchema, sourced),
  })
  .strict();

export const indicatorSchema = z.enum(targetIndicators);

export type { Plan };

export interface Factors {
  coefficients: z.infer<typeof coefficientsSchema>;
  emissions: z.infer<typeof emissionsSchema>;
  plans: Plan[];
}

const dataDir = join(import.meta.dirname, 'data');

function load<T>(file: string, schema: z.ZodType<T>): T {
  const path = join(dataDir, file);
  const parsed = schema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export function loadFactors(): Factors {
  return {
    coefficients: load('coefficients.yaml', coefficientsSchema),
    emissions: load('emissions.yaml', emissionsSchema),
    plans: loadStandardPlans(join(dataDir, 'targets.yaml')),
  };
}

/** The Chinese name of a fuel, as a factor's `what` says it. */
export const fuelNames: Record<Fuel, string> = {
  natural_gas: '天然气',
  gasoline: '汽油',
  diesel: '柴油',
  lpg: '液化石油气',
  coal: '煤',
  heat: '热力',
};

const regionNames: Record<string, string> = { national: '全国', fujian: '福建', guangdong: '广东' };
/** A grid region in Chinese (the series key when it has no name here). */
export const regionName = (r: string) => regionNames[r] ?? r;

/** Latest entry at or before `year`, else the earliest one — saying so (in Chinese: an officer reads it). */
function byYear<T extends { year: number }>(list: T[], year: number): { entry: T; note?: string } {
  const sorted = [...list].sort((a, b) => a.year - b.year);
  const at = sorted.filter((e) => e.year <= year).at(-1);
  if (at)
    return at.year === year ? { entry: at } : { entry: at, note: `无 ${year} 年数值，采用 ${at.year} 年` };
  const first = sorted[0] as T;
  return { entry: first, note: `${year} 年及以前无数值，采用 ${first.year} 年` };
}

/** kgce per kWh for a report about `year` on the chosen basis. */
export function electricityKgce(f: Factors, basis: ElectricityBasis, year: number): UsedFactor {
  if (basis === 'equivalent') return { ...f.coefficients.electricity.equivalent, what: '电力 当量值' };
  // 等价值: the previous year's generation coal rate (the latest published when a report is made).
  const { entry, note } = byYear(f.coefficients.electricity.generation_coal_rate, year - 1);
  const { year: _year, ...value } = entry;
  return {
    ...value,
    what: `电力 等价值（${entry.year} 年火电供电标准煤耗）`,
    ...(note ? { note } : {}),
  };
}

export function fuelKgce(f: Factors, fuel: Fuel): UsedFactor {
  return { ...f.coefficients.fuels[fuel], what: `${fuelNames[fuel]} 折标准煤` };
}

/** Grid CO₂ factor for `year` in `region` (falling back to the national series). */
export function gridCo2(f: Factors, year: number, region: string): UsedFactor {
  const regional = f.emissions.electricity.filter((e) => e.region === region);
  const list =
    regional.length > 0 ? regional : f.emissions.electricity.filter((e) => e.region === 'national');
  const { entry, note } = byYear(list, year);
  const { year: _y, region: r, ...value } = entry;
  const regionNote =
    regional.length === 0 && region !== 'national' ? `无${regionName(region)}系列，采用全国` : undefined;
  const notes = [note, regionNote].filter(Boolean).join('；');
  return {
    ...value,
    what: `电网 CO₂ 排放因子 ${regionName(r)} ${entry.year} 年`,
    ...(notes ? { note: notes } : {}),
  };
}

export function fuelCo2(f: Factors, fuel: Fuel): UsedFactor | undefined {
  const v = f.emissions.fuels[fuel];
  return v ? { ...v, what: `${fuelNames[fuel]} CO₂ 排放因子` } : undefined;
}
