import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiDocument, apiDocument, documentedRoutes } from '../api/openapi/document.ts';
import type { RecordedResponse } from '../api/openapi/record.ts';
import { fillPath, pathValues, validBodies } from './helpers/apiExamples.ts';
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
/** Whether a recorded `METHOD /path` is an answer of route `r` (its `:params` matching one segment). */
const matches = (r: { method: string; path: string }, recorded: string) =>
  new RegExp(`^${r.method} ${r.path.replaceAll(/[:*][A-Za-z_]+/g, '[^/]+')}$`).test(recorded);

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
  const table: Record<string, Call[]> = Object.fromEntries(
    Object.entries(validBodies()).map(([route, body]) => [route, [{ path: ':path', body }]]),
  );
  const more: Record<string, Call[]> = {
    'GET /api/v1/consumption': [{ path: `/api/v1/consumption?from=2025-07-01&to=2025-07-31&meter=${meter}` }],
    'GET /api/v1/reports/intensity': [{ path: '/api/v1/reports/intensity?from=2025-07-01&to=2025-07-31' }],
    'GET /api/v1/reports/assessment': [
      { path: `/api/v1/reports/assessment?plan=${encodeURIComponent('十四五')}` },
      { path: '/api/v1/reports/assessment?plan=14th-five-year&format=xlsx' },
    ],
    'GET /api/v1/reports/statistics': [
      { path: '/api/v1/reports/statistics?year=2025' },
      { path: '/api/v1/reports/statistics?year=2025&format=xlsx' },
    ],
    'GET /api/v1/calendar': [{ path: '/api/v1/calendar?from=2025-10-01&to=2025-10-07' }],
    'GET /api/v1/schedules/preview': [{ path: '/api/v1/schedules/preview?days=2' }],
    'GET /api/v1/readings/history': [
      { path: `/api/v1/readings/history?device=:device&point=:point&from=2025-07-01&to=2025-07-02` },
    ],
    'GET /api/docs/*path': [{ path: '/api/docs/init.js' }, { path: '/api/docs/swagger-ui-bundle.js' }],
    'GET /api/v1/schedules/:id/diff': [{ path: '/api/v1/schedules/:id/diff?from=1&to=2' }],
    'POST /api/v1/schedules/validate': [{ path: ':path', body: {} }],
    'POST /api/v1/auth/login': [{ path: ':path', body: { user: '王工', password: 'wrong password!' } }],
    'POST /api/v1/facts': [
      { path: ':path', raw: { type: 'text/plain', text: 'floor area 18600' } },
      { path: ':path', raw: { type: 'application/json', text: '{"building":' } },
    ],
    'POST /api/v1/entries': [
      { path: ':path', body: [{ building: 'nope' }], headers: { 'accept-language': 'en-US,en;q=0.9' } },
    ],
  };
  for (const [route, calls] of Object.entries(more)) table[route] = [...(table[route] ?? []), ...calls];
  return table;
}

/** The path with its parameters filled by real entities (a writable point, the new schedule, a token, a date). */
async function fill(path: string): Promise<string> {
  const values = pathValues(h);
  if (path.startsWith('/api/v1/tokens/')) {
    const list = (await (await fetch(`${h.base}/api/v1/tokens`, { headers: h.headers })).json()) as {
      tokens: { id: string; name: string }[];
    };
    values.id = list.tokens.find((t) => t.name === 'BMS bridge')?.id ?? 'none';
  }
  // Alarms: the harness's active one; a cleared one to close.
  if (path.startsWith('/api/v1/alarms/'))
    values.id = String(path.endsWith('/close') ? h.alarms.cleared : h.alarms.active);
  return fillPath(path, values);
}

async function send(method: string, route: string, call: Call): Promise<void> {
  const path = await fill(call.path === ':path' ? route : call.path);
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
    // Twice over the routes: what the first pass made (a user, a token, a schedule version) the second finds.
    for (const pass of [1, 2])
      for (const r of h.api.routes) {
        if (streaming.has(key(r))) continue;
        for (const call of table[key(r)] ?? [{ path: ':path' }]) await send(r.method, r.path, call);
        // And a refused one: an unknown query parameter is a 400 problem at every route that reads its query.
        if (pass === 1 && r.method === 'GET' && r.path.startsWith('/api/v1/'))
          await send(r.method, r.path, { path: `${r.path}?contract_unknown=1` });
      }
    await send('GET', '/api/v1/points/nope/nope', { path: ':path' });
    const recorded = readFileSync(recordFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RecordedResponse);
    // The requests reached real answers: most routes answered 2xx at least once.
    const ok = new Set(recorded.filter((r) => r.status < 300).map((r) => `${r.method} ${r.route ?? r.path}`));
    const served = h.api.routes.filter((r) => !streaming.has(key(r)));
    const never = served.filter((r) => ![...ok].some((o) => o === key(r) || matches(r, o))).map(key);
    expect(never).toEqual([]);
    expect(recorded.filter((r) => r.status >= 500).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(
      [],
    );
    expect(
      recorded.some((r) => r.status === 415 && r.content_type?.startsWith('application/problem+json')),
    ).toBe(true);
    expect(checkRecorded(doc, recorded)).toEqual([]);
  });

  it('serves the docs page from local files, pointed at the document', async () => {
    const page = await (await fetch(`${h.base}/api/docs`)).text();
    const sources = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(sources.every((s) => s.startsWith('/api/docs/'))).toBe(true); // no CDN
    for (const s of sources) expect((await fetch(h.base + s)).status, s).toBe(200);
    expect(await (await fetch(`${h.base}/api/docs/init.js`)).text()).toContain("url: '/api/v1/openapi.json'");
    expect((await fetch(`${h.base}/api/docs/swagger-initializer.js`)).status).toBe(404); // petstore's, not served
  });
});

/**
 * The answers of a whole test run: `JIENENG_RECORD_RESPONSES=/tmp/r.jsonl npx vitest run` records
 * every API the tests start; then `JIENENG_RECORDED_SUITE=/tmp/r.jsonl npx vitest run
 * test/apiContract.test.ts` validates them all against the document (CI runs both).
 */
describe.runIf(process.env.JIENENG_RECORDED_SUITE)('the answers recorded by the whole test suite', () => {
  it('validate against the document', () => {
    const lines = readFileSync(process.env.JIENENG_RECORDED_SUITE ?? '', 'utf8')
      .trim()
      .split('\n');
    const recorded = lines.filter((l) => l !== '').map((l) => JSON.parse(l) as RecordedResponse);
    expect(recorded.length).toBeGreaterThan(0);
    // Only answers of documented paths: a test may ask for /api/nope on purpose (a 404 problem).
    expect(checkRecorded(doc, recorded).filter((p) => !p.endsWith('not in the document'))).toEqual([]);
  });
});

describe('problems', () => {
  const refuse = (headers: Record<string, string> = {}) =>
    fetch(`${h.base}/api/v1/points/nope/on_off`, { headers: { ...h.headers, ...headers } });

  it('title in Chinese by default, English when Accept-Language prefers it, with Content-Language', async () => {
    const cases: [string | undefined, string, string][] = [
      [undefined, 'zh-CN', '未找到'],
      ['en-US,en;q=0.9', 'en', 'Not found'],
      ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN', '未找到'],
      ['fr-FR, en;q=0.5', 'en', 'Not found'],
      ['en;q=0.2, zh;q=0.8', 'zh-CN', '未找到'],
      ['de', 'zh-CN', '未找到'],
    ];
    for (const [accept, language, title] of cases) {
      const res = await refuse(accept ? { 'accept-language': accept } : {});
      const body = (await res.json()) as Record<string, unknown>;
      expect({ accept, language: res.headers.get('content-language'), title: body.title }).toEqual({
        accept,
        language,
        title,
      });
      expect(body).toMatchObject({ type: 'urn:jieneng:problem:not_found', status: 404, code: 'not_found' });
    }
  });

  it('names body errors: not JSON 400, larger than 1 MB 413, another content type 415, in both languages', async () => {
    const post = async (body: string | Uint8Array, type: string, lang = 'en') => {
      const res = await fetch(`${h.base}/api/v1/facts`, {
        method: 'POST',
        headers: { ...h.headers, 'content-type': type, 'accept-language': lang },
        body,
      });
      const p = (await res.json()) as { code: string; detail: string };
      return [res.status, p.code, p.detail];
    };
    expect(await post('{"building": ', 'application/json')).toEqual([
      400,
      'bad_request',
      expect.stringMatching(/^the body is not JSON: /),
    ]);
    expect(await post('{"building": ', 'application/json', 'zh')).toEqual([
      400,
      'bad_request',
      expect.stringMatching(/^请求体不是 JSON：/),
    ]);
    expect(await post(JSON.stringify({ source: 'x'.repeat(1_100_000) }), 'application/json')).toEqual([
      413,
      'payload_too_large',
      'the body is larger than 1 MB',
    ]);
    expect(await post('building=zonghe-lou', 'application/x-www-form-urlencoded')).toEqual([
      415,
      'unsupported_media_type',
      'the body must be JSON (Content-Type: application/json); got application/x-www-form-urlencoded',
    ]);
    expect(
      await post(
        new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
        'application/json',
      ),
    ).toEqual([400, 'bad_request', 'the body is not valid UTF-8']);
    expect(
      (await (await fetch(`${h.base}/api/v1/facts`, { headers: h.headers })).json()) as unknown[],
    ).toHaveLength(1);
  });
});
