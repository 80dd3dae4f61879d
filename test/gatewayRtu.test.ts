import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { modbusRtuConnectionSchema } from '../core/config/siteSchema.ts';
import { createLogger } from '../core/log.ts';
import type { Reading } from '../core/telemetry.ts';
import { startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import type { ServedValue } from '../device-sims/servers/registerImage.ts';
import { ConnectionPoller } from '../gateway/protocols/modbus/poller.ts';
import { waitFor } from './helpers/wait.ts';
import { requireBinary } from './servers/process.ts';

describe('gateway on an RS-485 bus (Modbus RTU over a socat pair)', () => {
  it('polls several unit ids on one bus and publishes exactly what the devices served', async () => {
    requireBinary('socat', 'socat');
    const loaded = loadScenario(defaultScenarioFile);
    const ids = ['zonghe-main', 'zonghe-hvac', 'zonghe-water', 'zonghe-lights'];
    const devices = loaded.scenario.devices
      .filter((d) => ids.includes(d.id))
      .map((d, i) => ({ ...d, modbus: { bus: 'bus-a', unit_id: i + 1 } }));
    const scenario = {
      ...loaded,
      scenario: {
        ...loaded.scenario,
        devices,
        opcua: undefined,
        buses: [{ id: 'bus-a', baud: 19200, parity: 'even' as const, stop_bits: 1 as const }],
      },
    };
    const serialDir = mkdtempSync(join(tmpdir(), 'jn-gw-rtu-'));
    const log = createLogger({ level: 'warn' });
    const sims = await startSims({
      scenario,
      clock: new ManualClock(Date.parse('2025-07-02T10:00:00+08:00')),
      log,
      serialDir,
    });
    const served: ServedValue[] = [];
    sims.on('served', (v) => served.push(...v));
    const connection = modbusRtuConnectionSchema.parse({
      id: 'bus-a',
      protocol: 'modbus_rtu',
      path: join(serialDir, 'bus-a'),
      baud: 19200,
      parity: 'even',
      timeout: '10s', // a loaded machine, not a slow device
      devices: devices.map((d) => ({
        id: d.id,
        profile: d.profile,
        unit_id: d.modbus.unit_id,
        poll_interval: '1min',
      })),
    });
    const readings: Reading[] = [];
    const poller = new ConnectionPoller({
      connection,
      profiles: loaded.profiles,
      clock: new ManualClock(0),
      log,
      emit: (r) => readings.push(...r),
    });
    poller.start();
    try {
      await waitFor('one cycle over the bus', () => readings.length > 0);
    } finally {
      await poller.stop();
      await sims.stop();
    }
    expect(readings.filter((r) => r.quality !== 'good')).toEqual([]);
    expect(new Set(readings.map((r) => r.device))).toEqual(new Set(ids));
    const key = (r: { device: string; point: string; value: number | null }) =>
      `${r.device}/${r.point}=${r.value}`;
    expect(readings.map(key).sort()).toEqual(served.map(key).sort());
  });
});
