import { describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { modbusTcpConnectionSchema } from '../core/config/siteSchema.ts';
import { createLogger } from '../core/log.ts';
import type { Reading } from '../core/telemetry.ts';
import { startSims } from '../device-sims/main.ts';
import { loadScenario } from '../device-sims/scenario/load.ts';
import { ConnectionPoller } from '../gateway/protocols/modbus/poller.ts';
import { writeTestSite } from './helpers/site.ts';
import { waitFor } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

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
    /** m-b's request counter each time a cycle of it is emitted (all its requests of the cycle are done). */
    const mbAtCycle: { cycles: number; requests: number }[] = [];
    const of = (device: string, point: string) =>
      readings.filter((r) => r.device === device && r.point === point);
    const startedAt = Date.now();
    const poller = new ConnectionPoller({
      connection,
      profiles: site.profiles,
      clock: systemClock,
      log,
      emit: (r) => {
        readings.push(...r);
        if (r.some((x) => x.device === 'm-b' && x.point === 'voltage_l1'))
          mbAtCycle.push({
            cycles: of('m-b', 'voltage_l1').length,
            requests: poller.counters()['m-b']?.requests ?? -1,
          });
      },
    });
    poller.start();
    try {
      await waitFor(
        "m-a's counters read 3 times and a cycle of m-b",
        () => of('m-a', 'import_energy').length >= 3 && of('m-b', 'voltage_l1').length >= 1,
        {
          seen: () =>
            `m-a import_energy ${of('m-a', 'import_energy').length}×, m-b ${mbAtCycle.length} cycles`,
        },
      );
      sims.faults.inject('m-c', { kind: 'stuck' });
      const frozenAt = Date.now();
      const stalePoints = () =>
        new Set(readings.filter((r) => r.device === 'm-c' && r.quality === 'uncertain').map((r) => r.point));
      await waitFor('m-c voltage_l1 and current_l1 flagged stale', () => stalePoints().size >= 2, {
        seen: () => [...stalePoints()],
      });

      // m-a: voltage every cycle, counters only every 2 s. The counters' class is due at most once
      // per 2 s after its first two reads (the first cycle sets its grid): load only makes it rarer.
      const fast = of('m-a', 'voltage_l1');
      const slow = of('m-a', 'import_energy');
      const lastTs = Date.parse(fast.at(-1)?.ts ?? '');
      expect(slow.length).toBeGreaterThanOrEqual(3);
      expect(slow.length).toBeLessThanOrEqual(Math.floor((lastTs - startedAt) / 2000) + 2);
      expect(fast.length).toBeGreaterThan(slow.length);

      // m-b: one request per point (10 points → 10 requests a cycle) instead of 2 coalesced ones.
      expect(mbAtCycle.length).toBeGreaterThanOrEqual(1);
      for (const { cycles, requests } of mbAtCycle) expect(requests).toBe(cycles * 10);
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
  });
});
