import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { AuditLog } from '../core/audit/auditLog.ts';
import { canonicalJson, redactSecrets } from '../core/audit/redactSecrets.ts';
import type { Actor } from '../core/auth/actor.ts';
import { errorText } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { RouteInfo } from './routeList.ts';

/** What a mutating route tells the audit about itself (`res.locals.audit`): the thing changed, before and after. */
export interface AuditNote {
  target?: string;
  before?: unknown;
  after?: unknown;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** How much of a request body the audit keeps when the route left no note (characters of its JSON). */
export const BODY_KEEP_CHARS = 2048;
/** A route's before/after note above this many bytes (as JSON) is kept as an excerpt and its hash. */
export const NOTE_MAX_BYTES = 16 * 1024;

/**
 * `value` as the audit keeps it: itself when its JSON (secrets redacted, as the log stores it) is
 * at most `maxBytes`, otherwise the first `BODY_KEEP_CHARS` characters of that JSON, its length and
 * its sha256 — any caller may send a 1 MB body, and 20 of them kept whole grew audit.db by 24 MB
 * (second review). The hash is of the redacted JSON, so it proves what was sent without letting
 * anyone test guesses of a password in it.
 */
export function boundedForAudit(value: unknown, maxBytes: number): unknown {
  if (value === undefined || value === null) return value;
  const text = canonicalJson(redactSecrets(value));
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return value;
  let excerpt = text.slice(0, BODY_KEEP_CHARS);
  if (/[\uD800-\uDBFF]$/.test(excerpt)) excerpt = excerpt.slice(0, -1); // no half of a surrogate pair
  return {
    truncated: `kept the first ${excerpt.length} characters of ${bytes} bytes (JSON); sha256 of the whole`,
    bytes,
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    excerpt,
  };
}

/**
 * One audit entry for every mutating request an authenticated actor makes, written when the
 * answer is sent: who (the authenticated actor, never a name the caller typed), from where, what
 * (`PUT /api/v1/points/:device/:point/override` and the target), before and after as the route
 * noted them (otherwise the request body; either bounded by `boundedForAudit`), and the outcome — `ok` for 2xx, `refused` for 4xx with
 * the problem's detail, `failed` for 5xx; written when the route answers, also when the caller has
 * hung up by then. Mounted before the role matrix, so its 403s are audited as `refused` (the
 * matrix sets `res.locals.route` before it answers). Requests refused before anyone was
 * authenticated (401) are logged, not audited: anonymous traffic must not be able to fill the audit. A route that
 * audits itself (login) sets `res.locals.audited`.
 */
export function auditTrail(ctx: {
  audit: AuditLog;
  log: Logger;
  /** Counts audit lines that could not be written (health shows it). */
  onFailure?: (err: unknown) => void;
}): RequestHandler {
  return (req, res, next) => {
    if (!MUTATING.has(req.method)) return next();
    const problem = captureProblem(res);
    let written = false;
    const write = (answered: boolean) => {
      if (written || res.locals.audited === true) return;
      written = true;
      const actor = res.locals.actor as Actor | undefined;
      const route = res.locals.route as RouteInfo | undefined;
      if (!actor || !route) return;
      const note = (res.locals.audit ?? {}) as AuditNote;
      const status = res.statusCode;
      try {
        ctx.audit.append({
          actor,
          action: `${route.method} ${route.path}`,
          target: note.target ?? req.path,
          ...(note.before !== undefined ? { before: boundedForAudit(note.before, NOTE_MAX_BYTES) } : {}),
          after:
            note.after !== undefined
              ? boundedForAudit(note.after, NOTE_MAX_BYTES)
              : { request: boundedForAudit(req.body ?? null, BODY_KEEP_CHARS) },
          outcome: !answered ? 'failed' : status < 400 ? 'ok' : status < 500 ? 'refused' : 'failed',
          detail: !answered
            ? 'the connection closed before the route answered: what it did is unknown, see before/after and the point or record'
            : problem.detail
              ? `${status}: ${problem.detail.slice(0, BODY_KEEP_CHARS)}`
              : String(status),
        });
      } catch (err) {
        ctx.onFailure?.(err);
        ctx.log.error('audit entry not written', {
          action: `${route.method} ${route.path}`,
          user: actor.user,
          error: errorText(err),
        });
      }
    };
    // Written when the route answers (res.end), whether or not the caller is still there to read
    // it — a caller who hung up mid-request does not take the change out of the audit — and, if the
    // route never answers, when the connection closes.
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      write(true);
      return end(...args);
    }) as Response['end'];
    res.once('close', () => write(res.writableEnded));
    next();
  };
}

/** Keeps the detail of a problem answer (status ≥ 400) for the audit line. */
function captureProblem(res: Response): { detail?: string } {
  const seen: { detail?: string } = {};
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    if (res.statusCode >= 400 && body && typeof body === 'object' && 'detail' in body)
      seen.detail = String((body as { detail: unknown }).detail);
    return json(body);
  };
  return seen;
}
