import ModbusRTU from 'modbus-serial';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { decodeRegisters } from '../core/codec/registers.ts';
import { createLogger } from '../core/log.ts';
import { startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { ANSWER_MS } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

describe('canteen gas through the Fuxin volume corrector (Modbus TCP, FC03 from 0x000A)', () => {
  it('flows while lunch is cooked on a working day and not at night', async () => {
    const loaded = loadScenario(defaultScenarioFile);
    const port = await freePort();
    const devices = loaded.scenario.devices
      .filter((d) => d.id === 'fuwu-gas')
      .map((d) => ({ ...d, modbus: { ...d.modbus, port } }));
    const clock = new ManualClock(Date.parse('2025-07-02T03:00:00+08:00'));
    const sims = await startSims({
      scenario: { ...loaded, scenario: { ...loaded.scenario, devices, opcua: undefined } },
      clock,
      log: createLogger({ level: 'warn' }),
    });
    const c = new ModbusRTU();
    try {
      await c.connectTCP('127.0.0.1', { port });
      c.setID(4);
      c.setTimeout(ANSWER_MS);
      const read = async () => {
        const w = (await c.readHoldingRegisters(0x0a, 20)).data;
        const f = (at: number) =>
          decodeRegisters(w.slice(at - 0x0a, at - 0x0a + 2), 'float32', 'ABCD') as number;
        return {
          standardVolume: f(0x0c),
          standardFlow: f(0x10),
          actualFlow: f(0x15),
          temperature: f(0x1a),
          pressure: f(0x1c),
        };
      };
      const night = await read();
      expect(night.standardFlow).toBe(0);
      clock.set(Date.parse('2025-07-02T11:00:00+08:00'));
      const lunch = await read();
      // 900 meals × 0.12 m³ over 2.5 h of cooking.
      expect(lunch.standardFlow).toBeCloseTo((900 * 0.12) / 2.5, 4);
      expect(lunch.actualFlow).toBeGreaterThan(lunch.standardFlow * 0.95); // warmer and near-atmospheric: a little more line volume
      expect(lunch.standardVolume - night.standardVolume).toBeCloseTo((900 * 0.12 * 1) / 2.5, 0); // 10:00–11:00 of cooking
      expect(lunch.pressure).toBeCloseTo(104.3, 4);
    } finally {
      c.close(() => {});
      await sims.stop();
    }
  });
});
