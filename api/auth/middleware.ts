import type { Request, RequestHandler, Response } from 'express';
import { sendProblem } from '../problem.ts';
import { type Auth, actorFrom } from './auth.ts';
import { sameSecret } from './secrets.ts';

/** The browser session cookie. */
export const sessionCookie = 'jn_session';
/** The header a cookie-authenticated mutating request carries its session's CSRF token in. */
export const csrfHeader = 'X-CSRF-Token';

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The value of cookie `name` in a Cookie header (no cookie-parser: one cookie is all we read). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Whether the cookie is Secure: served over TLS, or the request came over HTTPS (`req.secure`:
 * TLS here, or X-Forwarded-Proto https from a proxy trusted with --trust-proxy).
 */
const secureFor = (res: Response, auth: Auth) => auth.options.secureCookies || res.req.secure;

/** Sets the session cookie: HttpOnly, SameSite=Strict, Path=/, Secure when served over HTTPS. */
export function setSessionCookie(res: Response, auth: Auth, sessionId: string): void {
  res.cookie(sessionCookie, sessionId, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: secureFor(res, auth),
    maxAge: auth.options.sessionMaxMs,
  });
}

export function clearSessionCookie(res: Response, auth: Auth): void {
  res.clearCookie(sessionCookie, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: secureFor(res, auth),
  });
}

// Login must work with a stale cookie in the browser, and needs no CSRF token (it has no session
// yet); it takes JSON only, which a cross-site form cannot send.
const isLogin = (req: Request) => req.method === 'POST' && /\/auth\/login\/?$/.test(req.path);

/**
 * Authentication: `Authorization: Bearer jn_…` (an API token) or the `jn_session` cookie sets
 * `res.locals.actor` (and, for a session, `res.locals.session = { id, csrfToken, expiresAt }`).
 * No credentials: nothing is set (the role matrix answers 401). A bad, expired or revoked
 * credential: 401 problem naming why. A cookie-authenticated POST/PUT/PATCH/DELETE without the
 * session's `X-CSRF-Token`: 403 `csrf_failed`. Bearer tokens need no CSRF token (no browser sends
 * them by itself). `res.locals.stillValid()` re-reads the token or session (without counting it
 * as a use): a long-lived answer such as the event stream calls it to end once the token is
 * revoked or expired, or the session ended or expired.
 */
export function authenticate(auth: Auth): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m?.[1])
        return sendProblem(res, 401, 'token_invalid', {
          zh: 'Authorization 头应为 "Bearer jn_<id>_<secret>"',
          en: 'Authorization: expected "Bearer jn_<id>_<secret>"',
        });
      const found = auth.checkToken(m[1]);
      if (!found.ok) return sendProblem(res, 401, found.reason, found.detail);
      res.locals.actor = actorFrom({ via: 'token', token: found.token }, req.ip);
      const token = m[1];
      res.locals.stillValid = () => auth.checkToken(token, { touch: false }).ok;
      return next();
    }
    const sessionId = isLogin(req) ? undefined : cookieValue(req.get('cookie'), sessionCookie);
    if (sessionId === undefined || sessionId === '') return next();
    const found = auth.checkSession(sessionId);
    if (!found.ok) {
      clearSessionCookie(res, auth);
      return sendProblem(res, 401, found.reason, found.detail);
    }
    if (mutating.has(req.method) && !sameSecret(req.get(csrfHeader) ?? '', found.csrfToken))
      return sendProblem(res, 403, 'csrf_failed', {
        zh: `以会话 Cookie 发出的 ${req.method} 请求须在 ${csrfHeader} 头中带上会话的 CSRF 令牌（见登录应答或 GET /auth/me）`,
        en: `${req.method} with a session cookie needs the session's CSRF token in the ${csrfHeader} header (from the login answer or GET /auth/me)`,
      });
    res.locals.actor = actorFrom({ via: 'session', user: found.user, role: found.role }, req.ip);
    res.locals.session = { id: sessionId, csrfToken: found.csrfToken, expiresAt: found.expiresAt };
    res.locals.stillValid = () => auth.checkSession(sessionId, { touch: false }).ok;
    next();
  };
}
