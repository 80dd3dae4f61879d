import type { ErrorRequestHandler, Response } from 'express';
import { JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

/** HTTP status for each error code; one place maps codes to REST errors. */
const statusByCode: Record<string, number> = {
  not_found: 404,
  bad_request: 400,
  store_unavailable: 503,
};

/** Sends an RFC 9457 `application/problem+json` body. */
export function sendProblem(
  res: Response,
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): void {
  res
    .status(status)
    .type('application/problem+json')
    .json({ type: `urn:jieneng:problem:${code}`, title: code, status, detail, ...extra });
}

export function problemHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof JnError) {
      sendProblem(res, statusByCode[err.code] ?? 500, err.code, err.message);
      return;
    }
    const status =
      typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500)
      log.error('request failed', { method: req.method, path: req.path, error: String(err?.message ?? err) });
    sendProblem(res, status, status === 500 ? 'internal_error' : 'bad_request', String(err?.message ?? err));
  };
}
