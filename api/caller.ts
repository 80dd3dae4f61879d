import type { Request, Response } from 'express';
import type { Actor } from '../core/auth/actor.ts';
import { JnError } from '../core/errors.ts';

/**
 * Who is calling: the actor the authentication middleware put on `res.locals.actor` (api/auth).
 * Routes that change anything are never public in the role matrix (api/access.ts), so one is
 * always there; if not, the request is refused rather than done by nobody.
 */
export function actorOf(_req: Request, res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw new JnError('unauthorized', 'this route needs credentials', { zh: '此操作需要身份验证' });
  return actor;
}
