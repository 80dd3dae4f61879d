import type { Progress } from '../core/telemetry.ts';
import { Intervals } from './intervals.ts';

/** Batches of one gateway's spool epoch that never reached the store. */
export interface LostBatches {
  gateway: string;
  epoch: string;
  /** Sorted. */
  missing: number[];
  cause: 'dropped at the source' | 'spool replaced';
}

interface StreamState {
  /** Every seq up to this one is stored or accounted for; undefined until the first mark. */
  upTo: number | undefined;
  /** Seqs stored above `upTo`. */
  above: Intervals;
  /** Highest seq a progress mark of the stream has announced (bounds what a confirmation may name). */
  high: number;
  /** Dropped batches already reported (the gateway's mark lists its latest drops every time). */
  reported: Intervals;
}

interface PendingMark {
  at: number;
  mark: Progress;
}

/** The longest list of missing seqs one report names one by one. */
const MAX_LISTED = 10_000;
/** How far past the highest announced seq a confirmation may reach (it can overtake its mark). */
const AHEAD = 10_000;

/**
 * What the collectors of a group have stored, per gateway and spool epoch, learnt from every
 * collector's confirmations (`jn/v1/<gateway>/stored`, which each collector also subscribes to),
 * held against the gateways' progress marks. No single collector of a shared group sees the whole
 * sequence, but together their confirmations do. A batch is lost for good when the gateway says
 * it is done with it — its `confirmed` mark passed it (a spool limit dropped it) or the gateway
 * started a new epoch (its spool was replaced) — and no collector stored it. A mark is judged
 * `graceMs` after it arrived, so a confirmation still on its way is not taken for a loss.
 */
export class GroupLedger {
  private readonly streams = new Map<string, StreamState>();
  /** The latest epoch and acknowledged seq of each gateway. */
  private readonly current = new Map<string, { epoch: string; seq: number }>();
  private readonly pending: PendingMark[] = [];

  constructor(private readonly graceMs: number) {}

  private stream(gateway: string, epoch: string): StreamState {
    const key = `${gateway}@${epoch}`;
    let s = this.streams.get(key);
    if (!s) {
      s = { upTo: undefined, above: new Intervals(), high: 0, reported: new Intervals() };
      this.streams.set(key, s);
    }
    return s;
  }

  /** A collector (this one or another of the group) stored these batches. */
  stored(gateway: string, epoch: string, ranges: readonly (readonly [number, number])[]): void {
    const s = this.stream(gateway, epoch);
    for (const [from, to] of ranges)
      s.above.add(Math.max(from, (s.upTo ?? 0) + 1), Math.min(to, s.high + AHEAD));
    this.compact(s);
  }

  progress(mark: Progress, now: number): void {
    const s = this.stream(mark.gateway, mark.epoch);
    s.high = Math.max(s.high, mark.seq);
    this.pending.push({ at: now, mark });
  }

  /**
   * This collector may have missed confirmations (its watching connection was away): what it knew
   * of each stream is no baseline for judging losses any more; the next mark starts afresh.
   */
  forgetBaselines(): void {
    for (const s of this.streams.values()) s.upTo = undefined;
  }

  /** Judges the marks whose grace has passed; returns the batches lost for good, each once. */
  check(now: number): LostBatches[] {
    const out: LostBatches[] = [];
    while (this.pending.length > 0 && (this.pending[0] as PendingMark).at + this.graceMs <= now) {
      const { mark } = this.pending.shift() as PendingMark;
      const before = this.current.get(mark.gateway);
      if (before && before.epoch !== mark.epoch) {
        // The spool was replaced: what the old one had sent and nobody stored will never come.
        const lost = this.settle(mark.gateway, before.epoch, before.seq);
        if (lost.length > 0)
          out.push({ gateway: mark.gateway, epoch: before.epoch, missing: lost, cause: 'spool replaced' });
        this.streams.delete(`${mark.gateway}@${before.epoch}`);
      }
      if (!before || before.epoch !== mark.epoch || mark.seq > before.seq)
        this.current.set(mark.gateway, { epoch: mark.epoch, seq: mark.seq });
      const s = this.stream(mark.gateway, mark.epoch);
      const dropped = this.droppedUnstored(s, mark.dropped ?? []);
      if (dropped.length > 0)
        out.push({
          gateway: mark.gateway,
          epoch: mark.epoch,
          missing: dropped,
          cause: 'dropped at the source',
        });
      // What the gateway is done with is accounted for: stored, or dropped and reported above.
      const confirmed = mark.confirmed ?? 0;
      if (confirmed > (s.upTo ?? 0)) s.upTo = confirmed;
      s.above.dropUpTo(confirmed);
      this.compact(s);
    }
    return out;
  }

  /**
   * Batches the gateway says its spool dropped before a confirmation reached it, less those a
   * collector is known to have stored (its confirmation was on the way) and those reported before.
   */
  private droppedUnstored(s: StreamState, ranges: readonly (readonly [number, number])[]): number[] {
    const out: number[] = [];
    for (const [from, to] of ranges) {
      // Within what the gateway announced: a forged range cannot make us walk millions.
      const first = Math.max(from, s.high - 1_000_000);
      const last = Math.min(to, s.high);
      for (let seq = first; seq <= last && out.length < MAX_LISTED; seq++) {
        if (s.reported.has(seq) || s.above.has(seq) || (s.upTo !== undefined && seq <= s.upTo)) continue;
        out.push(seq);
      }
      s.reported.add(first, last);
    }
    return out;
  }

  /** Seqs up to `upTo` of the stream nobody stored; the stream is accounted for up to there. */
  private settle(gateway: string, epoch: string, upTo: number): number[] {
    const s = this.stream(gateway, epoch);
    const from = (s.upTo ?? upTo) + 1;
    const missing = s.above.missing(from, upTo, MAX_LISTED);
    if (upTo > (s.upTo ?? 0)) s.upTo = upTo;
    s.above.dropUpTo(upTo);
    this.compact(s);
    return missing;
  }

  private compact(s: StreamState): void {
    if (s.upTo === undefined) return;
    const end = s.above.runFrom(s.upTo + 1);
    if (end === undefined) return;
    s.upTo = end;
    s.above.dropUpTo(end);
  }
}
