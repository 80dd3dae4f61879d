import { randomInt } from 'node:crypto';
import type Database from 'better-sqlite3';
import { type Actor, scopes as knownScopes, type Role, roles, type Scope } from '../../core/auth/actor.ts';
import { JnError } from '../../core/errors.ts';
import { localTimestamp } from '../../core/localTime.ts';
import type { Detail } from '../problem.ts';
import { randomText, sameSecret, sha256 } from './secrets.ts';
import { checkRole } from './users.ts';

/** How fresh a token's last_used_at is kept (ms). */
const LAST_USED_RESOLUTION_MS = 60_000;

/** An API token as listed: never its secret. Times in ms since the epoch. */
export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  scopes: Scope[];
  expiresAt?: number;
  createdBy: string;
  createdAt: number;
  lastUsedAt?: number;
  revokedAt?: number;
}

/** What a bearer token resolves to, or why it is refused. */
export type TokenCheck =
  | { ok: true; token: TokenInfo }
  | { ok: false; reason: 'token_invalid' | 'token_expired' | 'token_revoked'; detail: Detail };

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  scopes: string;
  secret_hash: string;
  expires_at: number | null;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// jn_<12 letters or digits>_<32 random bytes, base64url>: the id is fixed-length, so the "_" a
// base64url secret may contain never makes the split ambiguous.
const tokenPattern = /^jn_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

const toInfo = (r: TokenRow): TokenInfo => ({
  id: r.id,
  name: r.name,
  role: r.role,
  scopes: JSON.parse(r.scopes) as Scope[],
  ...(r.expires_at !== null ? { expiresAt: r.expires_at } : {}),
  createdBy: r.created_by,
  createdAt: r.created_at,
  ...(r.last_used_at !== null ? { lastUsedAt: r.last_used_at } : {}),
  ...(r.revoked_at !== null ? { revokedAt: r.revoked_at } : {}),
});

/**
 * API tokens for integrations. Only sha256(secret) is stored: the secret is 32 random bytes, so a
 * slow password hash would add nothing (there is no dictionary to guess from) and would cost
 * every request an argon2 run. Compared with timingSafeEqual.
 */
export class Tokens {
  constructor(
    private readonly db: Database.Database,
    private readonly options: { now: () => number; timeZone: string },
  ) {}

  /** Creates a token; `token` (jn_<id>_<secret>) is returned here once and can never be read again. */
  create(input: { name: string; role: string; scopes?: string[]; expiresAt?: number; by: Actor }): {
    token: string;
    info: TokenInfo;
  } {
    const name = input.name.trim();
    if (name.length < 1 || [...name].length > 64)
      throw new JnError('bad_request', `token name "${input.name}": 1–64 characters saying what uses it`);
    const role = checkRole(input.role);
    if (roles.indexOf(role) < roles.indexOf(input.by.role))
      throw new JnError('forbidden', `a ${input.by.role} cannot create a token with the role ${role}`);
    const scopes = [...new Set(input.scopes ?? [])];
    for (const s of scopes)
      if (!(knownScopes as readonly string[]).includes(s))
        throw new JnError('bad_request', `scope "${s}": the only scope is ${knownScopes.join(', ')}`);
    if (scopes.includes('safety') && input.by.role !== 'admin')
      throw new JnError(
        'forbidden',
        'only an admin may create a token with the safety scope (command priorities 1–7)',
      );
    const now = this.options.now();
    if (input.expiresAt !== undefined && !(input.expiresAt > now))
      throw new JnError('bad_request', `expires_at ${this.time(input.expiresAt)} is not in the future`);
    const id = Array.from({ length: 12 }, () => idAlphabet[randomInt(idAlphabet.length)]).join('');
    const secret = randomText(32);
    this.db
      .prepare(
        'INSERT INTO tokens (id, name, role, scopes, secret_hash, expires_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        id,
        name,
        role,
        JSON.stringify(scopes),
        sha256(secret),
        input.expiresAt ?? null,
        input.by.user,
        now,
      );
    return { token: `jn_${id}_${secret}`, info: this.existing(id) };
  }

  list(): TokenInfo[] {
    return (this.db.prepare('SELECT * FROM tokens ORDER BY created_at, id').all() as TokenRow[]).map(toInfo);
  }

  /** Revokes a token at once; a revoked one cannot be revoked again (conflict, with when). */
  revoke(id: string): TokenInfo {
    const token = this.existing(id);
    if (token.revokedAt !== undefined)
      throw new JnError('conflict', `token ${id} was already revoked on ${this.time(token.revokedAt)}`);
    this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ?').run(this.options.now(), id);
    return this.existing(id);
  }

  existing(id: string): TokenInfo {
    const row = this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(id) as TokenRow | undefined;
    if (!row) throw new JnError('not_found', `token "${id}" does not exist`);
    return toInfo(row);
  }

  /** Resolves the value of an `Authorization: Bearer` header and records its use (unless `touch` is false). */
  check(value: string, { touch = true }: { touch?: boolean } = {}): TokenCheck {
    const m = tokenPattern.exec(value);
    if (!m?.[1] || !m[2])
      return {
        ok: false,
        reason: 'token_invalid',
        detail: {
          zh: '不是节能平台的 API 令牌（应为 jn_<id>_<secret>）',
          en: 'not a jieneng API token (expected jn_<id>_<secret>)',
        },
      };
    const row = this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(m[1]) as TokenRow | undefined;
    // Unknown id and wrong secret give the same answer.
    if (!row || !sameSecret(sha256(m[2]), row.secret_hash))
      return {
        ok: false,
        reason: 'token_invalid',
        detail: { zh: '令牌不存在或密钥错误', en: 'unknown token or wrong secret' },
      };
    const now = this.options.now();
    if (row.revoked_at !== null)
      return {
        ok: false,
        reason: 'token_revoked',
        detail: {
          zh: `令牌已于 ${this.time(row.revoked_at)} 吊销`,
          en: `token revoked on ${this.time(row.revoked_at)}`,
        },
      };
    if (row.expires_at !== null && row.expires_at <= now)
      return {
        ok: false,
        reason: 'token_expired',
        detail: {
          zh: `令牌已于 ${this.time(row.expires_at)} 过期`,
          en: `token expired on ${this.time(row.expires_at)}`,
        },
      };
    if (!touch) return { ok: true, token: toInfo(row) };
    // "Last used" to the minute: a scraper or a console polling every second must not cost a
    // database write (and its fsync) per request.
    if (row.last_used_at !== null && now - row.last_used_at < LAST_USED_RESOLUTION_MS)
      return { ok: true, token: toInfo(row) };
    this.db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?').run(now, row.id);
    return { ok: true, token: toInfo({ ...row, last_used_at: now }) };
  }

  private time(ms: number): string {
    return localTimestamp(ms, this.options.timeZone);
  }
}
