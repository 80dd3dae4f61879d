import { join } from 'node:path';
import { AlarmDb } from '../../core/alarms/db.ts';
import { exampleSchedule, validBodies } from './apiExamples.ts';
import type { ApiHarness } from './apiHarness.ts';

/** An answer whose body has been read. */
export interface Answer {
  status: number;
  json(): unknown;
}

/** One request to a route: its path (with query) and JSON body, and what must exist first. */
export interface ExampleCall {
  path: string;
  body?: unknown;
  /** Runs (as an admin) before the call, each time it is made: what the call acts on. */
  setup?: (admin: (method: string, path: string, body?: unknown) => Promise<Answer>) => Promise<void>;
}

/**
 * A valid request for every route of the API harness that needs more than its bare path, keyed
 * `METHOD /api/v1/…` as the router lists them: the request a person with the right role makes and
 * gets a 2xx for, repeatable (each call makes what it deletes, names what it creates anew).
 * Shared by the role × route matrix test and the audit completeness test.
 */
export function routeExamples(h: ApiHarness): Record<string, ExampleCall> {
  const meter = h.site.config.meters[0]?.id ?? 'none';
  const onOff = h.service.points().find((p) => p.point === 'on_off') ?? h.service.points()[0];
  const point = `/api/v1/points/${onOff?.device}/${onOff?.point}`;
  // The bodies are the contract and fuzz tests' (apiExamples.ts); here each gets its path and what it acts on.
  const body = (key: string) => validBodies()[key];
  const schedule = exampleSchedule;
  let n = 0;
  const unique = (what: string) => `${what}-${++n}`;
  const ensureSchedule: ExampleCall['setup'] = async (admin) => {
    await admin('POST', '/api/v1/schedules', schedule);
  };
  return {
    'GET /api/v1/consumption': { path: `/api/v1/consumption?from=2025-07-01&to=2025-07-31&meter=${meter}` },
    'GET /api/v1/reports/intensity': { path: '/api/v1/reports/intensity?from=2025-07-01&to=2025-07-31' },
    'GET /api/v1/reports/statistics': { path: '/api/v1/reports/statistics?year=2025' },
    'GET /api/v1/reports/assessment': { path: '/api/v1/reports/assessment?plan=14th-five-year' },
    'GET /api/v1/calendar': { path: '/api/v1/calendar?from=2025-10-01&to=2025-10-07' },
    'GET /api/v1/schedules/preview': { path: '/api/v1/schedules/preview?days=2' },
    'GET /api/v1/readings/history': {
      path: `/api/v1/readings/history?device=${onOff?.device}&point=${onOff?.point}&from=2025-07-01&to=2025-07-02`,
    },
    'GET /api/v1/points/:device/:point': { path: point },
    'GET /api/v1/devices/:device': { path: `/api/v1/devices/${onOff?.device}` },
    'GET /api/docs/*path': { path: '/api/docs/swagger-ui.css' },
    'PUT /api/v1/points/:device/:point/override': {
      path: `${point}/override`,
      body: body('PUT /api/v1/points/:device/:point/override'),
    },
    'DELETE /api/v1/points/:device/:point/override': { path: `${point}/override?priority=8` },
    'POST /api/v1/overtime': {
      path: '/api/v1/overtime',
      body: body('POST /api/v1/overtime'),
    },
    'POST /api/v1/schedules/validate': { path: '/api/v1/schedules/validate', body: schedule },
    'POST /api/v1/schedules': { path: '/api/v1/schedules', body: schedule },
    'GET /api/v1/schedules/:id': { path: `/api/v1/schedules/${schedule.id}`, setup: ensureSchedule },
    'PUT /api/v1/schedules/:id': {
      path: `/api/v1/schedules/${schedule.id}`,
      body: body('PUT /api/v1/schedules/:id'),
    },
    'DELETE /api/v1/schedules/:id': { path: `/api/v1/schedules/${schedule.id}`, setup: ensureSchedule },
    'GET /api/v1/schedules/:id/history': {
      path: `/api/v1/schedules/${schedule.id}/history`,
      setup: ensureSchedule,
    },
    'GET /api/v1/schedules/:id/diff': {
      path: `/api/v1/schedules/${schedule.id}/diff?from=1&to=2`,
      setup: async (admin) => {
        await admin('POST', '/api/v1/schedules', schedule);
        await admin('PUT', `/api/v1/schedules/${schedule.id}`, { ...schedule, name: '合同测试 二' });
      },
    },
    'POST /api/v1/schedules/:id/revert': {
      path: `/api/v1/schedules/${schedule.id}/revert`,
      body: { version: 1 },
      setup: ensureSchedule,
    },
    'PUT /api/v1/calendar/overrides/:date': {
      path: '/api/v1/calendar/overrides/2025-10-09',
      body: body('PUT /api/v1/calendar/overrides/:date'),
    },
    'DELETE /api/v1/calendar/overrides/:date': {
      path: '/api/v1/calendar/overrides/2025-10-09',
      setup: async (admin) => {
        await admin('PUT', '/api/v1/calendar/overrides/2025-10-09', { type: 'holiday' });
      },
    },
    'POST /api/v1/facts': {
      path: '/api/v1/facts?replace=true',
      body: body('POST /api/v1/facts'),
    },
    'POST /api/v1/entries': {
      path: '/api/v1/entries?replace=true',
      body: body('POST /api/v1/entries'),
    },
    'POST /api/v1/facts/upload': {
      path: '/api/v1/facts/upload?replace=true',
      body: body('POST /api/v1/facts/upload'),
    },
    'POST /api/v1/entries/upload': {
      path: '/api/v1/entries/upload?replace=true',
      body: body('POST /api/v1/entries/upload'),
    },
    'POST /api/v1/users': {
      get path() {
        return '/api/v1/users';
      },
      get body() {
        return { name: unique('矩阵用户'), role: 'viewer', password: 'correct horse battery staple' };
      },
    },
    'POST /api/v1/auth/login': {
      path: '/api/v1/auth/login',
      body: { user: 'matrix-login', password: 'correct horse battery staple' },
      setup: async (admin) => {
        await admin('POST', '/api/v1/users', {
          name: 'matrix-login',
          role: 'viewer',
          password: 'correct horse battery staple',
        });
      },
    },
    'PATCH /api/v1/users/:name': {
      path: '/api/v1/users/matrix-target',
      body: { role: 'officer' },
      setup: async (admin) => {
        await admin('POST', '/api/v1/users', {
          name: 'matrix-target',
          role: 'viewer',
          password: 'correct horse battery staple',
        });
      },
    },
    'POST /api/v1/tokens': {
      get path() {
        return '/api/v1/tokens';
      },
      get body() {
        return { name: unique('matrix-token'), role: 'viewer', expires_in: '1d' };
      },
    },
    'DELETE /api/v1/tokens/:id': tokenToRevoke(unique),
    'GET /api/v1/alarms/:id': { path: `/api/v1/alarms/${h.alarms.active}` },
    // An officer may act on the data rules' alarms only: each call gets a fresh meter_balance alarm.
    'POST /api/v1/alarms/:id/acknowledge': freshAlarm(h, 'acknowledge', body, (raise) => raise(true)),
    'POST /api/v1/alarms/:id/close': freshAlarm(h, 'close', body, (raise) => {
      raise(true);
      return raise(false);
    }),
    'POST /api/v1/alarms/:id/shelve': freshAlarm(h, 'shelve', body, (raise) => raise(true)),
    'POST /api/v1/alarms/:id/unshelve': freshAlarm(h, 'unshelve', body, (raise, db, now) => {
      const id = raise(true);
      db.shelve(id, 'matrix', now + 3_600_000, 'matrix', now);
      return id;
    }),
  };
}

/**
 * POST /alarms/:id/<action> on an alarm its setup has just put in the harness's alarms.db, as the
 * alarm service would (`make` raises or clears a meter_balance alarm of a new key and returns its id).
 */
function freshAlarm(
  h: ApiHarness,
  action: string,
  body: (key: string) => unknown,
  make: (raise: (active: boolean) => number, db: AlarmDb, now: number) => number,
): ExampleCall {
  let id = 0;
  let n = 0;
  return {
    get path() {
      return `/api/v1/alarms/${id}/${action}`;
    },
    get body() {
      return body(`POST /api/v1/alarms/:id/${action}`);
    },
    setup: async () => {
      const db = new AlarmDb(join(h.dir, 'alarms.db'), h.site.config.site.timezone);
      const now = h.service.now();
      const key = `matrix-${action}-${++n}`;
      const raise = (active: boolean) =>
        db.observe(
          {
            rule: 'meter_balance',
            key,
            active,
            at: new Date(now).toISOString(),
            message: key,
            message_zh: key,
          },
          { now: active ? now - 600_000 : now - 60_000, severity: 'minor', holdOffMs: 0 },
        )[0]?.alarm.id ?? 0;
      try {
        id = make(raise, db, now);
      } finally {
        db.close();
      }
    },
  };
}

/** DELETE /tokens/:id on a token its setup has just made (each call revokes a new one). */
function tokenToRevoke(unique: (what: string) => string): ExampleCall {
  let id = 'none';
  return {
    get path() {
      return `/api/v1/tokens/${id}`;
    },
    setup: async (admin) => {
      const made = (
        await admin('POST', '/api/v1/tokens', { name: unique('revoke-me'), role: 'viewer' })
      ).json() as {
        id?: string;
      };
      id = made.id ?? 'none';
    },
  };
}
