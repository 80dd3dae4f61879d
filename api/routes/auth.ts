import { json, type Response, Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../../core/audit/auditLog.ts';
import type { Actor } from '../../core/auth/actor.ts';
import { localTimestamp } from '../../core/localTime.ts';
import type { Auth, LoginResult } from '../auth/auth.ts';
import { clearSessionCookie, setSessionCookie } from '../auth/middleware.ts';
import { bodyOf } from '../auth/respond.ts';
import { type Detail, sendProblem } from '../problem.ts';

/** POST /auth/login body. */
export const loginBody = z
  .object({
    user: z.string().min(1).max(128).describe('Account name, e.g. 张工'),
    password: z.string().min(1).max(1024).describe('The password (never logged)'),
  })
  .strict();

/** The HTTP status of each refusal (its problem code is the reason itself). */
const statusOf: Record<Exclude<LoginResult, { ok: true }>['reason'], number> = {
  login_failed: 401,
  account_disabled: 403,
  account_locked: 423,
  too_many_attempts: 429,
};
const textOf = (d: Detail) => (typeof d === 'string' ? d : d.en);

/** Who tried: nobody is authenticated yet, so the actor is anonymous and the target the account. */
const anonymous = (address: string | undefined): Actor => ({
  user: 'anonymous',
  role: 'viewer',
  via: 'session',
  scopes: [],
  ...(address ? { address } : {}),
});

/**
 * POST /auth/login, POST /auth/logout, GET /auth/me. The login route writes its own audit lines
 * (every success, failure and lockout) and sets `res.locals.audited` so the audit middleware adds
 * none; logout leaves its line to the middleware.
 */
export function authRoutes(auth: Auth, audit: AuditLog): Router {
  const router = Router();
  const time = (ms: number) => localTimestamp(ms, auth.options.timeZone);

  router.post('/auth/login', json(), async (req, res) => {
    res.locals.audited = true;
    if (req.is(['application/json', 'application/*+json']) === false)
      return void sendProblem(res, 415, 'unsupported_media_type', 'login takes a JSON body {user, password}');
    const address = req.ip ?? 'unknown';
    let body: z.infer<typeof loginBody>;
    try {
      body = bodyOf(loginBody, req.body);
    } catch (err) {
      audit.append({
        actor: anonymous(req.ip),
        action: 'auth.login',
        outcome: 'refused',
        detail: 'malformed login body',
      });
      throw err; // the 400 naming the fields
    }
    const target = `user:${body.user}`;
    const result = await auth.verifyLogin({ name: body.user, password: body.password, address });
    if (!result.ok) return refuse(res, result, target, req.ip);
    const session = auth.startSession(result.user.name, req.ip);
    const actor: Actor = {
      user: result.user.name,
      role: result.user.role,
      via: 'session',
      scopes: [],
      ...(req.ip ? { address: req.ip } : {}),
    };
    audit.append({ actor, action: 'auth.login', target, outcome: 'ok' });
    setSessionCookie(res, auth, session.sessionId);
    res.json({
      user: result.user.name,
      role: result.user.role,
      csrf_token: session.csrfToken,
      expires_at: time(session.expiresAt),
    });
  });

  function refuse(
    res: Response,
    r: Exclude<LoginResult, { ok: true }>,
    target: string,
    ip: string | undefined,
  ): void {
    const outcome = r.reason === 'login_failed' ? 'failed' : 'refused';
    audit.append({
      actor: anonymous(ip),
      action: 'auth.login',
      target,
      outcome,
      detail: `${r.reason}: ${textOf(r.detail)}`,
    });
    if (r.reason === 'login_failed' && r.lockedUntil !== undefined)
      audit.append({
        actor: anonymous(ip),
        action: 'auth.lockout',
        target,
        outcome: 'refused',
        detail: `locked until ${time(r.lockedUntil)} after repeated failed logins`,
      });
    if (r.retryAfterS !== undefined) res.set('Retry-After', String(r.retryAfterS));
    const unlocks =
      r.lockedUntil !== undefined && r.reason === 'account_locked' ? { unlocks_at: time(r.lockedUntil) } : {};
    sendProblem(res, statusOf[r.reason], r.reason, r.detail, unlocks);
  }

  router.post('/auth/logout', (_req, res) => {
    const actor = res.locals.actor as Actor | undefined;
    const session = res.locals.session as { id: string } | undefined;
    if (session) auth.endSession(session.id);
    clearSessionCookie(res, auth);
    res.locals.audit = { target: `user:${actor?.user ?? 'anonymous'}` };
    res.status(204).end();
  });

  router.get('/auth/me', (_req, res) => {
    const actor = res.locals.actor as Actor | undefined;
    if (!actor)
      return sendProblem(res, 401, 'unauthenticated', {
        zh: '未登录：请 POST /auth/login 或使用 Bearer 令牌',
        en: 'not signed in: POST /auth/login or send a Bearer token',
      });
    const session = res.locals.session as { csrfToken: string; expiresAt: number } | undefined;
    res.json({
      user: actor.user,
      role: actor.role,
      via: actor.via,
      scopes: actor.scopes,
      ...(actor.tokenId ? { token_id: actor.tokenId } : {}),
      ...(session ? { csrf_token: session.csrfToken, expires_at: time(session.expiresAt) } : {}),
    });
  });
  return router;
}
