import type { Server } from 'node:http';
import { join } from 'node:path';
import express from 'express';
import { AlarmDb } from '../core/alarms/db.ts';
import { AuditLog } from '../core/audit/auditLog.ts';
import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import type { ControlPort } from '../core/control/port.ts';
import { JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { MqttConnection } from '../core/mqtt/connection.ts';
import type { ReportPort } from '../core/reports/port.ts';
import type { ServiceStatus } from '../core/status.ts';
import type { Store } from '../core/store/store.ts';
import { authorize, type RouteTable, routeTable, uncoveredRoutes } from './access.ts';
import { auditTrail } from './auditTrail.ts';
import { type Auth, createAuth } from './auth/auth.ts';
import { authenticate } from './auth/middleware.ts';
import { AvailabilityWatch } from './availability.ts';
import { consoleRoutes } from './console.ts';
import { apiDocument } from './openapi/document.ts';
import { recordResponses } from './openapi/record.ts';
import { jsonBody, problemHandler, sendProblem } from './problem.ts';
import { listRoutes, type RouteInfo } from './routeList.ts';
import { alarmRoutes } from './routes/alarms.ts';
import { auditRoutes } from './routes/audit.ts';
import { authRoutes } from './routes/auth.ts';
import { consumptionRoutes } from './routes/consumption.ts';
import { controlRoutes } from './routes/control.ts';
import { deviceRoutes } from './routes/devices.ts';
import { docsRoutes } from './routes/docs.ts';
import { healthRoutes } from './routes/health.ts';
import { readingRoutes } from './routes/readings.ts';
import { reportRoutes } from './routes/reports.ts';
import { scheduleRoutes } from './routes/schedules.ts';
import { siteRoutes } from './routes/site.ts';
import { streamRoutes } from './routes/stream.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { userRoutes } from './routes/users.ts';
import { createApiServer, securityHeaders, type TlsFiles } from './security.ts';
import { siteTimeReplacer } from './timestamps.ts';

export interface Api {
  /** The port actually bound (useful with port 0). */
  port: number;
  /** Every route served, read from the router (tests cover each one without a hand-kept list). */
  routes: readonly RouteInfo[];
  /** Audit lines that could not be written since start (health shows them). */
  auditFailures(): number;
  stop(): Promise<void>;
}

/** The HTTP API on `host:port` (default host 127.0.0.1). */
export async function startApi(ctx: {
  store: Store;
  health: () => Promise<Record<string, ServiceStatus>>;
  /** Prometheus metrics of the services in this process, for `GET /metrics`. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  log: Logger;
  port: number;
  host?: string;
  /** The site file: consumption is totalled through its tree. */
  site?: LoadedSite;
  /** The reports service (reports/): intensity reports and the ledger of facts and entries. */
  reports?: ReportPort;
  /** The control service: points, overrides, schedules, audit. */
  control?: ControlPort;
  /** The broker: each device's availability comes from its gateway's retained topic (readings/latest). */
  mqttUrl?: string;
  /** User, password and TLS files of the api principal on the broker (core/mqtt/connection.ts). */
  mqtt?: MqttConnection | undefined;
  /** Time of the site, for the age of readings (default the system clock). */
  clock?: Clock;
  /** Tests: append every answer to this JSON-lines file (default env JIENENG_RECORD_RESPONSES; none). */
  recordResponses?: string;
  /** Where the accounts, sessions and tokens (auth.db) and the audit log (audit.db) live. */
  dataDir: string;
  /** Serve HTTPS with these PEM files (the session cookie is then Secure, HSTS on). */
  tls?: TlsFiles | undefined;
  /** Origins a browser may call the API from (CORS); none by default: only pages the API serves. */
  corsOrigins?: readonly string[];
  /** The built web console served at `/` (default dashboards/web/dist, built by `npm run build:web`). */
  consoleDir?: string;
  /** Behind a reverse proxy: Express's `trust proxy` (e.g. "loopback"), so client addresses are the real ones. */
  trustProxy?: string | number | boolean;
}): Promise<Api> {
  const log = ctx.log.child('api');
  const timeZone = ctx.site?.config.site.timezone ?? 'Asia/Shanghai';
  const app = express();
  app.disable('x-powered-by');
  // No ETags on the API's answers: its figures are live, and a browser's If-None-Match turned them
  // into 304s that no route documents (the console's files keep theirs, from express.static).
  app.set('etag', false);
  app.set('json replacer', siteTimeReplacer(timeZone));
  app.set('trust proxy', ctx.trustProxy ?? false);
  app.use(securityHeaders({ tls: ctx.tls !== undefined, corsOrigins: ctx.corsOrigins ?? [] }));
  // The console's files before the API's middleware: they are public, and not API answers.
  const webConsole = consoleRoutes(ctx.consoleDir);
  app.use(webConsole.handlers);
  const auth: Auth = createAuth({
    file: join(ctx.dataDir, 'auth.db'),
    log,
    secureCookies: ctx.tls !== undefined,
    timeZone,
  });
  const audit = new AuditLog({ file: join(ctx.dataDir, 'audit.db'), timeZone });
  // The alarms (issue 17): the alarm service raises and clears them in the same file, the API
  // lists them and records what people do with them — in all-in-one and split mode alike.
  const alarms = new AlarmDb(join(ctx.dataDir, 'alarms.db'), timeZone);
  let auditFailures = 0;
  let table: RouteTable | undefined;
  app.use(recordResponses(ctx.recordResponses ?? process.env.JIENENG_RECORD_RESPONSES));
  app.use(authenticate(auth));
  // The audit before the matrix: a refusal by the matrix (403) is a `refused` entry too.
  app.use(auditTrail({ audit, log, onFailure: () => auditFailures++ }));
  app.use(authorize(() => table ?? routeTable([])));
  app.use('/api/v1', jsonBody());
  app.use('/api/v1', authRoutes(auth, audit), userRoutes(auth), tokenRoutes(auth), auditRoutes(audit));
  let watch: AvailabilityWatch | undefined; // subscribed once the port is bound
  const now = ctx.clock ? () => ctx.clock?.now() ?? Date.now() : Date.now;
  const availability = (device: string) => watch?.get(device);
  app.use(
    '/api/v1',
    // An audit line that could not be written is a change nobody can see: health says so.
    healthRoutes(async () => ({
      ...(await ctx.health()),
      ...(webConsole.status().state !== 'running' ? { console: webConsole.status() } : {}),
      ...(auditFailures > 0
        ? { api: { state: 'degraded' as const, detail: { audit_failures: auditFailures } } }
        : {}),
    })),
    readingRoutes(ctx.store, { availability, now, site: ctx.site }),
  );
  if (ctx.site) app.use('/api/v1', consumptionRoutes(ctx.store, ctx.site));
  if (ctx.site) app.use('/api/v1', deviceRoutes(ctx.store, ctx.site, { availability, now }));
  if (ctx.site) app.use('/api/v1', siteRoutes(ctx.site));
  const stream =
    ctx.site && ctx.mqttUrl
      ? streamRoutes({ mqttUrl: ctx.mqttUrl, mqtt: ctx.mqtt, site: ctx.site, log })
      : undefined;
  if (stream) app.use('/api/v1', stream.router);
  if (ctx.site && ctx.control)
    app.use('/api/v1', controlRoutes(ctx.control, ctx.site), scheduleRoutes(ctx.control, ctx.site));
  if (ctx.site && ctx.reports) app.use('/api/v1', reportRoutes(ctx.reports, ctx.site));
  const buildingName = (id: string) =>
    ctx.site?.config.organization.buildings.find((b) => b.id === id)?.name ?? id;
  app.use('/api/v1', alarmRoutes({ db: alarms, timeZone, now, buildingName }));
  app.use(docsRoutes(apiDocument({ timeZone })));
  const metrics = ctx.metrics;
  if (metrics) {
    // Prometheus scrape endpoint (text exposition format); a scraper sends a viewer token.
    app.get('/metrics', async (_req, res) => {
      const { contentType, body } = await metrics();
      res.type(contentType).send(body);
    });
  }
  app.use('/api', (req, res) =>
    sendProblem(res, 404, 'not_found', `no route ${req.method} ${req.originalUrl}`),
  );
  app.use(problemHandler(log));
  const routes = listRoutes(app);
  // The role matrix decides every route: a route nobody put in it is a refusal to start, not an open door.
  const uncovered = uncoveredRoutes(routes);
  if (uncovered.length > 0) {
    auth.close();
    audit.close();
    alarms.close();
    throw new JnError(
      'internal_error',
      `the API's role matrix (api/access.ts) has no entry for ${uncovered.join(', ')}: add who may call it`,
    );
  }
  table = routeTable(routes);
  const host = ctx.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = createApiServer(app, ctx.tls);
    s.once('error', reject);
    s.listen(ctx.port, host, () => resolve(s));
  }).catch((err: NodeJS.ErrnoException) => {
    auth.close();
    audit.close();
    alarms.close();
    if (err.code === 'EADDRINUSE')
      throw new JnError(
        'port_in_use',
        `HTTP port ${host}:${ctx.port} is already in use; pick another with --port`,
        { cause: err },
      );
    throw err;
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : ctx.port;
  log.info('api listening', { url: `${ctx.tls ? 'https' : 'http'}://${host}:${port}/api/v1/health` });
  if (ctx.mqttUrl) watch = new AvailabilityWatch({ mqttUrl: ctx.mqttUrl, log, mqtt: ctx.mqtt });
  return {
    port,
    routes,
    auditFailures: () => auditFailures,
    stop: async () => {
      await watch?.stop();
      await stream?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      auth.close();
      audit.close();
      alarms.close();
    },
  };
}
