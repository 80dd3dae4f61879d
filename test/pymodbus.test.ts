import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.ts';
import { modbusTcpConnectionSchema } from '../core/config/siteSchema.ts';
import { createLogger } from '../core/log.ts';
import { loadProfile } from '../core/profiles/loadProfile.ts';
import type { DeviceProfile } from '../core/profiles/profileSchema.ts';
import type { Reading } from '../core/telemetry.ts';
import { ConnectionPoller } from '../gateway/protocols/modbus/poller.ts';
import { waitFor } from './helpers/wait.ts';
import { canConnect, freePort, stopProcess } from './servers/process.ts';

const script = fileURLToPath(new URL('./fixtures/pymodbus_server.py', import.meta.url));

/** Debian's pymodbus imports only under /usr/bin/python3 (see shared/DESIGN.md §9). */
const PYTHON = '/usr/bin/python3';

describe('gateway against a Modbus TCP server we did not write (python3-pymodbus)', () => {
  let server: ChildProcess;
  let port = 0;
  let served: Record<string, Record<string, number>> = {};

  beforeAll(async () => {
    port = await freePort();
    server = spawn(PYTHON, [script, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    server.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    server.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    await waitFor(
      'pymodbus to start',
      () => {
        if (server.exitCode !== null)
          throw new Error(
            `pymodbus server exited: ${err} (install the Debian packages python3-pymodbus python3-serial python3-serial-asyncio, or run scripts/setup)`,
          );
        // The JSON line is printed just before the socket opens.
        return out.includes('\n') && canConnect(port);
      },
      { seen: () => ({ stdout: out, stderr: err }) },
    );
    served = JSON.parse(out.split('\n')[0] ?? '{}');
  });
  afterAll(async () => {
    await stopProcess(server);
  });

  it('decodes SDM630, DTSU666 and Xintai registers exactly as the server holds them', async () => {
    const refs = {
      sdm630: 'modbus/eastron/sdm630',
      dtsu666: 'modbus/chint/dtsu666',
      water: 'modbus/xintai/water-meter',
    };
    const profiles = new Map<string, DeviceProfile>();
    for (const ref of Object.values(refs)) {
      const r = loadProfile(ref);
      if (!r.ok) throw new Error(`profile ${ref}`);
      profiles.set(ref, r.profile);
    }
    const connection = modbusTcpConnectionSchema.parse({
      id: 'pymodbus',
      protocol: 'modbus_tcp',
      host: '127.0.0.1',
      port,
      timeout: '10s', // a loaded machine, not a slow device
      devices: [
        { id: 'sdm630', profile: refs.sdm630, unit_id: 1, poll_interval: '1min' },
        { id: 'dtsu666', profile: refs.dtsu666, unit_id: 2, poll_interval: '1min' },
        { id: 'water', profile: refs.water, unit_id: 3, poll_interval: '1min' },
      ],
    });
    const readings: Reading[] = [];
    const poller = new ConnectionPoller({
      connection,
      profiles,
      clock: systemClock,
      log: createLogger({ level: 'warn' }),
      emit: (r) => readings.push(...r),
    });
    poller.start();
    try {
      const points = Object.entries(served).flatMap(([device, values]) =>
        Object.keys(values).map((p) => `${device}.${p}`),
      );
      const read = () => new Set(readings.map((r) => `${r.device}.${r.point}`));
      await waitFor('a reading of every point the server holds', () => points.every((p) => read().has(p)), {
        seen: () => `read ${[...read()].join(', ')} of ${points.join(', ')}`,
      });
    } finally {
      await poller.stop();
    }
    expect(readings.filter((r) => r.quality !== 'good')).toEqual([]);
    for (const [device, values] of Object.entries(served)) {
      for (const [point, value] of Object.entries(values)) {
        expect(
          readings.find((r) => r.device === device && r.point === point)?.value,
          `${device}.${point}`,
        ).toBe(value);
      }
    }
  });
});
