import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { modbusTcpConnectionSchema } from '../core/config/siteSchema.ts';
import { createLogger } from '../core/log.ts';
import type { Reading } from '../core/telemetry.ts';
import { startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { DeviceAvailability } from '../gateway/deviceAvailability.ts';
import { ConnectionPoller } from '../gateway/protocols/modbus/poller.ts';
import { waitFor } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

/**
 * Ten meters on one connection with the devices at `deadIndexes` silent (they never answer, so
 * each attempt costs the 300 ms timeout); polls until `enough` holds, then stops. Nothing waits a
 * fixed time: the tests compare counts, which hold however busy the machine is.
 */
async function pollWithDead(
  deadIndexes: number[],
  enough: (poller: ConnectionPoller, dead: string[]) => boolean,
) {
  const loaded = loadScenario(defaultScenarioFile);
  const port = await freePort();
  const meters = loaded.scenario.devices.filter((d) => d.profile === 'modbus/chint/dtsu666').slice(0, 10);
  const devices = meters.map((d, i) => ({ ...d, modbus: { port, unit_id: i + 1 } }));
  const sims = await startSims({
    scenario: { ...loaded, scenario: { ...loaded.scenario, devices, opcua: undefined } },
    clock: new ManualClock(Date.parse('2025-07-02T10:00:00+08:00')),
    log: createLogger({ level: 'error' }),
  });
  const dead = deadIndexes.map((i) => devices[i]?.id ?? '');
  for (const id of dead) sims.faults.inject(id, { kind: 'offline' });
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
  /** One entry per poll cycle. */
  const cycles: Reading[][] = [];
  const poller = new ConnectionPoller({
    connection,
    profiles: loaded.profiles,
    clock: new ManualClock(0),
    log,
    emit: (r) => cycles.push(r),
    availability: new DeviceAvailability({ clock: new ManualClock(0), log }),
  });
  const healthy = devices.map((d) => d.id).filter((id) => !dead.includes(id));
  const fewestHealthyRequests = () => Math.min(...healthy.map((id) => poller.counters()[id]?.requests ?? 0));
  poller.start();
  try {
    await waitFor('the attempts at the dead meters', () => enough(poller, dead), {
      seen: () => poller.counters(),
    });
  } finally {
    await poller.stop();
    await sims.stop();
  }
  return { dead, cycles, lines, counters: poller.counters(), fewestHealthyRequests: fewestHealthyRequests() };
}

describe('dead devices among ten on one connection', () => {
  it('backs off the dead device, logs its outage once and keeps polling the others', async () => {
    const { dead, cycles, lines, counters, fewestHealthyRequests } = await pollWithDead(
      [3],
      (poller, [id]) => {
        const c = poller.counters();
        const fewest = Math.min(...Object.entries(c).flatMap(([d, v]) => (d === id ? [] : [v.requests])));
        return (c[id ?? '']?.consecutive_failures ?? 0) >= 5 && fewest >= 2 * 20;
      },
    );
    const id = dead[0] ?? '';
    const readings = cycles.flat();
    const attempts = counters[id]?.consecutive_failures ?? 0;
    // Over TCP the DTSU666 profile takes 2 requests a cycle; a dead device costs only the first of them.
    expect(counters[id]?.requests).toBe(attempts);
    // Backoff 1 s, 2 s, 2 s … (capped at max_retry_interval) against a 0.5 s cycle: the dead meter
    // is tried far less often than the others are read (about 4× less once at the cap).
    expect(attempts).toBeLessThan(fewestHealthyRequests / 2 / 2);
    const skipped = readings.filter((r) => r.device === id && r.reason?.startsWith('skipped'));
    expect(skipped.length).toBeGreaterThan(0);
    expect(readings.filter((r) => r.device !== id && r.quality !== 'good')).toEqual([]);
    // One line when the outage starts, none for each failed attempt after it, none for the others.
    const outageLines = lines.filter((l) => /device (offline|back online)/.test(l));
    expect(outageLines).toHaveLength(1);
    expect(outageLines[0]).toContain(`device offline device=${id} reason=`);
  });

  it('tries silent devices one per cycle, so three that died together never cost a cycle three timeouts again', async () => {
    const { dead, cycles } = await pollWithDead([2, 5, 8], (poller, ids) =>
      ids.every((id) => (poller.counters()[id]?.consecutive_failures ?? 0) >= 4),
    );
    // Devices a cycle spent a timeout on: those with a bad reading that was not skipped.
    const probed = cycles.map(
      (c) =>
        new Set(
          c.filter((r) => r.quality === 'bad' && !r.reason?.startsWith('skipped')).map((r) => r.device),
        ),
    );
    // The first cycle finds all three silent at once; every attempt after it is one at a time.
    expect([...(probed[0] ?? [])].sort()).toEqual([...dead].sort());
    expect(probed.slice(1).filter((p) => p.size > 1)).toEqual([]);
    expect(probed.slice(1).filter((p) => p.size === 1).length).toBeGreaterThanOrEqual(3 * 3);
    for (const c of cycles)
      expect(c.filter((r) => !dead.includes(r.device) && r.quality !== 'good')).toEqual([]);
  });
});
