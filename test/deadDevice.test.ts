import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { modbusTcpConnectionSchema } from '../core/config/siteSchema.ts';
import { createLogger } from '../core/log.ts';
import type { Reading } from '../core/telemetry.ts';
import { startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { ConnectionPoller } from '../gateway/poller.ts';
import { freePort } from './servers/process.ts';

/**
 * Ten meters on one connection, one of them dead: the dead one is retried ever more rarely (its
 * timeout is spent once per attempt, not per request), and the nine others keep being polled.
 * Counts over a fixed window, with wide margins; the window is real time, the machine may be busy.
 */
describe('one dead device among ten', () => {
  it('backs off the dead device and keeps polling the others', async () => {
    const loaded = loadScenario(defaultScenarioFile);
    const port = await freePort();
    const meters = loaded.scenario.devices.filter((d) => d.profile === 'modbus/chint/dtsu666').slice(0, 10);
    const devices = meters.map((d, i) => ({ ...d, modbus: { port, unit_id: i + 1 } }));
    const sims = await startSims({
      scenario: { ...loaded, scenario: { ...loaded.scenario, devices, opcua: undefined } },
      clock: new ManualClock(Date.parse('2025-07-02T10:00:00+08:00')),
      log: createLogger({ level: 'error' }),
    });
    const dead = devices[3]?.id ?? '';
    sims.faults.inject(dead, { kind: 'offline' });
    const connection = modbusTcpConnectionSchema.parse({
      id: 'bus',
      protocol: 'modbus_tcp',
      host: '127.0.0.1',
      port,
      timeout: '300ms',
      devices: devices.map((d) => ({
        id: d.id,
        profile: d.profile,
        unit_id: d.modbus.unit_id,
        poll_interval: '500ms',
      })),
    });
    const readings: Reading[] = [];
    const poller = new ConnectionPoller({
      connection,
      profiles: loaded.profiles,
      clock: new ManualClock(0),
      log: createLogger({ level: 'error' }),
      emit: (r) => readings.push(...r),
    });
    poller.start();
    await new Promise((r) => setTimeout(r, 6000));
    await poller.stop();
    await sims.stop();

    const counters = poller.counters();
    // Over TCP the DTSU666 profile takes 2 requests a cycle; a dead device costs only the first of them.
    // Attempts at 0, 1, 2, 4 s from its first failure (backoff 0.5 s × 2^n): at most 5 in 6 s.
    expect(counters[dead]?.requests).toBeLessThanOrEqual(5);
    expect(counters[dead]?.consecutive_failures).toBeGreaterThanOrEqual(3);
    const healthyPolls = devices.filter((d) => d.id !== dead).map((d) => counters[d.id]?.requests ?? 0);
    // Undisturbed each gets ~12 cycles × 2 requests in 6 s; 8 cycles leaves room for a busy machine.
    expect(Math.min(...healthyPolls)).toBeGreaterThanOrEqual(2 * 8);
    const skipped = readings.filter((r) => r.device === dead && r.reason?.startsWith('skipped'));
    expect(skipped.length).toBeGreaterThan(0);
    expect(readings.filter((r) => r.device !== dead && r.quality !== 'good')).toEqual([]);
  }, 20_000);
});
