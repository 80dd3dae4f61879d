import { appendFileSync } from 'node:fs';
import type { RequestHandler } from 'express';

/** One recorded answer, a line of the JSON-lines file (snake_case like every file format). */
export interface RecordedResponse {
  method: string;
  /** The route pattern that answered (`/api/v1/points/:device/:point`), null when no route matched. */
  route: string | null;
  /** The path asked for, without the query. */
  path: string;
  status: number;
  content_type: string | null;
  /** The JSON body sent, null for other bodies (CSV, PDF, a stream, none). */
  body: unknown;
}

/**
 * Appends every answer of the API to `file` as JSON lines (`JIENENG_RECORD_RESPONSES=<file>` or the
 * `recordResponses` option of startApi), so the contract test validates what the routes really send
 * against the OpenAPI document. Without a file it is a no-op: nothing is wrapped in production.
 */
export function recordResponses(file: string | undefined): RequestHandler {
  if (!file) return (_req, _res, next) => next();
  return (req, res, next) => {
    let body: unknown = null;
    let route: string | null = null;
    const json = res.json.bind(res);
    res.json = (value: unknown) => {
      body = value;
      // Inside a router the pattern is its mount path plus the route's; the error handler runs outside.
      if (req.route && typeof req.route.path === 'string') route = req.baseUrl + req.route.path;
      return json(value);
    };
    res.on('finish', () => {
      const line: RecordedResponse = {
        method: req.method,
        route,
        path: req.originalUrl.split('?')[0] ?? '',
        status: res.statusCode,
        content_type: res.get('content-type') ?? null,
        body,
      };
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    });
    next();
  };
}
