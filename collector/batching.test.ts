import { describe, expect, it } from 'vitest';
import type { StoredReading } from '../core/store/store.ts';
import { BatchingWriter } from './batching.ts';
import { retryDelayMs } from './main.ts';

const rows = (device: string, n: number): StoredReading[] =>
  Array.from({ length: n }, (_, i) => ({ site: 's', device, point: 'p', value: i, ts: i, quality: 'good' }));

describe('group commit in front of the store', () => {
  it('merges batches submitted while a write is in flight, and settles each with its own write', async () => {
    const writes: number[] = [];
    let release: () => void = () => {};
    const writer = new BatchingWriter(
      async (r) => {
        writes.push(r.length);
        if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      { concurrency: 1 },
    );
    const first = writer.submit(rows('a', 10));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    // The first write is in flight; these three wait and go out together.
    const rest = [writer.submit(rows('b', 5)), writer.submit(rows('c', 5)), writer.submit(rows('d', 5))];
    release();
    await Promise.all([first, ...rest]);
    expect(writes).toEqual([10, 15]);
  });

  it('fails every batch of a merged write that failed, so each caller retries its own', async () => {
    let calls = 0;
    const writer = new BatchingWriter(
      async () => {
        calls++;
        throw new Error('store down');
      },
      { concurrency: 1 },
    );
    const results = await Promise.allSettled([writer.submit(rows('a', 1)), writer.submit(rows('b', 1))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
  });

  it('never merges beyond the row limit', async () => {
    const writes: number[] = [];
    const writer = new BatchingWriter(async (r) => void writes.push(r.length), {
      maxRows: 10,
      concurrency: 1,
    });
    await Promise.all([
      writer.submit(rows('a', 6)),
      writer.submit(rows('b', 6)),
      writer.submit(rows('c', 3)),
    ]);
    expect(writes).toEqual([6, 9]);
  });
});

describe('store retry delay', () => {
  it('doubles from 0.5 s to at most 30 s with ±25 % jitter', () => {
    expect([1, 2, 3, 7, 20].map((n) => retryDelayMs(n, () => 0.5))).toEqual([
      500, 1000, 2000, 30_000, 30_000,
    ]);
    expect(retryDelayMs(1, () => 0)).toBe(375);
    expect(retryDelayMs(1, () => 1)).toBe(625);
  });
});
