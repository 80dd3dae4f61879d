import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const figure = z
  .object({
    value: z.number(),
    unit: z.string(),
    source: z.string().min(1),
    confidence: z.string(),
    verified: z.boolean(),
  })
  .strict();

const policyDataSchema = z
  .object({
    cooling_setpoint_min: figure,
    heating_setpoint_max: figure,
    comfort_band_cooling: z
      .object({
        min: z.number(),
        max: z.number(),
        unit: z.string(),
        source: z.string().min(1),
        confidence: z.string(),
        verified: z.boolean(),
      })
      .strict(),
  })
  .strict();

/** The regulatory defaults of control (core/control/data/policy.yaml), each with its source and verified flag. */
export const policyData = policyDataSchema.parse(
  parse(readFileSync(join(import.meta.dirname, 'data', 'policy.yaml'), 'utf8')),
);
