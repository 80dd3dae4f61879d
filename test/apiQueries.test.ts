import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startApi } from '../api/main.ts';
import type { Dispatcher } from '../control/engine.ts';
import { ControlService } from '../control/service.ts';
import { ManualClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';

/**
 * Issue 13 §6: no query makes the API answer 5xx. The real API (embedded store, ledger, control
 * service) gets thousands of generated bad and odd queries at every GET route it serves — routes
 * read from its router, parameter names from its own "unknown parameter" answer — so a route or
 * parameter added later is covered without editing this file.
 */
const site = loadSite(join(import.meta.dirname, '../examples/demo-site.yaml'));
const dir = mkdtempSync(join(tmpdir(), 'jn-api-queries-'));
const log = createLogger({ level: 'error' });
let store: SqliteStore;
let service: ControlService;
let api: Api;
let base: string;

beforeAll(async () => {
  store = new SqliteStore(join(dir, 'jieneng.db'));
  await store.open();
  // A month of daily rollups, so that valid ranges reach the report and aggregation code.
  const meter = site.config.meters[0]?.id ?? 'none';
  await store.writeRollups(
    Array.from({ length: 31 }, (_, i) => ({
      period: 'day' as const,
      meter,
      start: Date.parse(`2025-07-${String(i + 1).padStart(2, '0')}T00:00:00+08:00`),
      value: 100 + i,
      estimated: 0,
      unit: 'kWh',
    })),
  );
  const dispatcher: Dispatcher = { write: async (c) => ({ status: 'written', readBack: c.value }) };
  service = new ControlService({
    site,
    dbFile: join(dir, 'control.db'),
    dispatcher,
    latest: () => undefined,
    clock: new ManualClock(Date.parse('2025-09-29T17:30:00+08:00')),
    log,
  });
  await service.tick();
  api = await startApi({
    store,
    health: async () => ({}),
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: '' }),
    log,
    port: 0,
    site,
    ledgerFile: join(dir, 'ledger.db'),
    control: service,
  });
  base = `http://127.0.0.1:${api.port}`;
});
afterAll(async () => {
  await api?.stop();
  service?.close();
  await store?.close();
});

interface Answer {
  status: number;
  type: string;
  body: string;
}
async function get(path: string, method = 'GET'): Promise<Answer> {
  const res = await fetch(base + path, { method });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}
const detailOf = (a: Answer) => (JSON.parse(a.body) as { detail: string }).detail;

describe('API query validation', () => {
  it('refuses impossible dates and absurd ranges with a 400 naming the parameter and what is allowed', async () => {
    const allowed =
      'allowed: a local date YYYY-MM-DD (Asia/Shanghai) from 2000-01-01 to 2100-12-31, or an ISO-8601 instant with offset in those years';
    const cases: [string, string][] = [
      [
        '/api/v1/consumption?from=2025-13-45&to=2025-12-31',
        `from: "2025-13-45" is not a calendar date (there is no month 13); ${allowed}`,
      ],
      [
        '/api/v1/consumption?from=0001-01-01&to=9999-12-31',
        `from: "0001-01-01" is outside 2000-01-01 … 2100-12-31; ${allowed}. to: "9999-12-31" is outside 2000-01-01 … 2100-12-31; ${allowed}`,
      ],
      [
        '/api/v1/consumption?from=2025-02-30&to=2025-03-31',
        `from: "2025-02-30" is not a calendar date (February 2025 has 28 days); ${allowed}`,
      ],
      [
        '/api/v1/reports/intensity?from=2025-02-30&to=2025-03-31',
        'from: "2025-02-30" is not a calendar date (February 2025 has 28 days); allowed: a local date YYYY-MM-DD (Asia/Shanghai) from 2000-01-01 to 2100-12-31',
      ],
      [
        '/api/v1/reports/intensity?from=0001-01-01&to=9999-12-31',
        'from: "0001-01-01" is outside 2000-01-01 … 2100-12-31; allowed: a local date YYYY-MM-DD (Asia/Shanghai) from 2000-01-01 to 2100-12-31. to: "9999-12-31" is outside 2000-01-01 … 2100-12-31; allowed: a local date YYYY-MM-DD (Asia/Shanghai) from 2000-01-01 to 2100-12-31',
      ],
      [
        '/api/v1/schedules/preview?from=2025-13-45',
        `from: "2025-13-45" is not a calendar date (there is no month 13); ${allowed} (default now)`,
      ],
      [
        '/api/v1/schedules/preview?from=0001-01-01&to=9999-12-31',
        `from: "0001-01-01" is outside 2000-01-01 … 2100-12-31; ${allowed} (default now). to: "9999-12-31" is outside 2000-01-01 … 2100-12-31; ${allowed} (default from + days)`,
      ],
      [
        '/api/v1/schedules/preview?from=2025-02-30',
        `from: "2025-02-30" is not a calendar date (February 2025 has 28 days); ${allowed} (default now)`,
      ],
    ];
    for (const [path, detail] of cases) {
      const a = await get(path);
      expect({ path, status: a.status, type: a.type, detail: detailOf(a) }).toEqual({
        path,
        status: 400,
        type: 'application/problem+json; charset=utf-8',
        detail,
      });
    }
  });

  it('answers unknown entities in the path with 404 and impossible ones with 400', async () => {
    const point = service.points()[0];
    const del = (path: string) => get(path, 'DELETE');
    const answers = [
      await get('/api/v1/points/nope/on_off'),
      await get(`/api/v1/points/${point?.device}/nope`),
      await get(`/api/v1/points/${point?.device}/${point?.point}?level=8`),
      await del('/api/v1/calendar/overrides/2025-02-30'),
      await del('/api/v1/calendar/overrides/2025-03-01'),
      await del(`/api/v1/points/${point?.device}/${point?.point}/override?priority=17`),
    ];
    expect(answers.map((a) => [a.status, detailOf(a)])).toEqual([
      [404, 'no writable point "nope/on_off"; GET /api/v1/points lists them'],
      [404, `no writable point "${point?.device}/nope"; GET /api/v1/points lists them`],
      [400, 'unknown parameter(s) "level"; this route takes no parameters'],
      [
        400,
        'date: "2025-02-30" is not a calendar date (February 2025 has 28 days); allowed: a local date YYYY-MM-DD (Asia/Shanghai) from 2000-01-01 to 2100-12-31',
      ],
      [404, 'no calendar override made through the API on 2025-03-01'],
      [400, 'priority: "17" is not allowed; allowed: a priority level from 1 to 16 (default 8)'],
    ]);
  });

  it('answers thousands of generated queries at every GET route with 2xx or 4xx, never 5xx', async () => {
    const routes = api.routes.filter((r) => r.method === 'GET').map((r) => r.path);
    // The discovery itself must work, or this test would cover nothing.
    expect(routes).toEqual(
      expect.arrayContaining([
        '/api/v1/consumption',
        '/api/v1/reports/intensity',
        '/api/v1/schedules/preview',
        '/api/v1/points/:device/:point',
        '/api/v1/calendar',
      ]),
    );
    const point = service.points()[0];
    // Path parameters get a real entity often enough to reach what is behind them.
    const realPath = { device: point?.device ?? 'x', point: point?.point ?? 'x' } as Record<string, string>;
    const candidates = [
      ...[
        'hour',
        'day',
        'building',
        'meter',
        'area',
        'organization',
        'subitem',
        'json',
        'csv',
        'xlsx',
        'pdf',
      ],
      ...['equivalent', 'generation', site.config.meters[0]?.id ?? 'x', realPath.device ?? 'x', '1', '7'],
      ...['100', '1000', '2020', '2025-07-01', '2025-07-31', '2025-08-01', '2025-07-01T00:00:00+08:00'],
      ...['2025-02-30', '2025-13-45', '0001-01-01', '9999-12-31', '2000-01-01', '2100-12-31'],
    ];
    let requests = 0;
    for (const route of routes) {
      const probePath = route.replaceAll(/:(\w+)/g, (_, name: string) => enc(realPath[name] ?? 'x'));
      // The route's own parameters when it names them; otherwise every name the API uses somewhere.
      const names = (await parameterNames(probePath)) ?? ['from', 'to', 'days', 'period', 'limit'];
      const good = await acceptedValues(probePath, names, candidates);
      await fc.assert(
        fc.asyncProperty(pathOf(route, Object.values(realPath)), queryOf(good), async (path, query) => {
          const url = `${path}${query}`;
          const a = await get(url);
          requests++;
          expect(a.status, `GET ${url}: ${a.body.slice(0, 300)}`).toBeLessThan(500);
          if (a.status >= 400) {
            expect(a.type, `GET ${url}`).toContain('application/problem+json');
            expect(detailOf(a), `GET ${url}`).toEqual(expect.any(String));
          }
        }),
        { numRuns: names.length > 0 ? 400 : 100 },
      );
    }
    expect(requests).toBeGreaterThanOrEqual(2000);
    // The process is alive and still answers a good query as before.
    const good = await get('/api/v1/consumption?from=2025-07-01&to=2025-07-31');
    expect(good.status).toBe(200);
    expect((await get('/api/v1/health')).status).toBe(200);
  }, 600_000);
});

/**
 * The parameters a route names when asked an unknown one ("…; allowed: from, to, days"), [] when
 * it takes none, undefined when its answer does not say.
 */
async function parameterNames(path: string): Promise<string[] | undefined> {
  const a = await get(`${path}?jn_probe=1`);
  if (a.status !== 400) return undefined;
  const detail = detailOf(a);
  if (detail.includes('takes no parameters')) return [];
  const m = /allowed: ([\w, ]+)$/.exec(detail);
  return m?.[1] ? m[1].split(', ') : undefined;
}

/** Text that survives encodeURIComponent (no lone surrogates). */
const text = (s: fc.Arbitrary<string>) =>
  s.map((v) =>
    v.replaceAll(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );

/** Odd values: broken and far dates, odd offsets, numbers at the edges, unicode, empty, long. */
function oddValue(): fc.Arbitrary<string> {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const day = fc.date({ min: new Date('1960-01-01'), max: new Date('2150-01-01'), noInvalidDate: true });
  return fc.oneof(
    { weight: 3, arbitrary: day.map((d) => d.toISOString().slice(0, 10)) },
    fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
      )
      .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
    day.map((d) => d.toISOString()),
    fc
      .tuple(day, fc.integer({ min: -99, max: 99 }), fc.integer({ min: 0, max: 99 }))
      .map(
        ([d, h, m]) =>
          `${d.toISOString().slice(0, 19)}${h < 0 ? '-' : '+'}${pad(Math.abs(h), 2)}:${pad(m, 2)}`,
      ),
    fc.constantFrom(
      '',
      ' ',
      '0',
      '-1',
      '1e308',
      '-1e308',
      'NaN',
      'Infinity',
      '9007199254740993',
      '0x10',
      '1.5',
    ),
    fc.constantFrom(
      '__proto__',
      'constructor',
      'toString',
      'null',
      'undefined',
      'true',
      '[]',
      '{}',
      '%',
      '%zz',
    ),
    fc.integer().map(String),
    fc.double().map(String),
    text(fc.string()),
    text(fc.string({ unit: 'binary', maxLength: 40 })),
    text(fc.string({ minLength: 500, maxLength: 3000 })),
  );
}

/**
 * For each parameter, the candidate values the route does not complain about when given alone
 * (its answer does not start a sentence with "<name>:"), learnt from the API itself so that
 * generated queries often get past the first check and reach the code behind it.
 */
async function acceptedValues(path: string, names: string[], candidates: string[]) {
  const good = new Map<string, string[]>();
  for (const name of names) {
    const blamed = new RegExp(`(^|[;.] )${name}: `);
    const ok: string[] = [];
    for (const v of candidates) {
      const a = await get(`${path}?${enc(name)}=${enc(v)}`);
      if (a.status !== 400 || !blamed.test(detailOf(a))) ok.push(v);
    }
    good.set(name, ok);
  }
  return good;
}

/**
 * A query string: each parameter absent, given a value it accepts, an odd value, or given twice
 * (an array) or without a value; then sometimes random names and broken percent-encoding.
 */
function queryOf(good: Map<string, string[]>): fc.Arbitrary<string> {
  const odd = oddValue();
  const param = [...good].map(([n, ok]) => {
    const value = ok.length > 0 ? fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ok) }, odd) : odd;
    return fc.oneof(
      { weight: 2, arbitrary: fc.constant([] as string[]) },
      { weight: 7, arbitrary: value.map((v) => [`${enc(n)}=${enc(v)}`]) },
      { weight: 1, arbitrary: fc.tuple(value, value).map(([a, b]) => [`${n}=${enc(a)}`, `${n}=${enc(b)}`]) },
      { weight: 1, arbitrary: fc.constant([enc(n)]) },
    );
  });
  const extra = fc.oneof(
    fc.tuple(text(fc.string({ maxLength: 12 })), odd).map(([k, v]) => `${enc(k)}=${enc(v)}`),
    fc.constantFrom(
      'from[gt]=1',
      '__proto__=1',
      'constructor=x',
      '%',
      '%E0%A4%A=1',
      'from=%zz',
      '&&',
      '=',
      '==',
    ),
  );
  return fc
    .tuple(
      fc.tuple(...param),
      fc.oneof({ weight: 6, arbitrary: fc.constant([]) }, fc.array(extra, { maxLength: 3 })),
    )
    .map(([given, more]) => {
      const pairs = [...given.flat(), ...more];
      return pairs.length ? `?${pairs.join('&')}` : '';
    });
}

/** The route's path with each `:param` a known value (a real device or point) or anything. */
function pathOf(route: string, knownValues: string[]): fc.Arbitrary<string> {
  const parts = route
    .split('/')
    .map((seg) =>
      seg.startsWith(':')
        ? fc.oneof(
            fc.constantFrom(...knownValues).map(enc),
            text(fc.string({ minLength: 1, maxLength: 30 })).map(enc),
            fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '%2F', '%00'),
          )
        : fc.constant(seg),
    );
  return fc.tuple(...parts).map((segs) => segs.join('/'));
}

const enc = (s: string) => encodeURIComponent(s);
