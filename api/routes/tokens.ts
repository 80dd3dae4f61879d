import { json, Router } from 'express';
import { z } from 'zod';
import { roles, scopes } from '../../core/auth/actor.ts';
import { parseDuration } from '../../core/duration.ts';
import { JnError } from '../../core/errors.ts';
import { localTimestamp } from '../../core/localTime.ts';
import type { Auth, TokenInfo } from '../auth/auth.ts';
import { bodyOf } from '../auth/respond.ts';
import { actorOf } from '../caller.ts';

/** The longest a token may be made to last in one go: ten years. */
const MAX_LIFETIME_MS = 3650 * 86_400_000;

/** POST /tokens body: expires_at or expires_in (neither: the token lasts until revoked). */
export const tokenCreateBody = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64, 'at most 64 characters')
      .describe('What uses the token, e.g. "BMS bridge"'),
    role: z.enum(roles, { error: `one of ${roles.join(', ')}` }).describe(`Role: ${roles.join(', ')}`),
    scopes: z
      .array(z.enum(scopes, { error: `only ${scopes.join(', ')}` }))
      .max(scopes.length)
      .optional()
      .describe('safety: may take command priorities 1–7 (only an admin may give it)'),
    expires_at: z.iso
      .datetime({ offset: true, error: 'an ISO-8601 instant with offset, e.g. 2027-03-01T00:00:00+08:00' })
      .optional(),
    expires_in: z
      .string()
      .max(32)
      .optional()
      .describe('A duration from now: a number with a unit min, h or d, e.g. "90d"'),
  })
  .strict();

/** A token as listed: never its secret. Absent times are null. */
export function tokenJson(t: TokenInfo, timeZone: string) {
  const time = (ms: number | undefined) => (ms === undefined ? null : localTimestamp(ms, timeZone));
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    scopes: t.scopes,
    expires_at: time(t.expiresAt),
    created_by: t.createdBy,
    created_at: time(t.createdAt),
    last_used_at: time(t.lastUsedAt),
    revoked_at: time(t.revokedAt),
  };
}

/** Epoch ms the token expires at, from expires_at or expires_in; undefined when it does not expire. */
function expiryOf(body: z.infer<typeof tokenCreateBody>, now: number): number | undefined {
  if (body.expires_at !== undefined && body.expires_in !== undefined)
    throw new JnError('bad_request', 'give expires_at or expires_in, not both');
  if (body.expires_at !== undefined) return Date.parse(body.expires_at);
  if (body.expires_in === undefined) return undefined;
  const ms = parseDuration(body.expires_in);
  if (ms === undefined || ms < 60_000 || ms > MAX_LIFETIME_MS)
    throw new JnError(
      'bad_request',
      `expires_in "${body.expires_in}": a duration from 1 min to 3650 d, with a unit min, h or d (e.g. "90d")`,
    );
  return now + ms;
}

/**
 * GET /tokens (never a secret), POST /tokens (the token value once, in `token`), DELETE
 * /tokens/:id (revokes at once; the row stays for the audit).
 */
export function tokenRoutes(auth: Auth): Router {
  const router = Router();
  const tz = auth.options.timeZone;

  router.get('/tokens', (_req, res) => {
    res.json({ tokens: auth.listTokens().map((t) => tokenJson(t, tz)) });
  });

  router.post('/tokens', json(), (req, res) => {
    const body = bodyOf(tokenCreateBody, req.body);
    res.locals.audit = {
      target: `token:(new) ${body.name}`,
      after: { name: body.name, role: body.role, scopes: body.scopes ?? [] },
    };
    const expiresAt = expiryOf(body, auth.options.now());
    const { token, info } = auth.createToken({
      name: body.name,
      role: body.role,
      ...(body.scopes ? { scopes: body.scopes } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      by: actorOf(req, res),
    });
    const after = tokenJson(info, tz);
    res.locals.audit = { target: `token:${info.id}`, after };
    res.status(201).json({ ...after, token });
  });

  router.delete('/tokens/:id', (req, res) => {
    const id = String(req.params.id);
    const before = auth.listTokens().find((t) => t.id === id);
    res.locals.audit = { target: `token:${id}`, ...(before ? { before: tokenJson(before, tz) } : {}) };
    const after = tokenJson(auth.revokeToken(id), tz);
    res.locals.audit = { target: `token:${id}`, before: before && tokenJson(before, tz), after };
    res.json(after);
  });
  return router;
}
