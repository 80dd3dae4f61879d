import type { Request } from 'express';

/**
 * Who is calling. Until authentication lands, the caller names itself in `X-Jieneng-User`
 * (percent-encoded UTF-8, since header values are bytes); it is audited.
 */
export function callerOf(req: Request): string {
  const raw = req.get('x-jieneng-user') ?? 'anonymous';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // not percent-encoded: kept as sent
  }
}
