import ModbusRTU from 'modbus-serial';
import { systemClock } from '../core/clock.ts';
import { modbusTcpConnectionSchema } from '../core/config/siteSchema.ts';
import { createLogger } from '../core/log.ts';
import { listProfiles, loadProfile } from '../core/profiles/loadProfile.ts';
import type { ModbusProfile } from '../core/profiles/profileSchema.ts';
import { startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { planReads } from '../gateway/protocols/modbus/plan.ts';
import { ConnectionPoller, planOptions } from '../gateway/protocols/modbus/poller.ts';
import { freePort } from '../test/servers/process.ts';

const SECONDS = 5;

/**
 * Gateway throughput over Modbus TCP against a bare modbus-serial loop issuing the same requests
 * to the same simulated meters in the same run; requests per cycle against the minimum for each
 * bundled profile; heap per 1,000 polled points.
 */
export async function benchGateway(): Promise<string[]> {
  const lines: string[] = [];
  const loaded = loadScenario(defaultScenarioFile);
  const meters = loaded.scenario.devices
    .filter(
      (d) => d.meter && ['main', 'hvac', 'lighting_socket', 'power', 'special'].includes(d.meter.measures),
    )
    .slice(0, 10);
  const port = await freePort();
  const devices = meters.map((d, i) => ({ ...d, modbus: { port, unit_id: i + 1 } }));
  const log = createLogger({ level: 'error' });
  const sims = await startSims({
    scenario: { ...loaded, scenario: { ...loaded.scenario, devices, opcua: undefined } },
    clock: systemClock,
    log,
  });
  const profileOf = (ref: string) => loaded.profiles.get(ref) as ModbusProfile;
  try {
    // Baseline: the same requests, back to back, with nothing but modbus-serial.
    const client = new ModbusRTU();
    await client.connectTCP('127.0.0.1', { port });
    client.setTimeout(1000);
    const work = devices.flatMap((d) => {
      const profile = profileOf(d.profile);
      return planReads(profile, profile.points, planOptions('modbus_tcp')).map((plan) => ({
        unit: d.modbus.unit_id,
        plan,
      }));
    });
    let barePoints = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < SECONDS * 1000) {
      for (const { unit, plan } of work) {
        client.setID(unit);
        const res =
          plan.table === 'input_register'
            ? await client.readInputRegisters(plan.start, plan.length)
            : await client.readHoldingRegisters(plan.start, plan.length);
        if (res.data.length === plan.length) barePoints += plan.points.length;
      }
    }
    const bareRate = barePoints / ((performance.now() - t0) / 1000);
    client.close(() => {});

    const connection = modbusTcpConnectionSchema.parse({
      id: 'bench',
      protocol: 'modbus_tcp',
      host: '127.0.0.1',
      port,
      devices: devices.map((d) => ({
        id: d.id,
        profile: d.profile,
        unit_id: d.modbus.unit_id,
        poll_interval: '1ms',
      })),
    });
    let gwPoints = 0;
    const poller = new ConnectionPoller({
      connection,
      profiles: loaded.profiles,
      clock: systemClock,
      log,
      emit: (r) => (gwPoints += r.length),
    });
    const t1 = performance.now();
    poller.start();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    await poller.stop();
    const gwRate = gwPoints / ((performance.now() - t1) / 1000);
    lines.push(
      `Modbus TCP, 10 meters: gateway ${gwRate.toFixed(0)} points/s | bare modbus-serial loop ${bareRate.toFixed(0)} points/s | ratio ${(gwRate / bareRate).toFixed(2)} (goal ≥ 0.8)`,
    );
  } finally {
    await sims.stop();
  }

  for (const ref of listProfiles().filter((r) => r.startsWith('modbus/'))) {
    const r = loadProfile(ref);
    if (!r.ok || r.profile.protocol !== 'modbus') continue;
    const points = r.profile.points.filter((p) => p.type !== 'string');
    const actual = planReads(r.profile, points, planOptions('modbus_tcp')).length;
    // The minimum: one request per table, or more only where the 125-register / 2000-bit limit forces it.
    const minimum = planReads(r.profile, points, { maxGap: Number.MAX_SAFE_INTEGER }).length;
    lines.push(
      `requests per cycle, ${ref}: ${actual} vs minimum ${minimum} → ${(minimum / actual).toFixed(2)} (goal 1.0; RS-485 reads through gaps ≤ 16 only: ${planReads(r.profile, points, planOptions('modbus_rtu')).length})`,
    );
  }

  // Heap per 1,000 points: pollers for 100 SDM630s (1,000 points), not started.
  const sdm = profileOf('modbus/eastron/sdm630');
  const big = modbusTcpConnectionSchema.parse({
    id: 'mem',
    protocol: 'modbus_tcp',
    host: '127.0.0.1',
    port: 1,
    devices: Array.from({ length: 100 }, (_, i) => ({
      id: `m${i}`,
      profile: 'modbus/eastron/sdm630',
      unit_id: (i % 247) + 1,
    })),
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const keep = Array.from(
    { length: 10 },
    () =>
      new ConnectionPoller({
        connection: big,
        profiles: new Map([['modbus/eastron/sdm630', sdm]]),
        clock: systemClock,
        log,
        emit: () => {},
      }),
  );
  gc?.();
  const perThousand = (process.memoryUsage().heapUsed - before) / keep.length / 1024;
  lines.push(
    `heap per 1,000 polled points (configuration, plans, counters): ${perThousand.toFixed(0)} KiB${gc ? '' : ' (no --expose-gc: an upper bound)'}`,
  );
  return lines;
}
