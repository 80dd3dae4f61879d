import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../core/clock.ts';
import { modbusRtuConnectionSchema } from '../core/config/siteSchema.ts';
import { createLogger } from '../core/log.ts';
import { startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { ConnectionPoller } from '../gateway/protocols/modbus/poller.ts';

const BAUD = 9600;
const DEVICES = 20;
const SECONDS = 8;

/**
 * RS-485 bus utilisation: 20 simulated meters on one socat bus at 9600 baud, polled back to back
 * by the gateway; the characters that crossed the bus against what the baud rate allows in the
 * same time (the bound, 100 %). The simulator paces replies at wire speed, so the gap the gateway
 * leaves between requests is what this measures.
 */
export async function benchRtuBus(): Promise<string[]> {
  const loaded = loadScenario(defaultScenarioFile);
  const meters = loaded.scenario.devices.filter(
    (d) => d.meter && !['water', 'gas'].includes(d.meter.measures),
  );
  const devices = Array.from({ length: DEVICES }, (_, i) => {
    const base = meters[i % meters.length];
    if (!base) throw new Error('no meters in the default scenario');
    return { ...base, id: `bus-meter-${i + 1}`, modbus: { bus: 'bench', unit_id: i + 1 } };
  });
  const serialDir = mkdtempSync(join(tmpdir(), 'jn-bench-rtu-'));
  const log = createLogger({ level: 'warn' });
  const scenario = {
    ...loaded,
    scenario: {
      ...loaded.scenario,
      devices,
      opcua: undefined,
      buses: [{ id: 'bench', baud: BAUD, parity: 'none' as const, stop_bits: 1 as const }],
    },
  };
  const sims = await startSims({ scenario, clock: systemClock, log, serialDir });
  const connection = modbusRtuConnectionSchema.parse({
    id: 'bench',
    protocol: 'modbus_rtu',
    path: join(serialDir, 'bench'),
    baud: BAUD,
    timeout: '1s',
    devices: devices.map((d) => ({
      id: d.id,
      profile: d.profile,
      unit_id: d.modbus.unit_id,
      poll_interval: '1ms',
      // default inter_frame_gap: the protocol's 3.5 characters
    })),
  });
  let points = 0;
  const poller = new ConnectionPoller({
    connection,
    profiles: loaded.profiles,
    clock: systemClock,
    log,
    emit: (r) => (points += r.length),
  });
  const stats = () => {
    const rs485 = sims.status().detail?.rs485 as
      | Record<string, { wire_bytes: number; wire_frames: number; bits_per_char: number }>
      | undefined;
    return rs485?.bench;
  };
  poller.start();
  await new Promise((r) => setTimeout(r, 1000)); // settle: connection open, first cycle done
  const before = stats()?.wire_bytes ?? 0;
  const framesBefore = stats()?.wire_frames ?? 0;
  const t0 = performance.now();
  const points0 = points;
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const seconds = (performance.now() - t0) / 1000;
  const bytes = (stats()?.wire_bytes ?? 0) - before;
  const bits = stats()?.bits_per_char ?? 10;
  const frames = (stats()?.wire_frames ?? 0) - framesBefore;
  await poller.stop();
  await sims.stop();
  const utilisation = (bytes * bits) / (seconds * BAUD);
  // Modbus RTU requires 3.5 character times (of 11 bits) of silence before every frame.
  const silence = (frames * 3.5 * 11) / BAUD;
  const withSilence = (bytes * bits) / BAUD + silence;
  return [
    `${DEVICES} meters on one bus at ${BAUD} baud 8N1 for ${seconds.toFixed(1)} s: ${bytes} characters on the wire, ${((points - points0) / seconds).toFixed(1)} points/s`,
    `bus utilisation ${(utilisation * 100).toFixed(1)} % of the baud-rate bound (goal ≥ 80 %)`,
    `characters plus the 3.5-character silences the protocol requires: ${((withSilence / seconds) * 100).toFixed(1)} % of the time (${frames} frames)`,
  ];
}
