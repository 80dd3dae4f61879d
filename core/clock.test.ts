import { describe, expect, it } from 'vitest';
import { acceleratedClock, ManualClock } from './clock.ts';

describe('clocks', () => {
  it('runs accelerated time from its start at its speed', () => {
    let real = 1_000;
    const start = Date.parse('2025-07-01T00:00:00+08:00');
    const clock = acceleratedClock({ start, speed: 86_400, realNow: () => real });
    expect(clock.now()).toBe(start);
    real += 1_000; // one real second is one simulated day
    expect(clock.now() - start).toBe(86_400_000);
  });

  it('moves a manual clock only when told', () => {
    const clock = new ManualClock(0);
    clock.advance(60_000);
    expect(clock.now()).toBe(60_000);
    clock.set(5);
    expect(clock.now()).toBe(5);
  });
});
