import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { modbusTcpConnectionSchema } from '../core/config/siteSchema.ts';
import { createLogger } from '../core/log.ts';
import type { Reading } from '../core/telemetry.ts';
import { startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { DeviceAvailability } from '../gateway/deviceAvailability.ts';
import { ConnectionPoller } from '../gateway/poller.ts';
import { waitFor } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

/**
 * Ten meters on one connection, one of them dead: the dead one is retried ever more rarely (its
 * timeout is spent once per attempt, not per request), and the nine others keep being polled.
 * Nothing waits a fixed time: the test runs until the dead meter has been tried five times and
 * compares counts, which hold however busy the machine is.
 */
describe('one dead device among ten', () => {
  it('backs off the dead device, logs its outage once and keeps polling the others', async () => {
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
        max_retry_interval: '2s',
      })),
    });
    const lines: string[] = [];
    const log = createLogger({ level: 'info', sink: { write: (l) => lines.push(l) } });
    const readings: Reading[] = [];
    const poller = new ConnectionPoller({
      connection,
      profiles: loaded.profiles,
      clock: new ManualClock(0),
      log,
      emit: (r) => readings.push(...r),
      availability: new DeviceAvailability({ clock: new ManualClock(0), log }),
    });
    const healthy = devices.filter((d) => d.id !== dead).map((d) => d.id);
    const fewestHealthyRequests = () =>
      Math.min(...healthy.map((id) => poller.counters()[id]?.requests ?? 0));
    poller.start();
    try {
      await waitFor(
        'five attempts at the dead meter and 20 cycles of every other one',
        () => (poller.counters()[dead]?.consecutive_failures ?? 0) >= 5 && fewestHealthyRequests() >= 2 * 20,
        { seen: () => poller.counters() },
      );
    } finally {
      await poller.stop();
      await sims.stop();
    }

    const counters = poller.counters();
    const attempts = counters[dead]?.consecutive_failures ?? 0;
    // Over TCP the DTSU666 profile takes 2 requests a cycle; a dead device costs only the first of them.
    expect(counters[dead]?.requests).toBe(attempts);
    // Backoff 1 s, 2 s, 2 s … (capped at max_retry_interval) against a 0.5 s cycle: the dead meter
    // is tried far less often than the others are read (about 4× less once at the cap).
    expect(attempts).toBeLessThan(fewestHealthyRequests() / 2 / 2);
    const skipped = readings.filter((r) => r.device === dead && r.reason?.startsWith('skipped'));
    expect(skipped.length).toBeGreaterThan(0);
    expect(readings.filter((r) => r.device !== dead && r.quality !== 'good')).toEqual([]);
    // One line when the outage starts, none for each failed attempt after it, none for the others.
    const outageLines = lines.filter((l) => /device (offline|back online)/.test(l));
    expect(outageLines).toHaveLength(1);
    expect(outageLines[0]).toContain(`device offline device=${dead} reason=`);
  });
});
