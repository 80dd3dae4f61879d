import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { freePort } from './servers/process.ts';

const HOUR = 3_600_000;

describe('simulated meters across a restart of the simulator', () => {
  it('count on from where they stopped, including what the building used while the simulator was down', async () => {
    const loaded = loadScenario(defaultScenarioFile);
    const port = await freePort();
    const devices = loaded.scenario.devices
      .filter((d) => d.id === 'zonghe-main')
      .map((d) => ({ ...d, modbus: { ...d.modbus, port } }));
    const scenario = { ...loaded, scenario: { ...loaded.scenario, devices, opcua: undefined } };
    const statePath = join(mkdtempSync(join(tmpdir(), 'jn-state-')), 'sims-state.json');
    const clock = new ManualClock(Date.parse('2025-07-02T09:00:00+08:00'));
    const log = createLogger({ level: 'warn' });
    const kwh = (s: Awaited<ReturnType<typeof startSims>>) =>
      s.devices.get('zonghe-main')?.read().import_energy ?? Number.NaN;

    const first = await startSims({ scenario, clock, log, statePath });
    clock.advance(HOUR);
    const beforeStop = kwh(first);
    await first.stop();

    clock.advance(2 * HOUR); // down from 10:00 to 12:00 on a working day
    const second = await startSims({ scenario, clock, log, statePath });
    const afterRestart = kwh(second);
    await second.stop();

    const fresh = await startSims({ scenario, clock, log }); // no state: starts from the seed again
    const seeded = kwh(fresh);
    await fresh.stop();

    expect(afterRestart).toBeGreaterThan(beforeStop + 100); // two office hours of an 18,600 m² building
    expect(seeded).toBeLessThan(beforeStop); // what would have looked like a counter reset
  });
});
