import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    globalSetup: ['test/servers/globalSetup.ts'],
    reporters: ['default', './test/summaryReporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real servers and processes; two cores do not gain from more workers.
    maxWorkers: 2,
  },
});
