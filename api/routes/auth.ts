import { json, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { AuditInput, AuditLog } from '../../core/audit/auditLog.ts';
import type { Actor } from '../../core/auth/actor.ts';
import { localTimestamp } from '../../core/localTime.ts';
import type { Auth, LoginResult } from '../auth/auth.ts';
import { loginLimits } from '../auth/limits.ts';
import { clearSessionCookie, cookieValue, sessionCookie, setSessionCookie } from '../auth/middleware.ts';
import { RefusalLog } from '../auth/refusalLog.ts';
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
 * (every success, failed password check and lockout; refusals by the limits once per account or
 * address and window, with the count held back) and sets `res.locals.audited` so the audit middleware adds
 * none; logout leaves its line to the middleware.
 */
export function authRoutes(auth: Auth, audit: AuditLog): Router {
  const router = Router();
  const time = (ms: number) => localTimestamp(ms, auth.options.timeZone);
  // Refusals by the login limits (and malformed bodies) cost no password check: one line per
  // account or address and window, with the count held back (api/auth/refusalLog.ts).
  const held = new RefusalLog(auth.options.now, loginLimits.windowMs);

  router.post('/auth/login', json(), async (req, res) => {
    res.locals.audited = true;
    flushHeld();
    if (req.is(['application/json', 'application/*+json']) === false)
      return void sendProblem(res, 415, 'unsupported_media_type', 'login takes a JSON body {user, password}');
    const address = req.ip ?? 'unknown';
    let body: z.infer<typeof loginBody>;
    try {
      body = bodyOf(loginBody, req.body);
    } catch (err) {
      appendThrottled(`malformed_body address:${address}`, {
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
    // A session the browser already held ends: one cookie, one session (second review).
    const previous = cookieValue(req.get('cookie'), sessionCookie);
    if (previous) auth.endSession(previous);
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

  /** Summary lines of the counts held back for keys quiet for a window. */
  function flushHeld(): void {
    for (const h of held.sweep())
      audit.append({
        actor: anonymous(undefined),
        action: 'auth.login',
        target: h.key.slice(h.key.indexOf(' ') + 1),
        outcome: 'refused',
        detail: `${h.count} more ${h.key.slice(0, h.key.indexOf(' '))} refusals since ${time(h.since)} held back (one line per window)`,
      });
  }

  /** Appends a refusal's line unless one of `key` was written within the window. */
  function appendThrottled(key: string, entry: Omit<AuditInput, 'detail'> & { detail: string }): void {
    const a = held.admit(key);
    if (!a.write) return;
    const more = a.heldBack > 0 ? ` (${a.heldBack} more like it held back since the previous line)` : '';
    audit.append({ ...entry, detail: entry.detail + more });
  }

  function refuse(
    res: Response,
    r: Exclude<LoginResult, { ok: true }>,
    target: string,
    ip: string | undefined,
  ): void {
    const outcome = r.reason === 'login_failed' ? 'failed' : 'refused';
    const line = {
      actor: anonymous(ip),
      action: 'auth.login',
      target,
      outcome,
      detail: `${r.reason}: ${textOf(r.detail)}`,
    } as const;
    if (r.reason === 'account_locked') appendThrottled(`account_locked ${target}`, line);
    else if (r.reason === 'too_many_attempts') appendThrottled(`too_many_attempts address:${ip}`, line);
    else audit.append(line);
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

  router.post('/auth/logout', (req, res) => {
    const actor = res.locals.actor as Actor | undefined;
    // Logout takes no body: one sent anyway would only be stored in the audit (second review).
    if (hasBody(req))
      return sendProblem(res, 400, 'bad_request', {
        zh: 'POST /auth/logout 不接受请求体：请不带请求体发送',
        en: 'POST /auth/logout takes no body: send it without one',
      });
    const session = res.locals.session as { id: string } | undefined;
    if (session) auth.endSession(session.id);
    // Signed out with a Bearer token while the browser also holds a session cookie: that session
    // ends too, or the person "signed out" would still be signed in through the cookie.
    const cookie = cookieValue(req.get('cookie'), sessionCookie);
    if (cookie && cookie !== session?.id) auth.endSession(cookie);
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

/** Whether a request carries a body: a length above 0, or chunked (as body-parser decides it). */
function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}
