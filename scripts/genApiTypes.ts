/**
 * The console's typed API client types (dashboards/web/src/api/openapi.d.ts), generated from the
 * API's own OpenAPI document with openapi-typescript. `npm run gen:api-types` rewrites the file;
 * test/consoleApiTypes.test.ts fails when the committed file is not what the document makes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { consoleApiTypes } from './consoleApiTypes.ts';

const out = fileURLToPath(new URL('../dashboards/web/src/api/openapi.d.ts', import.meta.url));
writeFileSync(out, await consoleApiTypes());
console.log(`wrote ${out}`);
