import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { volumeFuels } from '../energy.ts';

/** A fuel's density, kg/L at 20 °C, with where it comes from and whether a person checked it. */
export interface Density {
  value: number;
  unit: 'kg/L';
  source: string;
  verified: boolean;
}

const densitySchema = z
  .object({
    // Liquid fuels lie between 0.5 (LPG) and 1 kg/L; anything else is a typo in the data file.
    value: z.number().min(0.5).max(1),
    unit: z.literal('kg/L'),
    source: z.string().min(1),
    verified: z.boolean(),
  })
  .strict();

const densitiesSchema = z
  .object({ version: z.literal(1), fuels: z.record(z.enum(volumeFuels), densitySchema) })
  .strict();

/** Fuel densities by fuel, kg/L. */
export type Densities = z.infer<typeof densitiesSchema>['fuels'];

const defaultFile = new URL('../data/densities.yaml', import.meta.url);

/** Reads reports/data/densities.yaml (or `file`); a malformed file throws with the path. */
export function loadDensities(file: string | URL = defaultFile): Densities {
  const parsed = densitiesSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${String(file)}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data.fuels;
}
