/**
 * The one source of time for sims and platform. Inject it; never call Date.now() in a service,
 * so that tests and the simulator can run accelerated or fixed time.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
