import type { Request, Response } from 'express';
import type { Actor } from '../core/auth/actor.ts';

/**
 * Who is calling: the actor the authentication middleware put on `res.locals.actor`.
 * Transitional (issue 15, until the middleware is wired in): without one, the caller named in
 * `X-Jieneng-User` (percent-encoded UTF-8) stands in as an engineer.
 */
export function actorOf(req: Request, res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (actor) return actor;
  const raw = req.get('x-jieneng-user') ?? 'anonymous';
  let user = raw;
  try {
    user = decodeURIComponent(raw);
  } catch {
    // not percent-encoded: kept as sent
  }
  return { user, role: 'engineer', via: 'token', scopes: [], ...(req.ip ? { address: req.ip } : {}) };
}
