import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { startSims } from '../device-sims/main.ts';
import { loadScenario } from '../device-sims/scenario/load.ts';
import type { ServedValue } from '../device-sims/servers/registerImage.ts';
import { writeTestSite } from './helpers/site.ts';
import { freePort, requireBinary } from './servers/process.ts';

const run = promisify(execFile);

/** `[72]: 	53559.6` → Map(72 → 53559.6); mbpoll prints floats with 6 significant digits (%g). */
function parseMbpoll(stdout: string): Map<number, number> {
  return new Map([...stdout.matchAll(/^\[(\d+)\]:\s+(\S+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]));
}

describe('device-sims read by a Modbus master we did not write (mbpoll, libmodbus)', () => {
  it('serves over Modbus TCP the SDM630 float32 values the simulator reports', async () => {
    const mbpoll = requireBinary('mbpoll', 'mbpoll');
    const port = await freePort();
    const { scenarioFile } = writeTestSite({
      modbusPort: port,
      gatewayId: 'gw-mbpoll',
      devices: ['meter-x', 'meter-y'],
    });
    const sims = await startSims({
      scenario: loadScenario(scenarioFile),
      clock: systemClock,
      log: createLogger({ level: 'warn' }),
    });
    const served: ServedValue[] = [];
    sims.on('served', (v) => served.push(...v));
    try {
      // Unit 2 (meter-y), input registers (-t 3), float32 big-endian words (-B), 0-based (-0):
      // 0x0000–0x000B phase voltages and currents, then 0x0048 import kWh.
      const common = [
        '-m',
        'tcp',
        '-p',
        String(port),
        '-a',
        '2',
        '-0',
        '-t',
        '3:float',
        '-B',
        '-1',
        '-o',
        '10',
      ];
      const phases = parseMbpoll((await run(mbpoll, [...common, '-r', '0', '-c', '6', '127.0.0.1'])).stdout);
      const phaseServed = served.splice(0);
      const energy = parseMbpoll((await run(mbpoll, [...common, '-r', '72', '-c', '1', '127.0.0.1'])).stdout);
      const energyServed = served.splice(0);

      const sixDigits = (v: ServedValue | undefined) => Number(v?.value.toPrecision(6));
      const byPoint = (list: ServedValue[], point: string) =>
        list.find((v) => v.device === 'meter-y' && v.point === point);
      expect([...phases.keys()]).toEqual([0, 2, 4, 6, 8, 10]);
      expect(phases.get(0)).toBe(sixDigits(byPoint(phaseServed, 'voltage_l1')));
      expect(phases.get(4)).toBe(sixDigits(byPoint(phaseServed, 'voltage_l3')));
      expect(phases.get(10)).toBe(sixDigits(byPoint(phaseServed, 'current_l3')));
      expect(phases.get(0)).toBeGreaterThan(220);
      expect(energy.get(72)).toBe(sixDigits(byPoint(energyServed, 'import_energy')));
      expect(energy.get(72)).toBeGreaterThan(1000);
    } finally {
      await sims.stop();
    }
  });
});
