import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { errorText, JnError } from '../core/errors.ts';

/** HTTPS for the API: PEM files of the certificate (chain) and its private key. */
export interface TlsFiles {
  cert: string;
  key: string;
}

/**
 * Security headers (helmet: CSP `default-src 'self'`, no sniffing, frame-ancestors none, HSTS when
 * served over TLS) and CORS, closed unless origins are named: a browser page from another origin
 * cannot call the API with the user's session, and the session cookie is SameSite=Strict anyway.
 */
export function securityHeaders(options: { tls: boolean; corsOrigins: readonly string[] }): RequestHandler[] {
  const handlers: RequestHandler[] = [
    helmet({
      // HSTS only means something over HTTPS; on plain HTTP (127.0.0.1 behind a proxy) it is left out.
      strictTransportSecurity: options.tls,
      contentSecurityPolicy: {
        useDefaults: true,
        // No page of the API or console is meant to be framed (clickjacking of the override dialog).
        directives: { 'upgrade-insecure-requests': options.tls ? [] : null, 'frame-ancestors': ["'none'"] },
      },
    }),
  ];
  if (options.corsOrigins.length > 0)
    handlers.push(
      cors({
        origin: [...options.corsOrigins],
        credentials: true,
        allowedHeaders: ['Authorization', 'Content-Type', 'X-CSRF-Token', 'Last-Event-ID', 'Accept-Language'],
      }),
    );
  return handlers;
}

/** The server the API listens on: HTTPS with the given PEM files, plain HTTP without. */
export function createApiServer(app: RequestListener, tls: TlsFiles | undefined): Server {
  if (!tls) return createHttpServer(app);
  const read = (what: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new JnError('usage', `TLS ${what} "${file}" cannot be read: ${errorText(err)}`, { cause: err });
    }
  };
  try {
    return createHttpsServer({ cert: read('certificate', tls.cert), key: read('key', tls.key) }, app);
  } catch (err) {
    if (err instanceof JnError) throw err;
    throw new JnError(
      'usage',
      `TLS certificate "${tls.cert}" and key "${tls.key}" are not a usable PEM pair: ${errorText(err)}`,
      { cause: err },
    );
  }
}
