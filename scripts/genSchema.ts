// Writes core/config/site.schema.json from the zod site schema (what editors validate against).
// `npm run gen:schema`; test/schema.test.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { siteSchemaJson, siteSchemaJsonFile } from '../core/config/jsonSchema.ts';

writeFileSync(siteSchemaJsonFile, siteSchemaJson());
console.log(`wrote ${siteSchemaJsonFile}`);
