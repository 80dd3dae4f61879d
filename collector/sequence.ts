/** What the collector makes of a batch's sequence number. */
export type BatchVerdict =
  | { kind: 'next' }
  | { kind: 'first' }
  | { kind: 'duplicate' }
  /** A seq seen before with other content: a forged or reused number, stored like any new batch. */
  | { kind: 'conflict' }
  | { kind: 'gap'; expected: number };

const WINDOW = 4096;

/**
 * Per-stream sequence bookkeeping (a stream is a gateway's spool epoch): remembers the last WINDOW
 * sequence numbers seen of each stream with the identity of their content, so a redelivered batch
 * — the same seq with the same content — is recognised as a duplicate, a seq reused with other
 * content is not (five forged batches once made the collector drop five real ones), and a jump is
 * reported as a gap.
 */
export class SequenceTracker {
  private readonly seen = new Map<string, { highest: number; recent: Map<number, string> }>();

  check(stream: string, seq: number, identity = ''): BatchVerdict {
    const state = this.seen.get(stream);
    if (!state) {
      this.seen.set(stream, { highest: seq, recent: new Map([[seq, identity]]) });
      return { kind: 'first' };
    }
    const before = state.recent.get(seq);
    if (before !== undefined) return before === identity ? { kind: 'duplicate' } : { kind: 'conflict' };
    state.recent.set(seq, identity);
    if (state.recent.size > WINDOW) {
      const oldest = state.recent.keys().next().value;
      if (oldest !== undefined) state.recent.delete(oldest);
    }
    const expected = state.highest + 1;
    state.highest = Math.max(state.highest, seq);
    return seq === expected || seq < expected ? { kind: 'next' } : { kind: 'gap', expected };
  }

  /** Un-sees a batch whose write failed, so its redelivery is stored rather than dropped. */
  forget(stream: string, seq: number): void {
    this.seen.get(stream)?.recent.delete(seq);
  }
}

/** A sequence gap still open: batches `expected`…`got − 1` of a gateway had not arrived. */
export interface OpenGap {
  gateway: string;
  expected: number;
  got: number;
  /** Those still missing. */
  missing: Set<number>;
  /** When it is reported if some are still missing (ms). */
  deadline: number;
}

/**
 * Gaps wait a grace period before they are reported: a broker may hand over batches out of order
 * (aedes does, in a burst), and a batch that arrives a moment later was not lost. Jumps of more than
 * `maxTracked` batches (a gateway that lost its spool, say) are reported at once.
 */
export class GapWatch {
  private readonly open: OpenGap[] = [];

  constructor(
    private readonly graceMs: number,
    private readonly maxTracked = 1000,
  ) {}

  /** A gap was seen; returns it when it is to be reported now (too long to track). */
  add(gateway: string, expected: number, got: number, now: number): OpenGap | undefined {
    const gap: OpenGap = { gateway, expected, got, missing: new Set(), deadline: now + this.graceMs };
    if (got - expected > this.maxTracked) return gap;
    for (let s = expected; s < got; s++) gap.missing.add(s);
    this.open.push(gap);
    return undefined;
  }

  /** A batch arrived: it closes its part of any open gap. */
  arrived(gateway: string, seq: number): void {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const gap = this.open[i] as OpenGap;
      if (gap.gateway !== gateway || !gap.missing.delete(seq)) continue;
      if (gap.missing.size === 0) this.open.splice(i, 1);
    }
  }

  /** Gaps whose grace has passed with batches still missing; they are no longer watched. */
  expired(now: number): OpenGap[] {
    const out: OpenGap[] = [];
    for (let i = this.open.length - 1; i >= 0; i--) {
      const gap = this.open[i] as OpenGap;
      if (gap.deadline <= now) out.unshift(...this.open.splice(i, 1));
    }
    return out;
  }
}
