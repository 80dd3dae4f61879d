import type { Actor, Role } from '../../core/auth/actor.ts';
import { localTimestamp } from '../../core/localTime.ts';
import type { Logger } from '../../core/log.ts';
import type { Detail } from '../problem.ts';
import { openAuthDb } from './db.ts';
import { type LoginBlock, LoginLimits, loginLimits } from './limits.ts';
import { passwordMatches } from './passwords.ts';
import { type NewSession, type SessionCheck, Sessions } from './sessions.ts';
import { type TokenCheck, type TokenInfo, Tokens } from './tokens.ts';
import { type UserInfo, Users } from './users.ts';

export type { NewSession, SessionCheck, TokenCheck, TokenInfo, UserInfo };

/** Options of `createAuth`. */
export interface AuthOptions {
  /** The SQLite file, normally `<data-dir>/auth.db`. */
  file: string;
  /** Clock (ms since the epoch); tests inject one to expire sessions and locks. */
  now?: () => number;
  log: Logger;
  /** Mark the session cookie Secure (the API is served over TLS). Default false. */
  secureCookies?: boolean;
  /** A session ends after this long without a request (default 30 min). */
  sessionIdleMs?: number;
  /** A session ends this long after login at the latest (default 12 h). */
  sessionMaxMs?: number;
  /** Zone of the times messages name ("token expired on …"); default Asia/Shanghai. */
  timeZone?: string;
}

/** How a login attempt ended. Failures carry the problem code and the text the person reads. */
export type LoginResult =
  | { ok: true; user: UserInfo }
  | {
      ok: false;
      reason: 'login_failed' | 'account_locked' | 'account_disabled' | 'too_many_attempts';
      detail: Detail;
      /** account_locked, or login_failed that just locked the account: until when (ms). */
      lockedUntil?: number;
      /** too_many_attempts and account_locked: seconds until a retry can succeed. */
      retryAfterS?: number;
    };

/** Accounts, login, sessions and API tokens over one auth.db (see createAuth). */
export interface Auth {
  readonly options: Required<Omit<AuthOptions, 'log' | 'now'>> & { now: () => number };
  addUser(input: { name: string; role: string; password: string; by: Actor }): Promise<UserInfo>;
  /** Sets a new password (≥ 12 characters) and ends the user's sessions. */
  setPassword(name: string, password: string): Promise<UserInfo>;
  setRole(name: string, role: string): UserInfo;
  /** Role, disabled and password at once: all checked, then all written, or none (ends sessions on disable or a new password). */
  updateUser(
    name: string,
    changes: { role?: string; disabled?: boolean; password?: string },
  ): Promise<UserInfo>;
  /** Disables (ending its sessions) or enables an account; the last enabled admin cannot be disabled. */
  setDisabled(name: string, disabled: boolean): UserInfo;
  /**
   * Clears the account's failed logins and lock (a new password or enabling the account does so
   * too); `wasLockedUntil` says whether it was locked. not_found for an unknown account.
   */
  unlock(name: string): { user: UserInfo; wasLockedUntil?: number };
  /** Clears the failed logins counted for a client address (its 429); how many there were. */
  unblockAddress(address: string): number;
  /** Until when (ms) the account is locked after failed logins, or undefined. */
  lockedUntil(name: string): number | undefined;
  listUsers(): UserInfo[];
  getUser(name: string): UserInfo | undefined;
  /** Checks a login against the limits and the password; counts failures, locks accounts. */
  verifyLogin(input: { name: string; password: string; address: string }): Promise<LoginResult>;
  startSession(user: string, address?: string): NewSession;
  /** Resolves a session id; `touch: false` leaves its idle clock alone (a re-check). */
  checkSession(sessionId: string, options?: { touch?: boolean }): SessionCheck;
  endSession(sessionId: string): void;
  createToken(input: { name: string; role: string; scopes?: string[]; expiresAt?: number; by: Actor }): {
    token: string;
    info: TokenInfo;
  };
  listTokens(): TokenInfo[];
  revokeToken(id: string): TokenInfo;
  /** Resolves a Bearer value; `touch: false` leaves its last use alone (a re-check). */
  checkToken(value: string, options?: { touch?: boolean }): TokenCheck;
  close(): void;
}

/** One place for the words of a failed login: the same for an unknown name and a wrong password. */
export const wrongLogin: Detail = { zh: '用户名或密码错误', en: 'wrong user name or password' };

/**
 * Users (argon2id), login limits (5 failures of an account in 15 min lock it for 15 min; 20 from
 * an address in 15 min give 429), browser sessions and API tokens in `options.file`.
 */
export function createAuth(options: AuthOptions): Auth {
  const db = openAuthDb(options.file);
  const now = options.now ?? Date.now;
  const resolved = {
    file: options.file,
    now,
    secureCookies: options.secureCookies ?? false,
    sessionIdleMs: options.sessionIdleMs ?? 30 * 60_000,
    sessionMaxMs: options.sessionMaxMs ?? 12 * 3_600_000,
    timeZone: options.timeZone ?? 'Asia/Shanghai',
  };
  const users = new Users(db, now);
  const limits = new LoginLimits(db, now);
  const sessions = new Sessions(db, { now, idleMs: resolved.sessionIdleMs, maxMs: resolved.sessionMaxMs });
  const tokens = new Tokens(db, { now, timeZone: resolved.timeZone });
  const at = (ms: number) => localTimestamp(ms, resolved.timeZone);

  async function verifyLogin(input: {
    name: string;
    password: string;
    address: string;
  }): Promise<LoginResult> {
    const name = users.loginName(input.name.slice(0, 128)); // DEMO-ADMIN signs in as demo-admin, one lockout
    // Counted before the password is checked, so parallel guesses cannot outrun the limits.
    const attempt = limits.begin(name, input.address);
    if ('kind' in attempt) return refusedByLimits(attempt, name, input.address);
    const row = users.row(name);
    if (!(await passwordMatches(row?.password_hash, input.password))) {
      const { lockedUntil } = attempt;
      if (lockedUntil === undefined) options.log.warn('login failed', { user: name, address: input.address });
      else
        options.log.warn('account locked after repeated failed logins', {
          user: name,
          address: input.address,
        });
      return {
        ok: false,
        reason: 'login_failed',
        detail: wrongLogin,
        ...(lockedUntil ? { lockedUntil } : {}),
      };
    }
    limits.undo(name, attempt);
    // Only someone who knows the password learns that the account exists but is disabled.
    if (!row || row.disabled)
      return {
        ok: false,
        reason: 'account_disabled',
        detail: { zh: `账户“${name}”已停用`, en: `account "${name}" is disabled` },
      };
    limits.clear(name);
    return { ok: true, user: users.existing(name) };
  }

  /** The 429 of an address over its limit, or the 423 of a locked account: each says how it ends. */
  function refusedByLimits(block: LoginBlock, name: string, address: string): LoginResult {
    const minutes = loginLimits.windowMs / 60_000;
    if (block.kind === 'address') {
      const retryAfterS = Math.max(1, Math.ceil(block.retryAfterMs / 1000));
      const within = `${loginLimits.addressFailures} within ${minutes} min`;
      return {
        ok: false,
        reason: 'too_many_attempts',
        detail: {
          zh: `来自 ${address} 的登录失败次数过多（${minutes} 分钟内 ${loginLimits.addressFailures} 次）：限制 ${retryAfterS} 秒后自动解除，届时再试；管理员可提前解除（jieneng user unblock ${address}）`,
          en: `too many failed logins from ${address} (${within}): the limit ends by itself in ${retryAfterS} s; try again then, or an admin can lift it now (jieneng user unblock ${address})`,
        },
        retryAfterS,
      };
    }
    return {
      ok: false,
      reason: 'account_locked',
      detail: {
        zh: `账户“${name}”因连续 ${loginLimits.accountFailures} 次登录失败已锁定，${at(block.until)} 自动解锁；管理员可提前解锁（jieneng user unlock ${name}）`,
        en: `account "${name}" is locked after ${loginLimits.accountFailures} failed logins; it unlocks at ${at(block.until)}, or an admin can unlock it now (jieneng user unlock ${name})`,
      },
      lockedUntil: block.until,
      retryAfterS: Math.max(1, Math.ceil((block.until - now()) / 1000)),
    };
  }

  /** An admin's change that also lifts a lock: a new password, or the account enabled. */
  const unlocking = (name: string, changes: { disabled?: boolean; password?: string }) => {
    if (changes.password !== undefined || changes.disabled === false) limits.clear(name);
  };

  return {
    options: resolved,
    addUser: (input) => users.add({ ...input, by: input.by.user }),
    setPassword: async (name, password) => {
      const user = await users.setPassword(name, password);
      sessions.endAllOf(user.name);
      unlocking(user.name, { password });
      return user;
    },
    setRole: (name, role) => users.setRole(name, role),
    updateUser: async (name, changes) => {
      const user = await users.update(name, changes);
      if (changes.password !== undefined || user.disabled) sessions.endAllOf(user.name);
      unlocking(user.name, changes);
      return user;
    },
    setDisabled: (name, disabled) => {
      const user = users.setDisabled(name, disabled);
      if (disabled) sessions.endAllOf(user.name);
      unlocking(user.name, { disabled });
      return user;
    },
    unlock: (name) => {
      const user = users.existing(name);
      const until = limits.lockedUntil(user.name);
      limits.clear(user.name);
      return { user, ...(until !== undefined ? { wasLockedUntil: until } : {}) };
    },
    unblockAddress: (address) => limits.clearAddress(address),
    lockedUntil: (name) => limits.lockedUntil(name.normalize('NFC')),
    listUsers: () => users.list(),
    getUser: (name) => users.get(name),
    verifyLogin,
    startSession: (user, address) => sessions.start(user, address),
    checkSession: (id, o) => sessions.check(id, o),
    endSession: (id) => sessions.end(id),
    createToken: (input) => tokens.create(input),
    listTokens: () => tokens.list(),
    revokeToken: (id) => tokens.revoke(id),
    checkToken: (value, o) => tokens.check(value, o),
    close: () => db.close(),
  };
}

/** The actor of a resolved session or token. */
export function actorFrom(
  found: { via: 'session'; user: string; role: Role } | { via: 'token'; token: TokenInfo },
  address: string | undefined,
): Actor {
  const where = address ? { address } : {};
  if (found.via === 'session')
    return { user: found.user, role: found.role, via: 'session', scopes: [], ...where };
  const t = found.token;
  // A token acts as itself (an integration such as "bms-link" or "fire-panel"), not as the admin
  // who made it: the audit then names what called, and the token id ties it to its creator. The
  // "token:" prefix keeps a token named like a person ("王工") from passing for that person: no
  // account name may contain ":" (api/auth/users.ts).
  return {
    user: `token:${t.name}`,
    role: t.role,
    via: 'token',
    scopes: t.scopes,
    tokenId: t.id,
    ...where,
  };
}
