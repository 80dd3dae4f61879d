import ModbusRTU from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { decodeRegisters } from '../core/codec/registers.ts';
import { createLogger } from '../core/log.ts';
import { type Sims, startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, type LoadedScenario, loadScenario } from '../device-sims/scenario/load.ts';
import { ANSWER_MS } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

/** The default scenario with its ports moved to free ones, and optional scheduled faults. */
async function scenarioOnFreePorts(
  faults: LoadedScenario['scenario']['faults'] = [],
): Promise<LoadedScenario> {
  const loaded = loadScenario(defaultScenarioFile);
  const ports = new Map<number, number>();
  for (const d of loaded.scenario.devices) {
    const port = d.modbus.port;
    if (port !== undefined && !ports.has(port)) ports.set(port, await freePort());
  }
  const devices = loaded.scenario.devices.map((d) => ({
    ...d,
    modbus: { ...d.modbus, port: ports.get(d.modbus.port ?? 0) },
  }));
  // No OPC UA server: these tests speak Modbus, and several run at once.
  return { ...loaded, scenario: { ...loaded.scenario, devices, faults, opcua: undefined } };
}

const HOUR = 3_600_000;
const night = Date.parse('2025-07-02T03:00:00+08:00');

describe('fault injection, observed through Modbus TCP', () => {
  let sims: Sims;
  let clock: ManualClock;
  let meterPort = 0;
  let waterPort = 0;

  beforeAll(async () => {
    clock = new ManualClock(night);
    const scenario = await scenarioOnFreePorts();
    meterPort = scenario.scenario.devices.find((d) => d.id === 'zonghe-main')?.modbus.port ?? 0;
    waterPort = scenario.scenario.devices.find((d) => d.id === 'zonghe-water')?.modbus.port ?? 0;
    sims = await startSims({ scenario, clock, log: createLogger({ level: 'warn' }) });
  });
  afterAll(async () => {
    await sims.stop();
  });

  async function client(port: number, unit: number, timeout = ANSWER_MS): Promise<ModbusRTU> {
    const c = new ModbusRTU();
    await c.connectTCP('127.0.0.1', { port });
    c.setID(unit);
    c.setTimeout(timeout);
    return c;
  }
  /** zonghe-main (SDM630, unit 1): import kWh and total power, float32 ABCD input registers. */
  async function mainMeter(timeout = ANSWER_MS): Promise<{ kwh: number; power: number }> {
    const c = await client(meterPort, 1, timeout);
    try {
      const energy = (await c.readInputRegisters(0x48, 2)).data;
      const power = (await c.readInputRegisters(0x34, 2)).data;
      return {
        kwh: decodeRegisters(energy, 'float32', 'ABCD') as number,
        power: decodeRegisters(power, 'float32', 'ABCD') as number,
      };
    } finally {
      c.close(() => {});
    }
  }
  /** zonghe-water (Xintai, unit 1): flow m³/h and total m³, float32 DCBA holding registers 0–5. */
  async function waterMeter(): Promise<{ total: number; flow: number }> {
    const c = await client(waterPort, 1);
    try {
      const words = (await c.readHoldingRegisters(0, 6)).data;
      return {
        total: decodeRegisters(words.slice(0, 2), 'float32', 'DCBA') as number,
        flow: decodeRegisters(words.slice(4, 6), 'float32', 'DCBA') as number,
      };
    } finally {
      c.close(() => {});
    }
  }

  it('offline: the device answers nothing, the master times out; cleared, it answers again', async () => {
    sims.faults.inject('zonghe-main', { kind: 'offline' });
    await expect(mainMeter(300)).rejects.toThrow(/Timed out/);
    sims.faults.clear('zonghe-main', 'offline');
    expect((await mainMeter()).kwh).toBeGreaterThan(1000);
  });

  it('slow replies: a master with a short timeout gives up, a patient one gets the value', async () => {
    sims.faults.inject('zonghe-main', { kind: 'slow', delay: 600 });
    await expect(mainMeter(150)).rejects.toThrow(/Timed out/);
    expect((await mainMeter(ANSWER_MS)).kwh).toBeGreaterThan(1000);
    sims.faults.clear('zonghe-main', 'slow');
  });

  it('exception codes reach the master as Modbus exceptions', async () => {
    // Not 4: modbus-serial answers 4 (device failure) for any error without a code of its own.
    sims.faults.inject('zonghe-main', { kind: 'exception', code: 2 });
    await expect(mainMeter()).rejects.toMatchObject({ modbusCode: 2 });
    sims.faults.clear('zonghe-main', 'exception');
  });

  it('stuck: values freeze while the building goes on; cleared, they move again', async () => {
    sims.faults.inject('zonghe-main', { kind: 'stuck' });
    const frozen = await mainMeter();
    clock.advance(HOUR);
    expect(await mainMeter()).toEqual(frozen);
    sims.faults.clear('zonghe-main', 'stuck');
    expect((await mainMeter()).kwh).toBeGreaterThan(frozen.kwh);
  });

  it('counter reset: the register restarts near 0 and counts on', async () => {
    const before = await mainMeter();
    sims.faults.inject('zonghe-main', { kind: 'counter_reset' });
    const after = await mainMeter();
    expect(before.kwh).toBeGreaterThan(1000);
    expect(after.kwh).toBe(0);
    clock.advance(HOUR);
    const later = await mainMeter();
    expect(later.kwh).toBeGreaterThan(10); // a night hour of the main building: tens of kWh
    expect(later.kwh).toBeLessThan(500);
  });

  it('meter replacement: a new meter starting from its own initial reading', async () => {
    sims.faults.inject('zonghe-main', { kind: 'meter_replacement', initial: 12.5 });
    expect((await mainMeter()).kwh).toBe(12.5);
  });

  it('counter rollover: the register wraps at its maximum', async () => {
    const start = (await mainMeter()).kwh; // 12.5 after the replacement
    sims.faults.inject('zonghe-main', { kind: 'counter_rollover', at: start + 5 });
    clock.advance(HOUR); // tens of kWh more: past the wrap
    const wrapped = (await mainMeter()).kwh;
    expect(wrapped).toBeLessThan(start + 5);
    sims.faults.clear('zonghe-main', 'counter_rollover');
  });

  it('a water leak shows as continuous night flow on the water meter', async () => {
    const dry = await waterMeter();
    sims.faults.leak('zonghe-lou', 0.8);
    clock.advance(HOUR);
    const leaking = await waterMeter();
    expect(leaking.flow - dry.flow).toBeCloseTo(0.8, 4);
    expect(leaking.total - dry.total).toBeGreaterThan(0.8);
    sims.faults.leak('zonghe-lou', 0);
  });
});

describe('faults scheduled in the scenario', () => {
  it('begin at their simulated time and end at `until`', async () => {
    const clock = new ManualClock(night);
    const scenario = await scenarioOnFreePorts([
      {
        at: '2025-07-02T04:00:00+08:00',
        until: '2025-07-02T05:00:00+08:00',
        device: 'zonghe-main',
        fault: { kind: 'exception', code: 6 },
      },
    ]);
    const port = scenario.scenario.devices.find((d) => d.id === 'zonghe-main')?.modbus.port ?? 0;
    const sims = await startSims({ scenario, clock, log: createLogger({ level: 'warn' }) });
    const c = new ModbusRTU();
    try {
      await c.connectTCP('127.0.0.1', { port });
      c.setID(1);
      c.setTimeout(ANSWER_MS);
      await expect(c.readInputRegisters(0x48, 2)).resolves.toBeTruthy();
      clock.set(Date.parse('2025-07-02T04:30:00+08:00'));
      await expect(c.readInputRegisters(0x48, 2)).rejects.toMatchObject({ modbusCode: 6 });
      clock.set(Date.parse('2025-07-02T05:00:10+08:00'));
      await expect(c.readInputRegisters(0x48, 2)).resolves.toBeTruthy();
    } finally {
      c.close(() => {});
      await sims.stop();
    }
  });
});
