import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ModbusRTU from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { decodeRegisters } from '../core/codec/registers.ts';
import { createLogger } from '../core/log.ts';
import { type Sims, startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import type { ServedValue } from '../device-sims/servers/registerImage.ts';
import { ANSWER_MS } from './helpers/wait.ts';
import { requireBinary } from './servers/process.ts';

const run = promisify(execFile);
const BAUD = 9600;
/** Three devices of the default scenario moved onto one RS-485 bus, units 3, 5 and 7. */
const onBus: Record<string, number> = { 'zonghe-hvac': 3, 'zonghe-lights': 5, 'zonghe-water': 7 };

describe('Modbus RTU over a socat serial pair (RS-485 bus)', () => {
  let sims: Sims;
  let bus = '';
  const served: ServedValue[] = [];

  beforeAll(async () => {
    requireBinary('socat', 'socat');
    const loaded = loadScenario(defaultScenarioFile);
    const devices = loaded.scenario.devices
      .filter((d) => d.id in onBus)
      .map((d) => ({ ...d, modbus: { bus: 'bus-a', unit_id: onBus[d.id] ?? 0 } }));
    const scenario = {
      ...loaded,
      scenario: {
        ...loaded.scenario,
        devices,
        // No OPC UA here: the default scenario's fixed port 48400 may be taken by another test's run.
        opcua: undefined,
        buses: [{ id: 'bus-a', baud: BAUD, parity: 'none' as const, stop_bits: 1 as const }],
      },
    };
    const serialDir = mkdtempSync(join(tmpdir(), 'jn-rtu-'));
    sims = await startSims({
      scenario,
      clock: new ManualClock(Date.parse('2025-07-02T10:00:00+08:00')),
      log: createLogger({ level: 'warn' }),
      serialDir,
    });
    sims.on('served', (v) => served.push(...v));
    bus = join(serialDir, 'bus-a');
  });
  afterAll(async () => {
    await sims?.stop();
  });

  async function rtuClient(unit: number, timeout = ANSWER_MS): Promise<ModbusRTU> {
    const c = new ModbusRTU();
    await c.connectRTUBuffered(bus, { baudRate: BAUD, parity: 'none', stopBits: 1, dataBits: 8 });
    c.setID(unit);
    c.setTimeout(timeout);
    return c;
  }
  async function withClient<T>(
    unit: number,
    fn: (c: ModbusRTU) => Promise<T>,
    timeout = ANSWER_MS,
  ): Promise<T> {
    const c = await rtuClient(unit, timeout);
    try {
      return await fn(c);
    } finally {
      await new Promise<void>((r) => c.close(() => r()));
    }
  }

  it('mbpoll (libmodbus) reads the DTSU666 counter and the relay states the simulator serves', async () => {
    const mbpoll = requireBinary('mbpoll', 'mbpoll');
    const common = ['-m', 'rtu', '-b', String(BAUD), '-P', 'none', '-0', '-1', '-o', '10'];
    served.length = 0;
    const energy = (
      await run(mbpoll, [...common, '-a', '3', '-t', '4:float', '-B', '-r', String(0x401e), '-c', '1', bus])
    ).stdout;
    const kwh = served.find((v) => v.device === 'zonghe-hvac' && v.point === 'import_energy')?.value;
    expect(energy).toContain(`[${0x401e}]: \t${Number(kwh?.toPrecision(6))}`);
    const relays = (await run(mbpoll, [...common, '-a', '5', '-t', '0', '-r', '0', '-c', '2', bus])).stdout;
    const zones = sims.simulation.building('zonghe-lou')?.zones ?? [];
    expect(relays).toContain(`[0]: \t${zones[0]?.lighting.on ? 1 : 0}`);
    expect(relays).toContain(`[1]: \t${zones[1]?.lighting.on ? 1 : 0}`);
  });

  it('answers several unit ids on one bus and stays silent for an address nobody has', async () => {
    const flow = await withClient(7, async (c) =>
      decodeRegisters((await c.readHoldingRegisters(4, 2)).data, 'float32', 'DCBA'),
    );
    expect(flow).toBeGreaterThan(0);
    const power = await withClient(3, async (c) =>
      decodeRegisters((await c.readHoldingRegisters(0x2012, 2)).data, 'float32', 'ABCD'),
    );
    expect(power).toBeGreaterThan(0);
    await expect(withClient(9, (c) => c.readHoldingRegisters(0, 2), 300)).rejects.toThrow(/Timed out/);
  });

  it('takes at least the wire time of request and reply at the baud rate', async () => {
    // FC03, 60 registers: 8-byte request, 125-byte reply, 3.5 characters of gap, 10 bits each at 9600 bit/s.
    const wireMs = ((8 + 125 + 3.5) * 10 * 1000) / BAUD;
    const elapsed = await withClient(3, async (c) => {
      const t0 = performance.now();
      await c.readHoldingRegisters(0x2000, 60);
      return performance.now() - t0;
    });
    expect(elapsed).toBeGreaterThanOrEqual(wireMs);
  });

  it('a CRC fault and line noise reach the master as errors; cleared, the device answers', async () => {
    sims.faults.inject('zonghe-hvac', { kind: 'crc_error' });
    await expect(withClient(3, (c) => c.readHoldingRegisters(0x401e, 2), ANSWER_MS)).rejects.toThrow(/CRC/);
    sims.faults.clear('zonghe-hvac');
    sims.faults.inject('zonghe-hvac', { kind: 'garbage' });
    await expect(withClient(3, (c) => c.readHoldingRegisters(0x401e, 2), 500)).rejects.toThrow();
    sims.faults.clear('zonghe-hvac');
    await expect(withClient(3, (c) => c.readHoldingRegisters(0x401e, 2))).resolves.toBeTruthy();
  });

  it('switches a lighting circuit off with a coil write (FC05) and reads it back', async () => {
    const zone = sims.simulation.building('zonghe-lou')?.zone('f4-8');
    expect(zone?.lighting.on).toBe(true); // 10:00 on a working day
    await withClient(5, (c) => c.writeCoil(1, false));
    expect(zone?.lighting.on).toBe(false);
    const back = await withClient(5, async (c) => (await c.readCoils(0, 2)).data.slice(0, 2));
    expect(back).toEqual([true, false]);
  });
});
