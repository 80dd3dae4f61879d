import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { JnError } from '../core/errors.ts';
import type { ServiceStatus } from '../core/status.ts';

/**
 * The HTTP endpoint of a gateway run as its own process: `GET /metrics` (Prometheus text format,
 * prom-client) and `GET /health` (the gateway's status as JSON). `jieneng start` serves the same
 * through its API instead.
 */
export async function serveGatewayHttp(ctx: {
  host: string;
  port: number;
  registry: Registry;
  status: () => ServiceStatus;
}): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      ctx.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': ctx.registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
      );
      return;
    }
    if (req.method === 'GET' && path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ctx.status()));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /metrics or /health\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new JnError('port_in_use', `metrics port ${ctx.host}:${ctx.port} is already in use`, {
              cause: err,
            })
          : err,
      ),
    );
    server.listen(ctx.port, ctx.host, resolve);
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : ctx.port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
