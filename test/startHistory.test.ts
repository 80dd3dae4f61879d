import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

describe('jieneng start --history (the simulated past of the demo)', () => {
  it('refuses it for a site without the simulator, and a date it cannot read, saying what is allowed', async () => {
    const own = await runCli(['start', '--config', 'examples/demo-site.yaml', '--history', '2020-01-01']);
    expect(own.code).toBe(2);
    expect(own.err).toMatch(/--history writes the simulated building's past: it needs the simulator/);
    const bad = await runCli(['start', '--history', '2020-13-45']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--history "2020-13-45": allowed: a date YYYY-MM-DD from 2000-01-01 on, or none/);
  });

  it("refuses to run a site of its own on a data dir that holds the demo's made-up history", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-simulated-'));
    writeFileSync(
      join(dir, 'SIMULATED-HISTORY.json'),
      JSON.stringify({ from: '2020-01-01', to: '2026-12-02', written: 1 }),
    );
    const run = await runCli([
      'start',
      '--config',
      'examples/demo-site.yaml',
      '--data-dir',
      dir,
      '--port',
      '0',
      '--broker-port',
      '0',
    ]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(
      /holds the demo's simulated history \(2020-01-01 … 2026-12-02\).*give another --data-dir/,
    );
  });
});
