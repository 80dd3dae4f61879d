import { describe, expect, it } from 'vitest';
import { waitFor } from './wait.ts';

describe('waitFor', () => {
  it('returns once the condition holds', async () => {
    let n = 0;
    await waitFor('n to reach 3', () => ++n >= 3);
    expect(n).toBe(3);
  });

  it('says what it waited for and what it saw when the bound passes', async () => {
    await expect(
      waitFor('the count to reach 10', () => false, { timeoutMs: 120, seen: () => ({ count: 7 }) }),
    ).rejects.toThrow('timed out after 120 ms waiting for the count to reach 10; last seen: {"count":7}');
  });

  // At once: the default bound (90 s) is longer than this test may run.
  it('fails at once when the check throws', async () => {
    await expect(
      waitFor('a server', () => {
        throw new Error('server exited with code 1');
      }),
    ).rejects.toThrow('server exited with code 1');
  });
});
