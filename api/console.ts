import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import compression from 'compression';
import express, { type RequestHandler } from 'express';
import type { ServiceStatus } from '../core/status.ts';

/**
 * Where `npm run build:web` (run by scripts/setup) puts the console; JIENENG_CONSOLE_DIR serves
 * another build (a console built elsewhere, or one test's own build).
 */
export const defaultConsoleDir =
  process.env.JIENENG_CONSOLE_DIR ?? fileURLToPath(new URL('../dashboards/web/dist', import.meta.url));

/** The start line of the console for `jieneng start` / `jieneng api`: its address, or that it is not built. */
export function consoleLine(base: string, dir: string = defaultConsoleDir): string {
  return existsSync(join(dir, 'index.html'))
    ? `${base}/ (web console)`
    : `not built — run npm run build:web (scripts/setup does), then reload ${base}/`;
}

/**
 * Paths that are the API's, never the console's — as Express matches routes: case-insensitive, a
 * trailing slash ignored (`/API/v1/devices`, `/metrics/` reach the API, not the console's page).
 */
const apiPath = (path: string) => {
  const p = path.toLowerCase().replace(/\/+$/, '');
  return p === '/metrics' || p === '/api' || p.startsWith('/api/');
};

/**
 * The web console (dashboards/web) at `/`: its built files, and its index page for every other GET
 * path outside /api (the console's own routes, e.g. /monitoring, reloaded in the browser). The
 * files are public — every figure on them comes from the API, which checks the caller. Hashed
 * assets are cached for a year, the index page never (a new build is seen at the next load).
 *
 * When the console was not built, `/` says so and how to build it (and health says `degraded`),
 * instead of Express's "Cannot GET /".
 */
export function consoleRoutes(dir: string = defaultConsoleDir): {
  handlers: RequestHandler[];
  status: () => ServiceStatus;
} {
  const index = join(dir, 'index.html');
  const built = () => existsSync(index);
  const notBuilt = `the web console is not built (no ${index}): run \`npm run build:web\` (scripts/setup does)`;
  const assets = express.static(dir, {
    index: false,
    fallthrough: true,
    setHeaders: (res, file) => {
      if (file.includes(`${join(dir, 'assets')}`))
        res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      else res.setHeader('Cache-Control', 'no-cache');
    },
  });
  // gzip for the console's files only (the JS is ~1 MB, ~300 KB gzipped): never around the API,
  // whose event stream must not be buffered by a compressor.
  const gzip = compression();
  const handlers: RequestHandler[] = [
    (req, res, next) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || apiPath(req.path)) return next();
      return gzip(req, res, next);
    },
    (req, res, next) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || apiPath(req.path)) return next();
      return assets(req, res, next);
    },
    (req, res, next) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || apiPath(req.path)) return next();
      // A missing asset (an old hashed name) is a 404, not the index page.
      if (req.path.startsWith('/assets/')) return res.status(404).type('text/plain').send('not found');
      if (!built()) return res.status(503).type('text/plain; charset=utf-8').send(`${notBuilt}\n`);
      res.setHeader('Cache-Control', 'no-cache');
      return res.type('html').send(readFileSync(index, 'utf8'));
    },
  ];
  return {
    handlers,
    status: () => (built() ? { state: 'running' } : { state: 'degraded', detail: { reason: notBuilt } }),
  };
}
