import { Counter, Gauge, Registry } from 'prom-client';
import type { CollectorCounters } from './counters.ts';
import type { SilentGateway } from './silence.ts';

/** Counters of the collector exported as `jieneng_collector_<name>_total`, read from it at scrape time. */
const exported: { key: keyof CollectorCounters; help: string }[] = [
  { key: 'batches', help: 'Telemetry batches stored' },
  { key: 'readings_stored', help: 'Readings stored' },
  {
    key: 'rejected',
    help: 'Telemetry messages rejected whole (not JSON, invalid envelope, over the size limit)',
  },
  { key: 'readings_rejected', help: 'Readings rejected by validation (the rest of their batch stored)' },
  { key: 'quarantined', help: 'Readings stamped outside the accept window: not stored, not rolled up' },
  { key: 'unknown_device_readings', help: 'Readings of devices not in the site file: not stored' },
  { key: 'duplicates', help: 'Duplicate batches dropped (redeliveries with the same content)' },
  { key: 'seq_conflicts', help: 'Batches reusing a sequence number with other content (stored)' },
  { key: 'gaps', help: 'Sequence gaps reported (batches that never arrived)' },
  { key: 'store_errors', help: 'Store writes that failed (and were retried)' },
];

/**
 * The collector's Prometheus metrics, read from its counters at scrape time: the totals above, the
 * gateways it has gone deaf to (`jieneng_collector_silent_gateways`, with a `gateway` label per
 * silent one in `jieneng_collector_gateway_silent_seconds`) and its MQTT connections.
 */
export function collectorMetrics(
  read: () => { counters: CollectorCounters; silent: SilentGateway[]; connected: boolean[] },
): Registry {
  const registry = new Registry();
  const registers = [registry];
  for (const { key, help } of exported)
    new Counter({
      name: `jieneng_collector_${key}_total`,
      help,
      registers,
      collect() {
        // The collector's own count is the truth: the metric follows it (it restarts with the process).
        this.reset();
        this.inc(Number(read().counters[key] ?? 0));
      },
    });
  new Gauge({
    name: 'jieneng_collector_silent_gateways',
    help: 'Gateways publishing (their progress mark moves) while this collector stores nothing of them',
    registers,
    collect() {
      this.set(read().silent.length);
    },
  });
  new Gauge({
    name: 'jieneng_collector_gateway_silent_seconds',
    help: 'How long nothing of a publishing gateway was stored, seconds (only silent gateways)',
    labelNames: ['gateway'],
    registers,
    collect() {
      this.reset();
      for (const s of read().silent) this.set({ gateway: s.gateway }, s.silent_s);
    },
  });
  new Gauge({
    name: 'jieneng_collector_mqtt_connected',
    help: 'MQTT connections of the collector that are up',
    registers,
    collect() {
      this.set(read().connected.filter(Boolean).length);
    },
  });
  return registry;
}
