import type { Server } from 'node:http';
import express from 'express';
import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import type { ControlPort } from '../core/control/port.ts';
import { JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { ReportPort } from '../core/reports/port.ts';
import type { ServiceStatus } from '../core/status.ts';
import type { Store } from '../core/store/store.ts';
import { AvailabilityWatch } from './availability.ts';
import { recordResponses } from './openapi/record.ts';
import { jsonBody, problemHandler, sendProblem } from './problem.ts';
import { listRoutes, type RouteInfo } from './routeList.ts';
import { consumptionRoutes } from './routes/consumption.ts';
import { controlRoutes } from './routes/control.ts';
import { healthRoutes } from './routes/health.ts';
import { readingRoutes } from './routes/readings.ts';
import { reportRoutes } from './routes/reports.ts';

export interface Api {
  /** The port actually bound (useful with port 0). */
  port: number;
  /** Every route served, read from the router (tests cover each one without a hand-kept list). */
  routes: readonly RouteInfo[];
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
  /** Time of the site, for the age of readings (default the system clock). */
  clock?: Clock;
  /** Tests: append every answer to this JSON-lines file (default env JIENENG_RECORD_RESPONSES; none). */
  recordResponses?: string;
}): Promise<Api> {
  const log = ctx.log.child('api');
  const app = express();
  app.disable('x-powered-by');
  app.use(recordResponses(ctx.recordResponses ?? process.env.JIENENG_RECORD_RESPONSES));
  app.use('/api/v1', jsonBody());
  let watch: AvailabilityWatch | undefined; // subscribed once the port is bound
  const now = ctx.clock ? () => ctx.clock?.now() ?? Date.now() : Date.now;
  const availability = (device: string) => watch?.get(device);
  app.use('/api/v1', healthRoutes(ctx.health), readingRoutes(ctx.store, { availability, now }));
  if (ctx.site) app.use('/api/v1', consumptionRoutes(ctx.store, ctx.site));
  if (ctx.site && ctx.control) app.use('/api/v1', controlRoutes(ctx.control, ctx.site));
  if (ctx.site && ctx.reports) app.use('/api/v1', reportRoutes(ctx.reports, ctx.site));
  const metrics = ctx.metrics;
  if (metrics) {
    // Prometheus scrape endpoint (text exposition format), like /health without a token.
    app.get('/metrics', async (_req, res) => {
      const { contentType, body } = await metrics();
      res.type(contentType).send(body);
    });
  }
  app.use('/api', (req, res) =>
    sendProblem(res, 404, 'not_found', `no route ${req.method} ${req.originalUrl}`),
  );
  app.use(problemHandler(log));
  const host = ctx.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(ctx.port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  }).catch((err: NodeJS.ErrnoException) => {
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
  log.info('api listening', { url: `http://${host}:${port}/api/v1/health` });
  if (ctx.mqttUrl) watch = new AvailabilityWatch({ mqttUrl: ctx.mqttUrl, log });
  return {
    port,
    routes: listRoutes(app),
    stop: async () => {
      await watch?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
