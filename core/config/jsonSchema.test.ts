import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { siteSchemaJson, siteSchemaJsonFile } from './jsonSchema.ts';

describe('site JSON Schema', () => {
  it('is committed as generated from the zod schema (run `npm run gen:schema` when this fails)', () => {
    expect(readFileSync(siteSchemaJsonFile, 'utf8')).toBe(siteSchemaJson());
  });
});
