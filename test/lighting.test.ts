import ModbusRTU from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { decodeRegisters } from '../core/codec/registers.ts';
import { createLogger } from '../core/log.ts';
import { type Sims, startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { ANSWER_MS } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

/** Lighting controllers change the building, and the meters see it — all through Modbus TCP. */
describe('lighting relay and dimmer modules respond to control', () => {
  let sims: Sims;
  let port = 0;
  let meterPort = 0;
  const clock = new ManualClock(Date.parse('2025-07-02T10:00:00+08:00'));

  beforeAll(async () => {
    const loaded = loadScenario(defaultScenarioFile);
    [port, meterPort] = [await freePort(), await freePort()];
    const devices = loaded.scenario.devices.map((d) => ({
      ...d,
      modbus: { ...d.modbus, port: d.modbus.port === 15022 ? port : meterPort },
    }));
    sims = await startSims({
      scenario: { ...loaded, scenario: { ...loaded.scenario, devices, opcua: undefined } },
      clock,
      log: createLogger({ level: 'warn' }),
    });
  });
  afterAll(async () => {
    await sims.stop();
  });

  async function onUnit<T>(p: number, unit: number, fn: (c: ModbusRTU) => Promise<T>): Promise<T> {
    const c = new ModbusRTU();
    await c.connectTCP('127.0.0.1', { port: p });
    c.setID(unit);
    c.setTimeout(ANSWER_MS);
    try {
      return await fn(c);
    } finally {
      c.close(() => {});
    }
  }
  /** The main building's 照明插座 sub-meter (DTSU666, unit 2): Pt in 0.1 W. */
  const lightingSocketPower = () =>
    onUnit(
      meterPort,
      2,
      async (c) =>
        (decodeRegisters((await c.readHoldingRegisters(0x2012, 2)).data, 'float32', 'ABCD') as number) * 0.1,
    );

  it('a relay switched off (FC05) takes its circuit off the 照明插座 meter', async () => {
    const before = await lightingSocketPower();
    await onUnit(port, 1, (c) => c.writeCoil(1, false)); // zonghe-lights relay 2 → zone f4-8
    clock.advance(60_000);
    const after = await lightingSocketPower();
    // 11,400 m² at 8 W/m² of lighting goes dark.
    expect(before - after).toBeCloseTo(11_400 * 8, -2);
    expect(await onUnit(port, 1, async (c) => (await c.readCoils(0, 2)).data.slice(0, 2))).toEqual([
      true,
      false,
    ]);
  });

  it('a dimmer set to 30.0 % (FC06, Percent×10) dims its zone and reports level and state', async () => {
    await onUnit(port, 4, (c) => c.writeRegister(440, 300)); // zonghe-dimmer CH1 → zone f1-3
    clock.advance(60_000);
    const regs = await onUnit(port, 4, async (c) => ({
      percent: (await c.readHoldingRegisters(440, 1)).data[0],
      level: (await c.readHoldingRegisters(400, 1)).data[0],
      on: (await c.readDiscreteInputs(50, 1)).data[0],
    }));
    expect(regs).toEqual({ percent: 300, level: 77, on: true });
    // Those reads brought the simulation up to the clock.
    const zone = sims.simulation.building('zonghe-lou')?.zone('f1-3');
    expect(zone?.lighting.level).toBe(30);
    expect(zone?.last.lightingPower).toBeCloseTo(7_200 * 8 * 0.3, 3);
  });
});
