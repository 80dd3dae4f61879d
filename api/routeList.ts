/** One route the API serves: an HTTP method and its path pattern (`/api/v1/points/:device/:point`). */
export interface RouteInfo {
  method: string;
  path: string;
}

/** What this module reads of an Express 5 (router 2.x) layer; the typings do not describe the stack. */
interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every route of an Express app, read from its router stack (mounted routers included), so that
 * tests can cover each route without a hand-kept list: a new route is covered as it is added.
 * Middleware without a route (the /api fallback, error handlers) is not a route and is skipped.
 */
export function listRoutes(app: { router: unknown }): RouteInfo[] {
  const out: RouteInfo[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        if (typeof layer.route.path !== 'string') continue;
        for (const [method, on] of Object.entries(layer.route.methods))
          if (on && method !== '_all')
            out.push({ method: method.toUpperCase(), path: prefix + layer.route.path });
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app.router as { stack: Layer[] }).stack, '');
  return out;
}
