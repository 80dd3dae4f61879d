import { describe, expect, it } from 'vitest';
import { retryDelay } from './retry.ts';

describe('retryDelay', () => {
  it('doubles from the poll interval up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((n) => retryDelay(1000, n, 10_000));
    expect(delays).toEqual([2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('never waits less than the poll interval, even with a smaller cap', () => {
    expect(retryDelay(60_000, 1, 10_000)).toBe(60_000);
    expect(retryDelay(60_000, 9, 10_000)).toBe(60_000);
  });

  it('stays at the cap after thousands of failures (no overflow)', () => {
    expect(retryDelay(500, 5000, 15_000)).toBe(15_000);
  });
});
