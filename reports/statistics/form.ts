import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { energyTypes } from '../energy.ts';

const itemSchema = z
  .object({
    id: z.string().min(1),
    label: z.string().min(1),
    energy_type: z.enum(energyTypes as [string, ...string[]]).nullable(),
    unit: z.string().min(1),
    factor: z.number().positive(),
    unit_verified: z.boolean(),
  })
  .strict();

const formSchema = z
  .object({
    version: z.literal(1),
    form: z
      .object({
        name: z.string().min(1),
        number: z.string().nullable(),
        number_note: z.string().min(1),
        source: z.string().min(1),
        verified: z.boolean(),
      })
      .strict(),
    items: z.array(itemSchema).min(1),
    notes: z.array(z.object({ text: z.string().min(1), verified: z.boolean() }).strict()),
  })
  .strict();

/** The statistics form as data: its rows, units and the notes on what is unverified. */
export type StatisticsForm = z.infer<typeof formSchema>;
export type FormItem = StatisticsForm['items'][number];

const defaultFile = new URL('../data/statistics-form.yaml', import.meta.url);

/** Reads reports/data/statistics-form.yaml (or `file`); a malformed file throws with the path. */
export function loadStatisticsForm(file: string | URL = defaultFile): StatisticsForm {
  const parsed = formSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${String(file)}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
