/** What the collector makes of a batch's sequence number. */
export type BatchVerdict =
  | { kind: 'next' }
  | { kind: 'first' }
  | { kind: 'duplicate' }
  | { kind: 'gap'; expected: number };

const WINDOW = 4096;

/**
 * Per-gateway sequence bookkeeping: remembers the last WINDOW sequence numbers seen of each
 * gateway, so a redelivered batch is recognised as a duplicate and a jump is reported as a gap.
 */
export class SequenceTracker {
  private readonly seen = new Map<string, { highest: number; recent: Set<number> }>();

  check(gateway: string, seq: number): BatchVerdict {
    const state = this.seen.get(gateway);
    if (!state) {
      this.seen.set(gateway, { highest: seq, recent: new Set([seq]) });
      return { kind: 'first' };
    }
    if (state.recent.has(seq)) return { kind: 'duplicate' };
    state.recent.add(seq);
    if (state.recent.size > WINDOW) {
      const oldest = state.recent.values().next().value;
      if (oldest !== undefined) state.recent.delete(oldest);
    }
    const expected = state.highest + 1;
    state.highest = Math.max(state.highest, seq);
    return seq === expected || seq < expected ? { kind: 'next' } : { kind: 'gap', expected };
  }

  /** Un-sees a batch whose write failed, so its redelivery is stored rather than dropped. */
  forget(gateway: string, seq: number): void {
    this.seen.get(gateway)?.recent.delete(seq);
  }
}
