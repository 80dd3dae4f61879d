import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { consoleApiTypes } from '../scripts/consoleApiTypes.ts';

describe("the console's typed API client", () => {
  it('is typed by the OpenAPI document the API serves (regenerate with npm run gen:api-types)', async () => {
    const committed = readFileSync('dashboards/web/src/api/openapi.d.ts', 'utf8');
    // A route, body or answer changed in the API without the console's types following it fails here,
    // and then the console's type-check shows every call the change breaks.
    expect(
      committed === (await consoleApiTypes()),
      'dashboards/web/src/api/openapi.d.ts is stale: npm run gen:api-types',
    ).toBe(true);
  });
});
