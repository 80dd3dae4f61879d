import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiDocument, apiDocument, documentedRoutes } from '../api/openapi/document.ts';
import type { RecordedResponse } from '../api/openapi/record.ts';
import { type ApiHarness, startApiHarness } from './helpers/apiHarness.ts';
import { checkRecorded } from './helpers/contract.ts';

/**
 * Issue 15, the API as a contract: every route of the router is in the OpenAPI document (and every
 * documented route is served), and what the routes really answer — recorded by the API itself
 * (recordResponses) for a request at every route, good and bad — validates against the document.
 * A route added without a description fails here by name.
 */
let h: ApiHarness;
let doc: ApiDocument;
let recordFile: string;
let recordDir: string;

beforeAll(async () => {
  recordDir = mkdtempSync(join(tmpdir(), 'jn-contract-'));
  recordFile = join(recordDir, 'responses.jsonl');
  h = await startApiHarness({ recordResponses: recordFile, mqttUrl: inject('mosquittoUrl') });
  doc = (await (await fetch(`${h.base}/api/v1/openapi.json`)).json()) as ApiDocument;
});
afterAll(async () => {
  await h?.stop();
  rmSync(recordDir, { recursive: true, force: true });
});

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

/** One request: path (with query), and a JSON body or raw text with its content type. */
interface Call {
  path: string;
  body?: unknown;
  raw?: { type: string; text: string };
  headers?: Record<string, string>;
}

/** A good request for each route that needs more than its bare path; `:name` is filled in by `fill`. */
function examples(): Record<string, Call[]> {
  const meter = h.site.config.meters[0]?.id ?? 'none';
  const schedule = {
    id: 'contract-night',
    name: '合同测试 夜间照明',
    group: 'lighting',
    point: 'relay_1',
    priority: 14,
    week: { workday: [{ at: '19:00', value: 0 }] },
  };
  return {
    'GET /api/v1/consumption': [{ path: `/api/v1/consumption?from=2025-07-01&to=2025-07-31&meter=${meter}` }],
    'GET /api/v1/reports/intensity': [{ path: '/api/v1/reports/intensity?from=2025-07-01&to=2025-07-31' }],
    'GET /api/v1/calendar': [{ path: '/api/v1/calendar?from=2025-10-01&to=2025-10-07' }],
    'GET /api/v1/schedules/preview': [{ path: '/api/v1/schedules/preview?days=2' }],
    'GET /api/v1/readings/history': [
      { path: `/api/v1/readings/history?device=:device&point=:point&from=2025-07-01&to=2025-07-02` },
    ],
    'PUT /api/v1/points/:device/:point/override': [{ path: ':path', body: { value: 1, for: '1h' } }],
    'POST /api/v1/overtime': [{ path: ':path', body: { group: 'zonghe-office-ac', until: '21:00' } }],
    'POST /api/v1/schedules/validate': [
      { path: ':path', body: schedule },
      { path: ':path', body: {} },
    ],
    'POST /api/v1/schedules': [{ path: ':path', body: schedule }],
    'PUT /api/v1/schedules/:id': [{ path: ':path', body: { ...schedule, name: '合同测试 改' } }],
    'PUT /api/v1/calendar/overrides/:date': [{ path: ':path', body: { type: 'holiday', note: '停电检修' } }],
    'POST /api/v1/facts': [
      {
        path: ':path',
        body: { building: 'zonghe-lou', effective_from: '2025-03-16', floor_area_m2: 18600, headcount: 560 },
      },
      { path: ':path', raw: { type: 'text/plain', text: 'floor area 18600' } },
      { path: ':path', raw: { type: 'application/json', text: '{"building":' } },
    ],
    'POST /api/v1/entries': [
      {
        path: ':path',
        body: {
          building: 'zonghe-lou',
          period_start: '2025-03-01',
          period_end: '2025-03-31',
          energy_type: 'diesel',
          quantity: 0.62,
          unit: 't',
          source: '3月加油卡',
        },
      },
      { path: ':path', body: [{ building: 'nope' }], headers: { 'accept-language': 'en-US,en;q=0.9' } },
    ],
  };
}

/** The path with its parameters filled by real entities (a writable point, the new schedule, a date). */
function fill(path: string): string {
  const point = h.service.points()[0];
  const values: Record<string, string> = {
    device: point?.device ?? 'x',
    point: point?.point ?? 'x',
    id: 'contract-night',
    date: '2025-10-09',
    name: '王工',
  };
  return path.replaceAll(/:([A-Za-z_]+)/g, (_m, n: string) => encodeURIComponent(values[n] ?? n));
}

async function send(method: string, route: string, call: Call): Promise<void> {
  const path = fill(call.path === ':path' ? route : call.path);
  const headers: Record<string, string> = { ...h.headers, ...call.headers };
  let body: string | undefined;
  if (call.raw) {
    headers['content-type'] = call.raw.type;
    body = call.raw.text;
  } else if (call.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.body);
  }
  const res = await fetch(h.base + path, { method, headers, ...(body === undefined ? {} : { body }) });
  await res.arrayBuffer();
}

describe('the OpenAPI document', () => {
  it('describes every route of the router, and only those', () => {
    const served = h.api.routes.map(key);
    const documented = documentedRoutes(doc).map(key);
    const undocumented = served.filter((r) => !documented.includes(r));
    const notServed = documented.filter((r) => !served.includes(r));
    expect({ undocumented, notServed }, 'describe new routes in api/openapi/*Docs.ts').toEqual({
      undocumented: [],
      notServed: [],
    });
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components?.securitySchemes ?? {}).sort()).toEqual(['bearer', 'csrf', 'session']);
  });

  it('is the document the API serves, built from the same schemas', () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(apiDocument({ timeZone: h.site.config.site.timezone }))));
  });

  it('validates what every route answers — good requests and refused ones — against the document', async () => {
    const table = examples();
    const streaming = new Set(['GET /api/v1/stream']); // an open stream: its events are checked in its own test
    for (const r of h.api.routes) {
      if (streaming.has(key(r))) continue;
      for (const call of table[key(r)] ?? [{ path: ':path' }]) await send(r.method, r.path, call);
      // And a refused one: an unknown query parameter is a 400 problem at every route that reads its query.
      if (r.method === 'GET' && r.path.startsWith('/api/v1/'))
        await send(r.method, r.path, { path: `${r.path}?contract_unknown=1` });
    }
    await send('GET', '/api/v1/points/nope/nope', { path: ':path' });
    const recorded = readFileSync(recordFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RecordedResponse);
    // The requests reached real answers: every route answered, some 2xx and some problems.
    const answered = new Set(recorded.map((r) => `${r.method} ${r.route ?? r.path}`));
    expect(answered.size).toBeGreaterThan(h.api.routes.length / 2);
    expect(recorded.filter((r) => r.status >= 500).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(
      [],
    );
    expect(
      recorded.some((r) => r.status === 415 && r.content_type?.startsWith('application/problem+json')),
    ).toBe(true);
    expect(checkRecorded(doc, recorded)).toEqual([]);
  });
});
