import { createServer } from 'node:net';
import ModbusRTU from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import type { FaultControl } from './faultControl.ts';
import { type Sims, startSims } from './main.ts';
import { defaultScenarioFile, loadScenario } from './scenario/load.ts';
import { scheduledFaultSchema } from './scenario/schema.ts';

/** How long a Modbus answer may take on loopback. */
const ANSWER_MS = 2000;

/** A TCP port free on 127.0.0.1 now (device-sims imports no test helpers: it is a service). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Faults of the write path, observed through Modbus TCP as a gateway sees them: a dimmer that
 * acknowledges a write and keeps its level (ignore_writes), one that refuses writes with an
 * exception while its reads still answer (refuse_writes), and both cleared.
 */
describe('write faults: ignore_writes and refuse_writes', () => {
  let sims: Sims;
  let port = 0;
  const clock = new ManualClock(Date.parse('2025-07-02T10:00:00+08:00'));

  beforeAll(async () => {
    const loaded = loadScenario(defaultScenarioFile);
    port = await freePort();
    const devices = loaded.scenario.devices
      .filter((d) => d.modbus.port === 15022)
      .map((d) => ({ ...d, modbus: { ...d.modbus, port } }));
    sims = await startSims({
      scenario: { ...loaded, scenario: { ...loaded.scenario, devices, opcua: undefined } },
      clock,
      log: createLogger({ level: 'warn' }),
    });
  });
  afterAll(async () => {
    await sims.stop();
  });

  async function dimmer<T>(fn: (c: ModbusRTU) => Promise<T>): Promise<T> {
    const c = new ModbusRTU();
    await c.connectTCP('127.0.0.1', { port });
    c.setID(4); // zonghe-dimmer: CH1 → zone f1-3, Percent×10 at holding register 440
    c.setTimeout(ANSWER_MS);
    try {
      return await fn(c);
    } finally {
      c.close(() => {});
    }
  }
  const percent = () => dimmer(async (c) => (await c.readHoldingRegisters(440, 1)).data[0]);
  const level = () => sims.simulation.building('zonghe-lou')?.zone('f1-3')?.lighting.level;

  it('ignore_writes: the write is acknowledged, the register and the building keep their value until cleared', async () => {
    await dimmer((c) => c.writeRegister(440, 800));
    expect(await percent()).toBe(800);
    sims.faults.inject('zonghe-dimmer', { kind: 'ignore_writes' });
    expect(sims.faults.active()).toEqual({ 'zonghe-dimmer': ['ignore_writes'] });
    const writesBefore = sims.status().detail?.modbus_writes;
    // FC06 answers as from a healthy device (the echo), and nothing changes.
    await expect(dimmer((c) => c.writeRegister(440, 300))).resolves.toMatchObject({
      address: 440,
      value: 300,
    });
    expect(await percent()).toBe(800);
    expect(level()).toBe(80);
    expect(sims.status().detail?.modbus_writes).toBe(writesBefore);
    sims.faults.clear('zonghe-dimmer', 'ignore_writes');
    expect(sims.faults.active()).toEqual({});
    await dimmer((c) => c.writeRegister(440, 300));
    expect(await percent()).toBe(300);
    expect(level()).toBe(30);
  });

  it('refuse_writes: writes get the exception (device failure by default), reads still answer; cleared, writes are taken', async () => {
    const fault = scheduledFaultSchema.parse({
      at: '2025-07-02T10:00:00+08:00',
      device: 'zonghe-dimmer',
      fault: { kind: 'refuse_writes' },
    }).fault;
    expect(fault).toEqual({ kind: 'refuse_writes', code: 4 });
    if (!fault) throw new Error('no fault');
    sims.faults.inject('zonghe-dimmer', fault);
    await expect(dimmer((c) => c.writeRegister(440, 500))).rejects.toMatchObject({ modbusCode: 4 });
    expect(await percent()).toBe(300); // reads answer: the device is online, only its writes fail
    sims.faults.inject('zonghe-dimmer', { kind: 'refuse_writes', code: 6 });
    await expect(dimmer((c) => c.writeRegister(440, 500))).rejects.toMatchObject({ modbusCode: 6 });
    sims.faults.clear('zonghe-dimmer');
    await dimmer((c) => c.writeRegister(440, 500));
    expect(await percent()).toBe(500);
  });
});

describe('faults of OPC UA zone units', () => {
  const log = createLogger({ level: 'warn' });
  const loaded = loadScenario(defaultScenarioFile);

  it('take ignore_writes and refuse_writes by building.zone, and name what they do not take', async () => {
    const sims = await startSims({
      scenario: { ...loaded, scenario: { ...loaded.scenario, devices: [], opcua: undefined } },
      clock: new ManualClock(Date.parse('2025-07-02T10:00:00+08:00')),
      log,
    });
    try {
      const faults: FaultControl = sims.faults;
      // Without an OPC UA server there are no units to hit.
      expect(() => faults.inject('zonghe-lou.f1-3', { kind: 'ignore_writes' })).toThrow(
        /no simulated device "zonghe-lou.f1-3"/,
      );
      faults.opcuaUnits = ['zonghe-lou.f1-3'];
      faults.inject('zonghe-lou.f1-3', { kind: 'ignore_writes' });
      expect(faults.unitFaults('zonghe-lou.f1-3')?.ignoreWrites).toBe(true);
      expect(faults.active()).toEqual({ 'zonghe-lou.f1-3': ['ignore_writes'] });
      expect(() => faults.inject('zonghe-lou.f1-3', { kind: 'offline' })).toThrow(
        'OPC UA unit "zonghe-lou.f1-3" takes the faults ignore_writes, refuse_writes, not offline (a server restart is opcua_restart)',
      );
      faults.clear('zonghe-lou.f1-3');
      expect(faults.active()).toEqual({});
    } finally {
      await sims.stop();
    }
  });

  it('a scenario schedules them by building.zone', () => {
    const parsed = scheduledFaultSchema.safeParse({
      at: '2025-07-02T10:00:00+08:00',
      device: 'zonghe-lou.f1-3',
      fault: { kind: 'ignore_writes' },
    });
    expect(parsed.success).toBe(true);
  });
});
