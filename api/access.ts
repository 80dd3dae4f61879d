import type { RequestHandler } from 'express';
import { match } from 'path-to-regexp';
import { type Actor, type Role, roles } from '../core/auth/actor.ts';
import { JnError } from '../core/errors.ts';
import type { RouteInfo } from './routeList.ts';

/**
 * Who may call which route: the role matrix of the API, in one place, as data (issue 15).
 * `public` routes need no credentials (health for probes, login, the API's own description and
 * docs page); every other route names the roles that may call it. `startApi` refuses to start when
 * a route of the router has no entry here, and when an entry names no route (a stale line).
 *
 * Roles: admin — users, tokens, site settings, and everything else; engineer — points, overrides,
 * schedules, calendar, devices; officer — facts, entries, reports, targets; viewer — read only.
 * Command priorities are a privilege on top of the role, checked by control (core/control policy).
 */
export type Access = 'public' | readonly Role[];

const everyone = roles;
const engineers: readonly Role[] = ['admin', 'engineer'];
const officers: readonly Role[] = ['admin', 'officer'];
const admins: readonly Role[] = ['admin'];
/** Who may acknowledge and close alarms; an officer only those of the data rules (api/routes/alarms.ts). */
const alarmHandlers: readonly Role[] = ['admin', 'engineer', 'officer'];

export const accessMatrix: Readonly<Record<string, Access>> = {
  'GET /api/v1/health': 'public',
  'GET /metrics': everyone,
  'GET /api/v1/openapi.json': 'public',
  'GET /api/docs': 'public',
  'GET /api/docs/*path': 'public',

  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/logout': everyone,
  'GET /api/v1/auth/me': everyone,
  'GET /api/v1/users': admins,
  'POST /api/v1/users': admins,
  'PATCH /api/v1/users/:name': admins,
  'GET /api/v1/tokens': admins,
  'POST /api/v1/tokens': admins,
  'DELETE /api/v1/tokens/:id': admins,
  'GET /api/v1/audit': admins,
  'GET /api/v1/audit/verify': admins,

  'GET /api/v1/readings/latest': everyone,
  'GET /api/v1/readings/history': everyone,
  'GET /api/v1/devices': everyone,
  'GET /api/v1/devices/:device': everyone,
  'GET /api/v1/stream': everyone,
  'GET /api/v1/consumption': everyone,
  'GET /api/v1/site/tree': everyone,

  'GET /api/v1/points': everyone,
  'GET /api/v1/points/:device/:point': everyone,
  'PUT /api/v1/points/:device/:point/override': engineers,
  'DELETE /api/v1/points/:device/:point/override': engineers,
  'POST /api/v1/overtime': engineers,
  'GET /api/v1/schedules': everyone,
  'GET /api/v1/schedules/preview': everyone,
  'POST /api/v1/schedules/validate': engineers,
  'POST /api/v1/schedules': engineers,
  'GET /api/v1/schedules/:id': everyone,
  'PUT /api/v1/schedules/:id': engineers,
  'DELETE /api/v1/schedules/:id': engineers,
  'GET /api/v1/schedules/:id/history': everyone,
  'GET /api/v1/schedules/:id/diff': everyone,
  'POST /api/v1/schedules/:id/revert': engineers,
  'GET /api/v1/calendar': everyone,
  'PUT /api/v1/calendar/overrides/:date': engineers,
  'DELETE /api/v1/calendar/overrides/:date': engineers,
  'GET /api/v1/control/audit': everyone,

  // Alarms (issue 17): an officer may acknowledge and close those of the data rules (the route checks the rule).
  'GET /api/v1/alarms': everyone,
  'GET /api/v1/alarms/counts': everyone,
  'GET /api/v1/alarms/notifications': everyone,
  'GET /api/v1/alarms/:id': everyone,
  'POST /api/v1/alarms/:id/acknowledge': alarmHandlers,
  'POST /api/v1/alarms/:id/close': alarmHandlers,
  'POST /api/v1/alarms/:id/shelve': engineers,
  'POST /api/v1/alarms/:id/unshelve': engineers,

  'GET /api/v1/reports/intensity': everyone,
  'GET /api/v1/reports/statistics': everyone,
  'GET /api/v1/reports/assessment': everyone,
  'POST /api/v1/facts': officers,
  'POST /api/v1/entries': officers,
  'POST /api/v1/facts/upload': officers,
  'POST /api/v1/entries/upload': officers,
  'GET /api/v1/facts': everyone,
  'GET /api/v1/entries': everyone,
  'GET /api/v1/ledger/audit': everyone,
};

/** `METHOD path`, the key of a route in the matrix. */
export const routeKey = (r: RouteInfo) => `${r.method} ${r.path}`;

/**
 * Routes of the router without an entry in the matrix (a new route nobody decided about), and
 * entries whose route the router does not serve (only those of parts not mounted here are allowed:
 * a site without control serves no control routes).
 */
export function uncoveredRoutes(routes: readonly RouteInfo[]): string[] {
  return routes.map(routeKey).filter((key) => !(key in accessMatrix));
}

/** A matcher of the router's routes, in the router's order (the first match is the route Express runs). */
export interface RouteTable {
  find(method: string, path: string): { route: RouteInfo; access: Access } | undefined;
}

export function routeTable(routes: readonly RouteInfo[]): RouteTable {
  const compiled = routes.map((route) => ({
    route,
    access: accessMatrix[routeKey(route)] ?? [],
    test: match(route.path, { decode: false }),
  }));
  return {
    find(method, path) {
      const m = method === 'HEAD' ? 'GET' : method;
      const hit = compiled.find((c) => c.route.method === m && c.test(path) !== false);
      return hit && { route: hit.route, access: hit.access };
    },
  };
}

/**
 * The check in front of every route: a route that is not public needs an authenticated actor
 * (401 otherwise) whose role the matrix names (403 otherwise, saying which roles may). A path no
 * route serves is a 404 for a caller with credentials and a 401 without. The route found is kept in `res.locals.route` for the audit.
 */
export function authorize(table: () => RouteTable): RequestHandler {
  return (req, res, next) => {
    const hit = table().find(req.method, req.path);
    // A path no route serves: a 404 for a caller with credentials; without, the same 401 as any
    // route (deny by default: an anonymous caller learns nothing about which routes exist).
    if (!hit) {
      if (res.locals.actor || !req.path.startsWith('/api/')) return next();
      return next(
        new JnError('unauthorized', `${req.method} ${req.path} needs credentials`, {
          zh: `${req.method} ${req.path} 需要身份验证`,
        }),
      );
    }
    res.locals.route = hit.route;
    if (hit.access === 'public') return next();
    const actor = res.locals.actor as Actor | undefined;
    if (!actor)
      return next(
        new JnError(
          'unauthorized',
          `${req.method} ${hit.route.path} needs credentials: sign in (POST /api/v1/auth/login) or send an API token as "Authorization: Bearer jn_…"`,
          {
            zh: `${req.method} ${hit.route.path} 需要身份验证：请先登录（POST /api/v1/auth/login），或以 "Authorization: Bearer jn_…" 发送 API 令牌`,
          },
        ),
      );
    if (!hit.access.includes(actor.role))
      return next(
        new JnError(
          'forbidden',
          `${req.method} ${hit.route.path} is for ${hit.access.join(', ')}; "${actor.user}" is ${actor.role}`,
          {
            zh: `${req.method} ${hit.route.path} 仅限 ${hit.access.join('、')}；“${actor.user}” 的角色是 ${actor.role}`,
          },
        ),
      );
    next();
  };
}
