/**
 * The one source of time for sims and platform. Inject it; never call Date.now() in a service,
 * so that tests and the simulator can run accelerated or fixed time.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Accelerated time: starts at `start` (epoch ms) and runs `speed` simulated seconds per real
 * second (speed 86 400 is a simulated day per real second). `realNow` is injectable for tests.
 */
export function acceleratedClock(options: { start: number; speed: number; realNow?: () => number }): Clock {
  const realNow = options.realNow ?? Date.now;
  const realStart = realNow();
  return { now: () => options.start + (realNow() - realStart) * options.speed };
}

/** A clock that moves only when told to: for tests and for running a simulation as fast as it computes. */
export class ManualClock implements Clock {
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
