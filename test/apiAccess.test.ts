import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessMatrix, routeKey } from '../api/access.ts';
import { type Role, roles } from '../core/auth/actor.ts';
import { apiToken } from './helpers/apiAuth.ts';
import { type ApiHarness, startApiHarness } from './helpers/apiHarness.ts';
import { type Answer, type ExampleCall, routeExamples } from './helpers/routeExamples.ts';

/**
 * Issue 15's acceptance: the role × route matrix over every route the router has (read from the
 * router, so a new route is covered as it is added) — 401 without credentials, 403 for a role the
 * matrix does not name, 2xx for one it does, with a valid request (test/helpers/routeExamples.ts).
 */
let h: ApiHarness;
const tokens = new Map<Role, Record<string, string>>();

beforeAll(async () => {
  h = await startApiHarness();
  for (const role of roles) tokens.set(role, apiToken(h.dir, { role, name: `matrix-${role}` }).headers);
});
afterAll(async () => {
  await h?.stop();
});

/** A request as `role` (or anonymous), with a JSON body when there is one; the body is read. */
async function call(method: string, path: string, body: unknown, role?: Role): Promise<Answer> {
  const headers: Record<string, string> = role ? { ...tokens.get(role) } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(h.base + path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: () => JSON.parse(text) };
}

const admin = (method: string, path: string, body?: unknown) => call(method, path, body, 'admin');

describe('the role × route matrix', () => {
  it('names every route of the router, and the router serves every route it names but those of parts not mounted', () => {
    const served = h.api.routes.map(routeKey);
    expect(served.filter((k) => !(k in accessMatrix))).toEqual([]);
    // Only the event stream needs a broker, which the harness does not run.
    expect(Object.keys(accessMatrix).filter((k) => !served.includes(k))).toEqual(['GET /api/v1/stream']);
  });

  it('answers 401 without credentials, 403 to a role it does not name, 2xx to each role it does', async () => {
    const examples = routeExamples(h);
    const wrong: string[] = [];
    for (const route of h.api.routes) {
      const key = routeKey(route);
      const access = accessMatrix[key];
      const example: ExampleCall = examples[key] ?? { path: route.path };
      if (example.path.includes(':')) throw new Error(`no example request for ${key} in routeExamples`);
      if (access === 'public') {
        await example.setup?.(admin);
        const res = await call(route.method, example.path, example.body);
        if (res.status >= 300) wrong.push(`${key} public: ${res.status}`);
        continue;
      }
      const anonymous = await call(route.method, example.path, example.body);
      if (anonymous.status !== 401) wrong.push(`${key} anonymous: ${anonymous.status}, not 401`);
      for (const role of roles) {
        await example.setup?.(admin);
        const res = await call(route.method, example.path, example.body, role);
        const allowed = access?.includes(role) ?? false;
        if (allowed && (res.status < 200 || res.status >= 300))
          wrong.push(`${key} as ${role}: ${res.status}, not 2xx`);
        if (!allowed && res.status !== 403) wrong.push(`${key} as ${role}: ${res.status}, not 403`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('says in the refusal what is needed, in Chinese by default and in English when asked', async () => {
    const anonymous = await fetch(`${h.base}/api/v1/points`, { headers: { 'accept-language': 'zh-CN' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    expect(((await anonymous.json()) as { detail: string }).detail).toMatch(
      /需要身份验证.*POST \/api\/v1\/auth\/login/,
    );
    const viewer = await fetch(`${h.base}/api/v1/schedules`, {
      method: 'POST',
      headers: { ...tokens.get('viewer'), 'content-type': 'application/json', 'accept-language': 'en' },
      body: '{}',
    });
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as { detail: string }).detail).toBe(
      'POST /api/v1/schedules is for admin, engineer; "token:matrix-viewer" is viewer',
    );
  });
});
