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
 * Failed logins counted in auth.db (so every API process sees the same counts), per account name
 * — known or not, so a lockout tells nothing about which names exist — and per client address.
 */
export class LoginLimits {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  /** Whether a login of `name` from `address` is refused before its password is checked. */
  blocked(name: string, address: string): LoginBlock | undefined {
    const now = this.now();
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

  /** Counts a failure; when it is the one that locks the account, returns until when. */
  fail(name: string, address: string): { lockedUntil?: number } {
    const now = this.now();
    return this.db
      .transaction(() => {
        const old = now - loginLimits.windowMs;
        this.db.prepare('DELETE FROM account_failures WHERE at <= ?').run(old);
        this.db.prepare('DELETE FROM address_failures WHERE at <= ?').run(old);
        this.db.prepare('INSERT INTO account_failures (name, at) VALUES (?, ?)').run(name, now);
        this.db.prepare('INSERT INTO address_failures (address, at) VALUES (?, ?)').run(address, now);
        const { n } = this.db
          .prepare('SELECT count(*) AS n FROM account_failures WHERE name = ? AND at > ?')
          .get(name, now - loginLimits.windowMs) as { n: number };
        if (n < loginLimits.accountFailures) return {};
        const until = now + loginLimits.lockMs;
        this.db.prepare('INSERT OR REPLACE INTO lockouts (name, until) VALUES (?, ?)').run(name, until);
        // The lock is the consequence of these failures; after it they start from zero.
        this.db.prepare('DELETE FROM account_failures WHERE name = ?').run(name);
        return { lockedUntil: until };
      })
      .immediate();
  }

  /** A successful login clears the account's failures (not the address's). */
  succeed(name: string): void {
    this.db.prepare('DELETE FROM account_failures WHERE name = ?').run(name);
    this.db.prepare('DELETE FROM lockouts WHERE name = ?').run(name);
  }
}
