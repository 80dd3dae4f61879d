import { describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { modbusTcpConnectionSchema } from '../core/config/siteSchema.ts';
import { createLogger } from '../core/log.ts';
import type { Reading } from '../core/telemetry.ts';
import { startSims } from '../device-sims/main.ts';
import { loadScenario } from '../device-sims/scenario/load.ts';
import { ConnectionPoller } from '../gateway/poller.ts';
import { writeTestSite } from './helpers/site.ts';
import { freePort } from './servers/process.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = createLogger({ level: 'error' });

/**
 * Per-device settings a facilities engineer tunes, against simulated SDM630s over Modbus TCP:
 * fast and slow poll classes, the one-request-per-point escape hatch, and stale flags on a meter
 * whose values froze (device-sims fault "stuck").
 */
describe('gateway poll classes, escape hatches and stale values', () => {
  it('reads slow points less often, one request per point when asked, and flags a frozen meter', async () => {
    const modbusPort = await freePort();
    const { file, scenarioFile } = writeTestSite({
      modbusPort,
      gatewayId: 'gw',
      devices: ['m-a', 'm-b', 'm-c'],
    });
    const site = loadSite(file);
    const sims = await startSims({ scenario: loadScenario(scenarioFile), clock: systemClock, log });
    const base = site.config.gateways[0]?.connections[0];
    if (base?.protocol !== 'modbus_tcp') throw new Error('test site has no Modbus TCP connection');
    const connection = modbusTcpConnectionSchema.parse({
      id: 'bus-1',
      protocol: 'modbus_tcp',
      host: '127.0.0.1',
      port: modbusPort,
      devices: [
        // counters every 2 s, the rest every 200 ms
        {
          id: 'm-a',
          profile: 'modbus/eastron/sdm630',
          unit_id: 1,
          poll_interval: '200ms',
          slow_points: ['import_energy', 'export_energy'],
          slow_poll_interval: '2s',
        },
        // a device that answers only single-point reads
        {
          id: 'm-b',
          profile: 'modbus/eastron/sdm630',
          unit_id: 2,
          poll_interval: '1s',
          one_request_per_point: true,
        },
        // its values will freeze
        {
          id: 'm-c',
          profile: 'modbus/eastron/sdm630',
          unit_id: 3,
          poll_interval: '200ms',
          stale_after: '3s',
          // Watch the values that move every simulation step (the simulated load is flat for
          // minutes at a time, so power and the float32 kWh counter may rest for seconds).
          stale_points: ['voltage_l1', 'current_l1'],
        },
      ],
    });
    const readings: Reading[] = [];
    const poller = new ConnectionPoller({
      connection,
      profiles: site.profiles,
      clock: systemClock,
      log,
      emit: (r) => readings.push(...r),
    });
    poller.start();
    try {
      await sleep(1500);
      const counters = poller.counters();
      sims.faults.inject('m-c', { kind: 'stuck' });
      const frozenAt = Date.now();
      await sleep(5000);
      const seconds = (Date.now() - frozenAt + 1500) / 1000;
      const of = (device: string, point: string) =>
        readings.filter((r) => r.device === device && r.point === point);

      // m-a: voltage about 5 times a second, counters every 2 s.
      const fast = of('m-a', 'voltage_l1').length;
      const slow = of('m-a', 'import_energy').length;
      expect(fast).toBeGreaterThan(seconds * 2);
      expect(slow).toBeGreaterThanOrEqual(3);
      expect(slow).toBeLessThanOrEqual(Math.ceil(seconds / 2) + 1);

      // m-b: one request per point (10 points → 10 requests a cycle) instead of 2 coalesced ones.
      const mbCycles = of('m-b', 'voltage_l1').filter((r) => Date.parse(r.ts) <= frozenAt).length;
      expect(mbCycles).toBeGreaterThanOrEqual(1);
      expect(counters['m-b']?.requests).toBe(mbCycles * 10);
      expect(of('m-b', 'import_energy').every((r) => r.quality === 'good')).toBe(true);

      // m-c: after 3 s of identical values its watched points are published as uncertain.
      const stale = readings.filter((r) => r.device === 'm-c' && r.quality === 'uncertain');
      expect(new Set(stale.map((r) => r.point))).toEqual(new Set(['voltage_l1', 'current_l1']));
      expect(stale.every((r) => r.reason?.startsWith('stale: unchanged since ') && r.value !== null)).toBe(
        true,
      );
      for (const r of stale) {
        // Flagged only once the value had rested 3 s; it froze at the injection (the value then
        // current may have been first read up to one 1 s simulation step before).
        const since = Date.parse(r.reason?.slice('stale: unchanged since '.length) ?? '');
        expect(Date.parse(r.ts) - since).toBeGreaterThanOrEqual(3000);
        expect(since).toBeGreaterThanOrEqual(frozenAt - 1500);
      }
      // The meters that kept moving were never flagged.
      expect(readings.filter((r) => r.device !== 'm-c' && r.quality !== 'good')).toEqual([]);
    } finally {
      await poller.stop();
      await sims.stop();
    }
  }, 30_000);
});
