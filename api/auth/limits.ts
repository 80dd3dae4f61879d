import type Database from 'better-sqlite3';

/** Login limits (issue 15); one window for both counts. */
export const loginLimits = {
  /** Failures of one account name within the window that lock it. */
  accountFailures: 5,
  /** Failures from one client address within the window after which it gets 429. */
  addressFailures: 20,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
};

/** Why a login is not even tried: the address is over its limit, or the account is locked. */
export type LoginBlock = { kind: 'address'; retryAfterMs: number } | { kind: 'locked'; until: number };

/**
 * A login attempt counted as a failure before its password is checked (see `LoginLimits.begin`):
 * the rows it added, and the lock it set when it was the one that reached the limit.
 */
export interface Attempt {
  accountRow: number;
  addressRow: number;
  /** This attempt reached the account limit and locked it until then (ms). */
  lockedUntil?: number;
}

/**
 * Failed logins counted in auth.db (so every API process sees the same counts), per account name
 * — known or not, so a lockout tells nothing about which names exist — and per client address.
 *
 * An attempt is counted when it starts, not when its password check (argon2, tens of ms) ends:
 * counting afterwards let 80 parallel guesses at one account all pass the check of the limits
 * before the first failure was written (42 password checks against a limit of 5, issue 15
 * security review). A right password undoes its count.
 */
export class LoginLimits {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  /**
   * In one immediate transaction: refuses a login of `name` from `address` that is over a limit,
   * else counts it as a failure (locking the account when it is the limit-th) and returns it.
   */
  begin(name: string, address: string): LoginBlock | Attempt {
    const now = this.now();
    return this.db
      .transaction((): LoginBlock | Attempt => {
        const block = this.blocked(name, address, now);
        if (block) return block;
        const old = now - loginLimits.windowMs;
        this.db.prepare('DELETE FROM account_failures WHERE at <= ?').run(old);
        this.db.prepare('DELETE FROM address_failures WHERE at <= ?').run(old);
        const insert = (table: string, key: string) =>
          Number(this.db.prepare(`INSERT INTO ${table} VALUES (?, ?)`).run(key, now).lastInsertRowid);
        const attempt: Attempt = {
          accountRow: insert('account_failures', name),
          addressRow: insert('address_failures', address),
        };
        const { n } = this.db
          .prepare('SELECT count(*) AS n FROM account_failures WHERE name = ? AND at > ?')
          .get(name, old) as { n: number };
        if (n < loginLimits.accountFailures) return attempt;
        const until = now + loginLimits.lockMs;
        this.db.prepare('INSERT OR REPLACE INTO lockouts (name, until) VALUES (?, ?)').run(name, until);
        return { ...attempt, lockedUntil: until };
      })
      .immediate();
  }

  /** The right password was given: the attempt was no failure (the lock it set, if any, goes too). */
  undo(name: string, attempt: Attempt): void {
    this.db
      .transaction(() => {
        this.db.prepare('DELETE FROM account_failures WHERE rowid = ?').run(attempt.accountRow);
        this.db.prepare('DELETE FROM address_failures WHERE rowid = ?').run(attempt.addressRow);
        if (attempt.lockedUntil !== undefined)
          this.db.prepare('DELETE FROM lockouts WHERE name = ? AND until = ?').run(name, attempt.lockedUntil);
      })
      .immediate();
  }

  /** Whether a login is refused before its password is checked (the in-flight attempts count). */
  private blocked(name: string, address: string, now: number): LoginBlock | undefined {
    const nth = this.db
      .prepare(
        'SELECT at FROM address_failures WHERE address = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?',
      )
      .get(address, now - loginLimits.windowMs, loginLimits.addressFailures - 1) as
      | { at: number }
      | undefined;
    // Under the limit again once the limit-th most recent failure leaves the window.
    if (nth) return { kind: 'address', retryAfterMs: nth.at + loginLimits.windowMs - now };
    const lock = this.db.prepare('SELECT until FROM lockouts WHERE name = ?').get(name) as
      | { until: number }
      | undefined;
    if (lock && lock.until > now) return { kind: 'locked', until: lock.until };
    return undefined;
  }

  /**
   * Clears the account's failures and lock: a successful login, or an admin's unlock (a new
   * password, enabling the account, `jieneng user unlock`). The address's failures stay.
   */
  clear(name: string): void {
    this.db.prepare('DELETE FROM account_failures WHERE name = ?').run(name);
    this.db.prepare('DELETE FROM lockouts WHERE name = ?').run(name);
  }

  /**
   * Clears the failures counted for a client address (its 429): an admin's `jieneng user unblock
   * ADDRESS`, e.g. when a proxy without --trust-proxy made every client 127.0.0.1. How many there were.
   */
  clearAddress(address: string): number {
    return this.db.prepare('DELETE FROM address_failures WHERE address = ?').run(address).changes;
  }

  /** Whether the account is locked now, and until when (ms). */
  lockedUntil(name: string): number | undefined {
    const lock = this.db.prepare('SELECT until FROM lockouts WHERE name = ?').get(name) as
      | { until: number }
      | undefined;
    return lock && lock.until > this.now() ? lock.until : undefined;
  }
}
