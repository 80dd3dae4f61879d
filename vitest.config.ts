import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    globalSetup: ['test/servers/globalSetup.ts'],
    reporters: ['default', './test/summaryReporter.ts'],
    // Longer than a wait's default bound (test/helpers/wait.ts, 90 s), so a wait that fails says
    // what it waited for and what it saw instead of a bare "test timed out".
    testTimeout: 240_000,
    hookTimeout: 240_000,
    // expect.poll waits for what a page or a server shows (1 s by default): a bound that holds on a
    // busy 2-core machine, like test/helpers/wait.ts; a passing poll returns as soon as it holds.
    expect: { poll: { timeout: 60_000, interval: 100 } },
    // Integration tests start real servers and processes; two cores do not gain from more workers.
    maxWorkers: 2,
  },
});
