/**
 * The audit screen's pure parts: which tabs a role has, query parameters from the filter forms
 * (empty fields left out), the next page's `before`, and the rows of the ledger audit. The unit
 * tests (model.test.ts) check them.
 */
import type { Role } from '../../session';

export type AuditTab = 'api' | 'control' | 'ledger';

/** Admins see the API audit (GET /audit is admin only) first; everyone with the screen the control and ledger audits. */
export function tabsFor(role: Role | undefined): AuditTab[] {
  return role === 'admin' ? ['api', 'control', 'ledger'] : ['control', 'ledger'];
}

/** The filled fields of a filter form, trimmed, as query parameters (none for an empty field). */
export function filterQuery<K extends string>(fields: Record<K, string>): Partial<Record<K, string>> {
  const q: Partial<Record<K, string>> = {};
  for (const [k, v] of Object.entries(fields) as [K, string][]) {
    const t = v.trim();
    if (t) q[k] = t;
  }
  return q;
}

/** The `before` of the next page of a newest-first list of `limit`, or undefined when it was the last. */
export function nextBefore(entries: readonly { id: number }[], limit: number): number | undefined {
  const last = entries.at(-1);
  return entries.length === limit && last && last.id > 1 ? last.id : undefined;
}

export interface LedgerAuditEntry {
  at: string;
  action: string;
  detail: unknown;
}

export interface LedgerRow {
  at: string;
  action: string;
  origin: string | null;
  rows: number | null;
  replaced: number | null;
}

/** The ledger's audit (oldest first from the API) as rows, newest first like the other tabs. */
export function ledgerRows(entries: readonly LedgerAuditEntry[]): LedgerRow[] {
  return entries
    .map((e) => {
      const d = (e.detail ?? {}) as { origin?: unknown; rows?: unknown; replaced?: unknown };
      return {
        at: e.at,
        action: e.action,
        origin: typeof d.origin === 'string' ? d.origin : null,
        rows: typeof d.rows === 'number' ? d.rows : null,
        replaced: typeof d.replaced === 'number' ? d.replaced : null,
      };
    })
    .reverse();
}

/** `point:ac-1/cooling_setpoint@8` → `ac-1/cooling_setpoint · 8`; other targets as they are. */
export function targetText(target: string | null): string {
  if (!target) return '';
  const m = /^point:([^@]+)@(\d+)$/.exec(target);
  return m ? `${m[1]} · P${m[2]}` : target;
}

/** A before/after note as indented JSON for the expanded row (null: nothing). */
export function noteText(note: unknown): string | null {
  if (note === null || note === undefined) return null;
  return JSON.stringify(note, null, 2);
}

/**
 * The catalogue key of an API audit action (a route `PUT /api/v1/points/:device/:point/override`
 * or an event `auth.login`), for the page to word it as a person reads it; undefined for one the
 * catalogue does not know (the page shows the raw action then).
 */
const actionKeys: Record<string, string> = {
  'auth.login': 'login',
  'auth.lockout': 'lockout',
  'POST /api/v1/auth/login': 'login',
  'POST /api/v1/auth/logout': 'logout',
  'POST /api/v1/users': 'createUser',
  'PATCH /api/v1/users/:name': 'changeUser',
  'POST /api/v1/tokens': 'createToken',
  'DELETE /api/v1/tokens/:id': 'revokeToken',
  'PUT /api/v1/points/:device/:point/override': 'override',
  'DELETE /api/v1/points/:device/:point/override': 'relinquish',
  'POST /api/v1/overtime': 'overtime',
  'PUT /api/v1/calendar/overrides/:date': 'setDay',
  'DELETE /api/v1/calendar/overrides/:date': 'clearDay',
  'POST /api/v1/schedules/validate': 'validateSchedule',
  'POST /api/v1/schedules': 'createSchedule',
  'PUT /api/v1/schedules/:id': 'editSchedule',
  'DELETE /api/v1/schedules/:id': 'deleteSchedule',
  'POST /api/v1/schedules/:id/revert': 'revertSchedule',
  'POST /api/v1/facts': 'enterFacts',
  'POST /api/v1/entries': 'enterEntries',
  'POST /api/v1/facts/upload': 'uploadFacts',
  'POST /api/v1/entries/upload': 'uploadEntries',
};
export function actionKey(action: string): string | undefined {
  return actionKeys[action.trim()];
}

/** Every catalogue key actionKey gives (the messages must have each, in both languages). */
export const actionKeyList = [...new Set(Object.values(actionKeys))];
