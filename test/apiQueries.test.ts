import { mkdtempSync, rmSync } from 'node:fs';
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
import { createReports } from '../reports/service.ts';
import { apiToken } from './helpers/apiAuth.ts';
import { enc, pathOf, queryOf } from './helpers/queries.ts';

/**
 * Issue 13 §6: no query makes the API answer 5xx. The real API (embedded store, ledger, control
 * service) gets thousands of generated bad and odd queries at every GET route it serves — routes
 * read from its router, parameter names from its own "unknown parameter" answer — so a route or
 * parameter added later is covered without editing this file.
 */
const site = loadSite(join(import.meta.dirname, '../examples/demo-site.yaml'));
const dir = mkdtempSync(join(tmpdir(), 'jn-api-queries-'));
// An admin's token (made once): every route is then reachable, and refusals are about the query.
let token: ReturnType<typeof apiToken> | undefined;
const admin = () => {
  token ??= apiToken(dir);
  return token;
};
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
    dataDir: dir,
    store,
    health: async () => ({}),
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: '' }),
    log,
    port: 0,
    site,
    reports: createReports({ site, store, ledgerFile: join(dir, 'ledger.db') }),
    control: service,
  });
  base = `http://127.0.0.1:${api.port}`;
});
afterAll(async () => {
  await api?.stop();
  service?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  type: string;
  body: string;
}
/** A request asking for English (the texts pinned below); `lang` zh: no Accept-Language, the API's default. */
async function get(path: string, method = 'GET', lang: 'en' | 'zh' = 'en'): Promise<Answer> {
  const language: Record<string, string> = lang === 'en' ? { 'accept-language': 'en' } : {};
  const res = await fetch(base + path, { method, headers: { ...admin().headers, ...language } });
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
      [
        '/api/v1/consumption?from=2025-01-01&to=2026-01-02&period=hour',
        'to: "2025-01-01" … "2026-01-02" is more than 366 days of hours; allowed: at most 366 days with period=hour (period=day for longer)',
      ],
      [
        '/api/v1/calendar?from=2025-01-01&to=2026-01-02',
        'to: "2025-01-01" … "2026-01-02" is more than 366 days; allowed: at most 366 days per request',
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

  it('says the same in Chinese without Accept-Language, the frame of each sentence translated', async () => {
    const point = service.points()[0];
    const answers = [
      await get('/api/v1/consumption?from=2025-02-30&to=2025-03-31&group_by=floor&x=1', 'GET', 'zh'),
      await get('/api/v1/consumption?from=2025-02-01&from=2025-02-02&to=2025-03-31', 'GET', 'zh'),
      await get(`/api/v1/points/${point?.device}/nope`, 'GET', 'zh'),
      await get('/api/v1/calendar?from=2025-01-01&to=2026-01-02', 'GET', 'zh'),
      await get(`/api/v1/points/${point?.device}/${point?.point}?level=8`, 'GET', 'zh'),
    ];
    expect(answers.map((a) => [a.status, detailOf(a)])).toEqual([
      [
        400,
        expect.stringMatching(
          /^from："2025-02-30" 不是日历上的日期（2025 年 2 月只有 28 天）；允许：a local date YYYY-MM-DD \(Asia\/Shanghai\) .*。group_by："floor" 不允许；允许：meter, area, building, organization, subitem, item_code \(default building\)。未知参数 "x"；允许的参数：from, to, /,
        ),
      ],
      [400, expect.stringMatching(/^from：给了 2 次；允许：一次，a local date/)],
      [404, expect.stringMatching(/^设备 ".+" 没有可写点位 "nope"；它的可写点位有：/)],
      [400, 'to："2025-01-01" … "2026-01-02" 超过 366 天；允许：每次最多 366 天'],
      [400, '未知参数 "level"；此接口不接受参数。'],
    ]);
  });

  it('answers unknown entities in the path with 404 and impossible ones with 400', async () => {
    const point = service.points()[0];
    const del = (path: string) => get(path, 'DELETE');
    const its = service
      .points()
      .filter((p) => p.device === point?.device)
      .map((p) => p.point)
      .join(', ');
    const answers = [
      await get('/api/v1/points/nope/on_off'),
      await get(`/api/v1/points/${point?.device}/nope`),
      await get(`/api/v1/points/${point?.device}/${point?.point}?level=8`),
      await del('/api/v1/calendar/overrides/2025-02-30'),
      await del('/api/v1/calendar/overrides/2025-03-01'),
      await del('/api/v1/points/nope/on_off/override'),
      await del(`/api/v1/points/${point?.device}/${point?.point}/override?priority=17`),
    ];
    expect(answers.map((a) => [a.status, detailOf(a)])).toEqual([
      [404, 'no device "nope" with writable points; GET /api/v1/points lists them'],
      [404, `device "${point?.device}" has no writable point "nope"; its writable points are: ${its}`],
      [400, 'unknown parameter(s) "level"; this route takes no parameters'],
      [
        400,
        'date: "2025-02-30" is not a calendar date (February 2025 has 28 days); allowed: a local date YYYY-MM-DD (Asia/Shanghai) from 2000-01-01 to 2100-12-31',
      ],
      [404, 'no calendar override made through the API on 2025-03-01'],
      [404, 'no device "nope" with writable points; GET /api/v1/points lists them'],
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
