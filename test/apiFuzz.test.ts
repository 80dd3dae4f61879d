import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDocument } from '../api/openapi/document.ts';
import { fillPath, pathValues, validBodies } from './helpers/apiExamples.ts';
import { type ApiHarness, startApiHarness } from './helpers/apiHarness.ts';
import { type BadBody, badBodies, type PropertySchema } from './helpers/badBodies.ts';

/**
 * Issue 15, bad input: every mutating route of the router gets generated invalid bodies — a few
 * thousand in all — and answers each with a 4xx problem, never a 5xx; the API keeps answering; and
 * nothing is half-written: what the GET routes show is the same after the refused bodies as before.
 * Routes come from the router and required fields from the OpenAPI document, so a new route is
 * fuzzed as soon as it has a valid example in test/helpers/apiExamples.ts (a route without one
 * fails here by name).
 */
let h: ApiHarness;
let doc: ApiDocument;
const RUNS_PER_ROUTE = 150;

beforeAll(async () => {
  h = await startApiHarness();
  doc = (await (await fetch(`${h.base}/api/v1/openapi.json`)).json()) as ApiDocument;
});
afterAll(async () => {
  await h?.stop();
});

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

/** The schedule routes also get thousands of overlapping exceptions and day-program entries (issue 15: a heap exhaustion). */
const scheduleRoutes = new Set([
  'POST /api/v1/schedules/validate',
  'POST /api/v1/schedules',
  'PUT /api/v1/schedules/:id',
]);
const largeSchedule = {
  exceptions: Array.from({ length: 8000 }, () => ({ from: '2000-01-01', to: '2100-12-31', as: 'holiday' })),
  week: { workday: Array.from({ length: 5000 }, (_, i) => ({ at: '08:00', value: i })) },
};

type BodySchema = { required?: string[]; properties?: Record<string, PropertySchema> };

/** Whether the document gives a JSON (not problem) answer for this status (POST /schedules/validate's 422). */
function documentedJson(r: { method: string; path: string }, status: number): boolean {
  const p = r.path.replaceAll(/[:*]([A-Za-z_]+)/g, '{$1}');
  const ops = doc.paths?.[p] as
    | Record<string, { responses?: Record<string, { content?: object }> }>
    | undefined;
  const content = ops?.[r.method.toLowerCase()]?.responses?.[String(status)]?.content;
  return content !== undefined && Object.hasOwn(content, 'application/json');
}

/** The documented request body schema of a route (undefined: it takes none). */
function bodySchema(method: string, path: string): BodySchema | undefined {
  const p = path.replaceAll(/[:*]([A-Za-z_]+)/g, '{$1}');
  const op = (
    doc.paths?.[p] as Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> } }>
  )?.[method.toLowerCase()];
  const schema = op?.requestBody?.content?.['application/json']?.schema as
    | (BodySchema & { anyOf?: BodySchema[] })
    | undefined;
  return schema?.anyOf?.[0] ?? schema;
}

/** What a person sees through the GET routes, without what changes by merely calling (last use, audit). */
async function state(): Promise<string> {
  const reads = [
    '/api/v1/points',
    '/api/v1/schedules',
    '/api/v1/calendar?from=2025-10-01&to=2025-10-31',
    '/api/v1/facts',
    '/api/v1/entries',
    '/api/v1/users',
    '/api/v1/tokens',
  ];
  const out: unknown[] = [];
  for (const r of reads) {
    const res = await fetch(h.base + r, { headers: h.headers });
    out.push([r, res.status, await res.json()]);
  }
  return JSON.stringify(out, (k, v) => (k === 'last_used_at' ? undefined : v));
}

async function send(method: string, path: string, b: BadBody): Promise<{ status: number; type: string }> {
  const headers: Record<string, string> = { ...h.headers };
  if (b.type) headers['content-type'] = b.type;
  // A Uint8Array body gets no Content-Type from fetch (a string would get text/plain).
  const body = typeof b.body === 'string' && !b.type ? new TextEncoder().encode(b.body) : b.body;
  const res = await fetch(h.base + path, { method, headers, body });
  await res.arrayBuffer();
  return { status: res.status, type: res.headers.get('content-type') ?? '' };
}

describe('generated invalid bodies at every mutating route', () => {
  it('are refused with 4xx problems, never 5xx, and leave nothing half-written', async () => {
    const routes = h.api.routes.filter((r) => mutating.has(r.method));
    expect(routes.length).toBeGreaterThan(10); // the discovery itself works
    const examples = validBodies();
    const values = pathValues(h);
    // A user for PATCH /users/:name to reach its body checks (made before the state is taken).
    await fetch(`${h.base}/api/v1/users`, {
      method: 'POST',
      headers: { ...h.headers, 'content-type': 'application/json' },
      body: JSON.stringify(examples['POST /api/v1/users']),
    });
    const missing = routes.filter((r) => bodySchema(r.method, r.path) && !examples[key(r)]).map(key);
    expect(missing, 'add a valid body to test/helpers/apiExamples.ts').toEqual([]);
    let sent = 0;
    const accepted: string[] = [];
    const changed: string[] = [];
    for (const r of routes) {
      const before = await state();
      const schema = bodySchema(r.method, r.path);
      const valid = (examples[key(r)] ?? {}) as Record<string, unknown>;
      const path = fillPath(r.path, values);
      // Routes without a body get the content-type and encoding mistakes (their JSON is not read).
      const arb = schema
        ? badBodies(valid, schema, scheduleRoutes.has(key(r)) ? largeSchedule : {})
        : badBodies({ x: 'y' }, {}).filter((b) => b.type !== 'application/json' && b.type !== undefined);
      await fc.assert(
        fc.asyncProperty(arb, async (b) => {
          sent++;
          const answer = await send(r.method, path, b);
          if (answer.status < 400 || answer.status >= 500)
            accepted.push(`${key(r)} ${b.kind} → ${answer.status}`);
          else if (!answer.type.startsWith('application/problem+json') && !documentedJson(r, answer.status))
            accepted.push(`${key(r)} ${b.kind} → ${answer.status} ${answer.type}`);
          // Every answer is collected rather than stopping at the first: the list says what to fix.
          return true;
        }),
        { numRuns: schema ? RUNS_PER_ROUTE : 30 },
      );
      const after = await state();
      if (after !== before) changed.push(key(r));
    }
    expect([...new Set(accepted)]).toEqual([]);
    expect(changed, 'state read through the GET routes changed by refused bodies').toEqual([]);
    expect(sent).toBeGreaterThan(2000);
    // The API is still up and answers as before.
    expect((await fetch(`${h.base}/api/v1/health`)).status).toBe(200);
  });
});
