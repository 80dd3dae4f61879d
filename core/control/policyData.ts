import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { roles, scopes } from '../auth/actor.ts';

const figure = z
  .object({
    value: z.number(),
    unit: z.string(),
    source: z.string().min(1),
    confidence: z.string(),
    verified: z.boolean(),
  })
  .strict();

const levelRule = z
  .object({
    from: z.number().int().min(1).max(16),
    to: z.number().int().min(1).max(16),
    name: z.string().min(1),
    scopes: z.array(z.enum(scopes)).describe('A token with any of these scopes may take these levels'),
    roles: z.array(z.enum(roles)).describe('Or an actor of one of these roles'),
    reason: z.boolean().describe('A reason is required to set a level here'),
    expiry: z
      .boolean()
      .describe('An expiry is required (unless `permanent` lets the permanent rule waive it)'),
    permanent: z.boolean().describe('Whether the `permanent` rule may waive the expiry at these levels'),
    source: z.string().min(1),
  })
  .strict();

/** Who may take which command priority (issue 15): data, so a site's rules are read, not coded. */
const commandPrivilegesSchema = z
  .object({
    no_command: z.object({ roles: z.array(z.enum(roles)), source: z.string().min(1) }).strict(),
    max_expiry: z
      .object({ value: z.number().positive(), unit: z.literal('d'), source: z.string().min(1) })
      .strict(),
    levels: z.array(levelRule).min(1),
    permanent: z
      .object({ roles: z.array(z.enum(roles)), reason: z.boolean(), source: z.string().min(1) })
      .strict(),
  })
  .strict()
  .refine(
    (p) =>
      Array.from({ length: 16 }, (_, i) => i + 1).every(
        (l) => p.levels.filter((r) => r.from <= l && l <= r.to).length === 1,
      ),
    { message: 'command_privileges.levels must cover each priority 1–16 exactly once' },
  );
export type CommandPrivileges = z.infer<typeof commandPrivilegesSchema>;

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
    command_privileges: commandPrivilegesSchema,
  })
  .strict();

/** The regulatory defaults of control (core/control/data/policy.yaml), each with its source and verified flag. */
export const policyData = policyDataSchema.parse(
  parse(readFileSync(join(import.meta.dirname, 'data', 'policy.yaml'), 'utf8')),
);
