/**
 * How long to wait before the next attempt at a device that did not answer `failures` cycles in a
 * row (1, 2, …): poll_interval × 2ⁿ, capped at the larger of `maxRetryInterval` and the poll
 * interval, all in ms. Doubling keeps a brief glitch cheap to recover from; the cap bounds how long
 * a recovered device stays dark (issue 13 §4: with a 5 min cap a meter down 2 min stayed dark
 * 121.7 s after it came back) and how often a dead one costs its neighbours a timeout — on one
 * RS-485 bus a 1 s timeout every 10 s is a tenth of the bus.
 */
export function retryDelay(pollInterval: number, failures: number, maxRetryInterval: number): number {
  const cap = Math.max(pollInterval, maxRetryInterval);
  // 2 ** 60 and beyond would only overflow toward Infinity; the cap is reached long before.
  return Math.min(cap, pollInterval * 2 ** Math.min(failures, 40));
}
