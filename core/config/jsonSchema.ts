import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { siteSchema } from './siteSchema.ts';

export const siteSchemaJsonFile = fileURLToPath(new URL('./site.schema.json', import.meta.url));

/** The JSON Schema of a site file as written by hand (input side: durations are strings, defaults optional). */
export function siteSchemaJson(): string {
  const schema = z.toJSONSchema(siteSchema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ ...schema, title: 'jieneng site configuration v1' }, null, 2)}\n`;
}
