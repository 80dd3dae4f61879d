/**
 * How long a test waits for a condition unless it says otherwise. Generous on purpose: the tests
 * run two at a time on a shared 2-core machine next to real servers, where something that takes
 * 2 s alone took over 20 s (issue 13: test/outage.test.ts). A bound only decides how long a
 * failing test takes to say so; a passing one returns as soon as its condition holds.
 */
export const WAIT_MS = 90_000;

/**
 * Request timeout of a Modbus master that should get its answer (the simulator answers in ~1 ms):
 * long enough for a loaded machine. Tests of a master that must give up keep their short ones.
 */
export const ANSWER_MS = 10_000;

export interface WaitOptions {
  /** Bound in ms (default WAIT_MS). */
  timeoutMs?: number;
  /** What was observed instead, for the failure message (e.g. a count so far). */
  seen?: () => unknown;
}

/**
 * Polls `check` every 50 ms until it returns true. Fails with `what` and, when `seen` is given, what
 * was last observed; an error thrown by `check` (a server that exited) fails at once.
 */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  options: number | WaitOptions = {},
): Promise<void> {
  const { timeoutMs = WAIT_MS, seen } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const observed = seen ? `; last seen: ${describe(await seen())}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${observed}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
