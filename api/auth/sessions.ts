import type Database from 'better-sqlite3';
import type { Role } from '../../core/auth/actor.ts';
import type { Detail } from '../problem.ts';
import { csrfTokenOf, randomText, sha256 } from './secrets.ts';

/** A browser session just started: the id goes into the cookie, never into auth.db. */
export interface NewSession {
  sessionId: string;
  csrfToken: string;
  /** When it ends at the latest (absolute expiry), ms since the epoch. */
  expiresAt: number;
}

/** What a session cookie resolves to: its user and CSRF token, or why it is refused. */
export type SessionCheck =
  | { ok: true; user: string; role: Role; csrfToken: string; expiresAt: number }
  | { ok: false; reason: 'session_expired' | 'session_invalid'; detail: Detail };

interface SessionRow {
  id_hash: string;
  user: string;
  created_at: number;
  last_seen_at: number;
  role: Role | null;
  disabled: number | null;
}

const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;
const hours = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : minutes(ms));

/**
 * Browser sessions: 32 random bytes, only their sha256 stored; each ends after `idleMs` without a
 * request or `maxMs` after login, whichever comes first. The user's role is read on every request,
 * so a role change or a disabled account takes effect at once.
 */
export class Sessions {
  constructor(
    private readonly db: Database.Database,
    private readonly options: { now: () => number; idleMs: number; maxMs: number },
  ) {}

  start(user: string, address: string | undefined): NewSession {
    const sessionId = randomText(32);
    const now = this.options.now();
    this.db.prepare('DELETE FROM sessions WHERE last_seen_at < ?').run(now - this.options.maxMs);
    this.db
      .prepare(
        'INSERT INTO sessions (id_hash, user, address, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(sha256(sessionId), user, address ?? null, now, now);
    return { sessionId, csrfToken: csrfTokenOf(sessionId), expiresAt: now + this.options.maxMs };
  }

  /**
   * Resolves a cookie's session id and marks it used (the idle clock restarts), unless `touch` is
   * false: an open event stream re-checks its session without keeping it from idling out.
   */
  check(sessionId: string, { touch = true }: { touch?: boolean } = {}): SessionCheck {
    const idHash = sha256(sessionId);
    const row = this.db
      .prepare(
        'SELECT s.*, u.role, u.disabled FROM sessions s LEFT JOIN users u ON u.name = s.user WHERE s.id_hash = ?',
      )
      .get(idHash) as SessionRow | undefined;
    if (!row)
      return {
        ok: false,
        reason: 'session_invalid',
        detail: {
          zh: '会话不存在（已退出或从未登录）：请重新登录',
          en: 'unknown session (signed out or never signed in): sign in again',
        },
      };
    const now = this.options.now();
    const { idleMs, maxMs } = this.options;
    const refuse = (detail: Detail): SessionCheck => {
      this.end(sessionId);
      return { ok: false, reason: 'session_expired', detail };
    };
    if (now - row.created_at >= maxMs)
      return refuse({
        zh: `会话已过期（登录后最长 ${hours(maxMs)}）：请重新登录`,
        en: `session expired after ${hours(maxMs)} (the longest a session lasts): sign in again`,
      });
    if (now - row.last_seen_at >= idleMs)
      return refuse({
        zh: `会话已过期（${minutes(idleMs)} 无操作）：请重新登录`,
        en: `session expired after ${minutes(idleMs)} idle: sign in again`,
      });
    if (row.role === null || row.disabled !== 0) {
      this.end(sessionId);
      return {
        ok: false,
        reason: 'session_invalid',
        detail: { zh: `账户“${row.user}”已停用`, en: `account "${row.user}" is disabled` },
      };
    }
    // The idle clock to 10 s: a console polling every second must not cost a write (and fsync) per
    // request, and 10 s is nothing against a 30 min idle expiry.
    if (touch && now - row.last_seen_at >= 10_000)
      this.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(now, idHash);
    return {
      ok: true,
      user: row.user,
      role: row.role,
      csrfToken: csrfTokenOf(sessionId),
      expiresAt: row.created_at + maxMs,
    };
  }

  end(sessionId: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(sha256(sessionId));
  }

  /** Ends every session of a user (password changed, account disabled). */
  endAllOf(user: string): void {
    this.db.prepare('DELETE FROM sessions WHERE user = ?').run(user);
  }
}
