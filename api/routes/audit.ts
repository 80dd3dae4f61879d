import { Router } from 'express';
import { z } from 'zod';
import type { AuditEntry, AuditLog } from '../../core/audit/auditLog.ts';
import { parseQuery, text, wholeNumber } from '../params.ts';

/** GET /audit query: filters and paging (newest first; `before` is the id to page on from). */
export const auditQuery = {
  limit: wholeNumber(1, 1000).optional().describe('a whole number from 1 to 1000 (default 100)'),
  before: wholeNumber(1, Number.MAX_SAFE_INTEGER)
    .optional()
    .describe('entries with an id below this one (the next page)'),
  user: text(128).optional(),
  action: text(128).optional(),
  target: text(256).optional(),
};
/** The same query as a zod object, for the OpenAPI document. */
export const auditQuerySchema = z.object(auditQuery).strict();

/** An audit entry as the API answers it (snake_case). */
export function auditEntryJson(e: AuditEntry) {
  return {
    id: e.id,
    at: e.at,
    actor: {
      user: e.actor.user,
      role: e.actor.role,
      via: e.actor.via,
      token_id: e.actor.tokenId ?? null,
      address: e.actor.address ?? null,
    },
    action: e.action,
    target: e.target ?? null,
    before: e.before ?? null,
    after: e.after ?? null,
    outcome: e.outcome,
    detail: e.detail ?? null,
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}

/** GET /audit (filters, paging: `next_before` asks for the next page) and GET /audit/verify (the hash chain). */
export function auditRoutes(audit: AuditLog): Router {
  const router = Router();
  router.get('/audit', (req, res) => {
    const q = parseQuery(req.query, auditQuery);
    const limit = q.limit ?? 100;
    const entries = audit.list({ ...q, limit });
    const last = entries.at(-1);
    res.json({
      entries: entries.map(auditEntryJson),
      next_before: entries.length === limit && last && last.id > 1 ? last.id : null,
    });
  });
  router.get('/audit/verify', (req, res) => {
    parseQuery(req.query, {});
    const v = audit.verify();
    res.json({ ok: v.ok, entries: v.entries, ...(v.problem ? { problem: v.problem } : {}) });
  });
  return router;
}
