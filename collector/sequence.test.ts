import { describe, expect, it } from 'vitest';
import { GapWatch, SequenceTracker } from './sequence.ts';

describe('sequence gaps', () => {
  it('does not report batches that arrive out of order within the grace period', () => {
    const seq = new SequenceTracker();
    const gaps = new GapWatch(10_000);
    const seen: string[] = [];
    for (const [n, at] of [
      [61, 0],
      [63, 1],
      [62, 2],
      [64, 3],
    ] as const) {
      const v = seq.check('gw', n);
      gaps.arrived('gw', n);
      seen.push(v.kind);
      if (v.kind === 'gap') expect(gaps.add('gw', v.expected, n, at)).toBeUndefined();
    }
    expect(seen).toEqual(['first', 'gap', 'next', 'next']);
    expect(gaps.expired(60_000)).toEqual([]);
  });

  it('reports what is still missing once the grace period has passed, once', () => {
    const gaps = new GapWatch(10_000);
    gaps.add('gw', 2, 6, 0); // 2, 3, 4, 5 missing
    gaps.arrived('gw', 3);
    gaps.arrived('other-gw', 4);
    expect(gaps.expired(9_999)).toEqual([]);
    const [gap] = gaps.expired(10_000);
    expect([...(gap?.missing ?? [])]).toEqual([2, 4, 5]);
    expect(gaps.expired(20_000)).toEqual([]);
  });

  it('reports a jump too long to track at once', () => {
    const gaps = new GapWatch(10_000, 1000);
    expect(gaps.add('gw', 5, 100_000, 0)).toMatchObject({ expected: 5, got: 100_000 });
    expect(gaps.expired(Number.POSITIVE_INFINITY)).toEqual([]);
  });
});

describe('duplicates by content, not by sequence number alone', () => {
  it('drops a redelivery (same seq, same content) and stores a reused seq with other content', () => {
    const seq = new SequenceTracker();
    expect(seq.check('gw@a', 5, 'real').kind).toBe('first');
    expect(seq.check('gw@a', 5, 'real').kind).toBe('duplicate');
    expect(seq.check('gw@a', 6, 'forged').kind).toBe('next');
    // the real batch 6 arrives after a forged one took its number: it is not a duplicate
    expect(seq.check('gw@a', 6, 'real-6').kind).toBe('conflict');
  });

  it('keeps the epochs of one gateway apart: a new spool numbering from 1 again is not a duplicate', () => {
    const seq = new SequenceTracker();
    seq.check('gw@old', 1, 'x');
    seq.check('gw@old', 2, 'y');
    expect(seq.check('gw@new', 1, 'z').kind).toBe('first');
    expect(seq.check('gw@new', 2, 'w').kind).toBe('next');
  });
});
