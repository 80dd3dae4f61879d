/** What `RefusalLog.admit` decided for one refusal. */
export type Admission =
  | {
      write: true /** Refusals of this key held back since the last line written for it. */;
      heldBack: number;
    }
  | { write: false };

/** A count of refusals held back whose key saw no new refusal: written as a summary line. */
export interface HeldBack {
  key: string;
  count: number;
  /** When the last line of this key was written (ms). */
  since: number;
}

/**
 * Decides which refused logins get an audit line of their own. A refusal by the login limits
 * (423 locked account, 429 address over its limit) costs no password check, so anyone can send
 * them without end; an audit line each would let anonymous traffic grow audit.db without bound
 * (issue 15 security review). So only the first refusal of a key (account or address) in each
 * window is written; the line written next for that key carries the count held back, and keys
 * quiet for a whole window give theirs back through `sweep` (a summary line), so none is lost.
 * In memory: at most one entry per key refused in the last two windows.
 */
export class RefusalLog {
  private readonly keys = new Map<string, { since: number; held: number }>();
  private lastSweep: number;

  constructor(
    private readonly now: () => number,
    private readonly windowMs: number,
  ) {
    this.lastSweep = now();
  }

  /** One refusal of `key` (e.g. `locked:user:张工`, `address:203.0.113.7`). */
  admit(key: string): Admission {
    const now = this.now();
    const entry = this.keys.get(key);
    if (entry && now - entry.since < this.windowMs) {
      entry.held++;
      return { write: false };
    }
    this.keys.set(key, { since: now, held: 0 });
    return { write: true, heldBack: entry?.held ?? 0 };
  }

  /** At most once a window: forgets keys quiet for a window, returning the counts they held back. */
  sweep(): HeldBack[] {
    const now = this.now();
    if (now - this.lastSweep < this.windowMs) return [];
    this.lastSweep = now;
    const out: HeldBack[] = [];
    for (const [key, e] of this.keys) {
      if (now - e.since < this.windowMs) continue;
      this.keys.delete(key);
      if (e.held > 0) out.push({ key, count: e.held, since: e.since });
    }
    return out;
  }
}
