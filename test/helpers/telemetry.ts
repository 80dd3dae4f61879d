import { InfluxDB } from 'influx';
import mqtt from 'mqtt';
import { type MqttConnection, mqttClientOptions } from '../../core/mqtt/connection.ts';
import type { TelemetryBatch } from '../../core/telemetry.ts';
import { topics } from '../../core/topics.ts';

/**
 * A steady stream of telemetry as a gateway sends it (QoS 1, seq 1, 2, …), with a known content:
 * batch `seq` carries one reading per device, all stamped `t0 + seq` seconds, so every reading has
 * its own (device, point, ts) key and the number of readings a store should hold is exact.
 */
export async function publishTelemetry(options: {
  mqttUrl: string;
  gatewayId: string;
  devices: string[];
  batches: number;
  perSecond: number;
  t0?: number;
  /** The gateway principal's login on a closed broker (core/mqtt/connection.ts). */
  mqtt?: MqttConnection;
}): Promise<{ sent: number; done: Promise<void>; stop(): void }> {
  const client = await mqtt.connectAsync(
    options.mqttUrl,
    mqttClientOptions(options.mqtt, { clientId: `pub-${options.gatewayId}-${process.pid}`, clean: true }),
  );
  // Recent by default: a store keeps raw readings for a limited number of days (90 unless configured).
  const t0 = options.t0 ?? Date.now() - 3_600_000;
  let stopped = false;
  const state = { sent: 0 };
  const done = (async () => {
    const started = Date.now();
    for (let seq = 1; seq <= options.batches && !stopped; seq++) {
      const ts = new Date(t0 + seq * 1000).toISOString();
      const batch: TelemetryBatch = {
        gateway: options.gatewayId,
        seq,
        sent_at: new Date().toISOString(),
        readings: options.devices.map((device, i) => ({
          device,
          point: 'active_power',
          value: seq + i / 100,
          unit: 'W',
          ts,
          quality: 'good',
        })),
      };
      await client.publishAsync(topics.telemetry(options.gatewayId), JSON.stringify(batch), { qos: 1 });
      state.sent += batch.readings.length;
      const due = started + (seq * 1000) / options.perSecond;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await client.endAsync();
  })();
  return {
    get sent() {
      return state.sent;
    },
    done,
    stop: () => {
      stopped = true;
    },
  };
}

/** Readings of measurement `reading` in an InfluxDB database (exact: COUNT of the value field). */
export async function influxCount(url: string, database: string): Promise<number> {
  const u = new URL(url);
  const influx = new InfluxDB({ host: u.hostname, port: Number(u.port), database });
  try {
    const rows = await influx.query<{ count: number }>('SELECT COUNT("value") AS count FROM reading');
    return rows[0]?.count ?? 0;
  } catch {
    return -1; // not reachable (yet)
  }
}
