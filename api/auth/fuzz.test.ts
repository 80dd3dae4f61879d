import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthApp, adminPassword, startAuthApp } from './testApp.ts';

let app: AuthApp;
let session: { cookie: string; csrf: string };
beforeAll(async () => {
  app = await startAuthApp();
  session = await app.login('admin', adminPassword);
});
afterAll(() => app?.close());

// Bodies near the schemas (right keys, wrong values) and far from them (anything at all).
const value = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
);
const near = fc.dictionary(
  fc.constantFrom(
    'user',
    'password',
    'name',
    'role',
    'disabled',
    'scopes',
    'expires_at',
    'expires_in',
    'extra',
  ),
  value,
);
const body = fc.oneof(near, fc.anything());

describe('generated invalid bodies', () => {
  it.each([
    ['POST', '/auth/login'],
    ['POST', '/users'],
    ['PATCH', '/users/admin'],
    ['POST', '/tokens'],
  ])('%s %s answers 4xx (or 2xx), never 5xx, and leaves the admin intact', async (method, path) => {
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        app.clock.now += 1000; // keep the session alive, and out of the address limit's way
        const r = await app.call(method, path, { body: b, ...session });
        expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
        expect(r.headers.get('content-type')).toMatch(/json/);
      }),
      { numRuns: 200 },
    );
    expect(app.auth.getUser('admin')).toMatchObject({ role: 'admin', disabled: false });
  });
});
