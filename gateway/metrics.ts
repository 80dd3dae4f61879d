import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type CommandRefusal, commandRefusalSchema } from '../core/commands.ts';

/** The outcome of one field-bus request, for metrics. */
export type RequestOutcome = 'ok' | 'exception' | 'no_reply';

type SpoolStats = { batches: number; bytes: number; dropped: number };

/** Spool sources of every gateway that reports into a registry (several gateways may share one process). */
const spoolSources = new WeakMap<Registry, Map<string, () => SpoolStats>>();

/** The registry's metric `name`, created on first use so that gateways sharing a registry share it. */
function metric<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/**
 * Prometheus metrics of a gateway (prom-client): per-device requests by outcome, request latency,
 * the last successful read, and the spool. Gateways of one process share `registry`, told apart by
 * the `gateway` label; scraped from `/metrics`.
 */
export class GatewayMetrics {
  private readonly requests: Counter<'gateway' | 'device' | 'outcome'>;
  private readonly latency: Histogram<'gateway' | 'device'>;
  private readonly lastSuccess: Gauge<'gateway' | 'device'>;
  private readonly up: Gauge<'gateway' | 'device'>;
  private readonly outages: Counter<'gateway' | 'device'>;
  private readonly refusals: Counter<'gateway' | 'reason'>;
  private readonly redeliveries: Counter<'gateway'>;

  constructor(
    private readonly gateway: string,
    spool: () => SpoolStats,
    readonly registry: Registry = new Registry(),
  ) {
    const registers = [registry];
    this.requests = metric(
      registry,
      'jieneng_gateway_requests_total',
      () =>
        new Counter({
          name: 'jieneng_gateway_requests_total',
          help: 'Field-bus requests by device and outcome (ok, exception, no_reply)',
          labelNames: ['gateway', 'device', 'outcome'],
          registers,
        }),
    );
    this.latency = metric(
      registry,
      'jieneng_gateway_request_seconds',
      () =>
        new Histogram({
          name: 'jieneng_gateway_request_seconds',
          help: 'Field-bus request latency by device, seconds (answered requests)',
          labelNames: ['gateway', 'device'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
          registers,
        }),
    );
    this.lastSuccess = metric(
      registry,
      'jieneng_gateway_last_success_timestamp_seconds',
      () =>
        new Gauge({
          name: 'jieneng_gateway_last_success_timestamp_seconds',
          help: 'Time of the last successful read of a device, Unix seconds',
          labelNames: ['gateway', 'device'],
          registers,
        }),
    );
    this.up = metric(
      registry,
      'jieneng_gateway_device_up',
      () =>
        new Gauge({
          name: 'jieneng_gateway_device_up',
          help: 'Whether the gateway hears a field device: 1 online, 0 offline (Modbus and OPC UA)',
          labelNames: ['gateway', 'device'],
          registers,
        }),
    );
    this.outages = metric(
      registry,
      'jieneng_gateway_device_outages_total',
      () =>
        new Counter({
          name: 'jieneng_gateway_device_outages_total',
          help: 'Outages of a field device: times it went from answering (or unknown) to silent',
          labelNames: ['gateway', 'device'],
          registers,
        }),
    );
    this.refusals = metric(
      registry,
      'jieneng_gateway_commands_refused_total',
      () =>
        new Counter({
          name: 'jieneng_gateway_commands_refused_total',
          help: 'Commands the gateway refused before any device saw them, by reason (unsigned, signature, stale, replay, no_key, timing, rate)',
          labelNames: ['gateway', 'reason'],
          registers,
        }),
    );
    this.redeliveries = metric(
      registry,
      'jieneng_gateway_commands_redelivered_total',
      () =>
        new Counter({
          name: 'jieneng_gateway_commands_redelivered_total',
          help: 'Signed commands whose id was already answered: answered again from memory, not written again (a redelivery, or a replay while the id is remembered)',
          labelNames: ['gateway'],
          registers,
        }),
    );
    this.redeliveries.inc({ gateway }, 0);
    // Every reason from 0, so that a rate() over the first refusal is not lost.
    for (const reason of commandRefusalSchema.options) this.refusals.inc({ gateway, reason }, 0);
    let sources = spoolSources.get(registry);
    if (!sources) {
      const all = new Map<string, () => SpoolStats>();
      sources = all;
      spoolSources.set(registry, all);
      const gauge = (name: string, help: string, read: (s: SpoolStats) => number) =>
        new Gauge({
          name,
          help,
          labelNames: ['gateway'],
          registers,
          collect() {
            for (const [gw, stats] of all) this.set({ gateway: gw }, read(stats()));
          },
        });
      gauge('jieneng_gateway_spool_batches', 'Telemetry batches waiting in the spool', (s) => s.batches);
      gauge('jieneng_gateway_spool_bytes', 'Bytes of telemetry waiting in the spool', (s) => s.bytes);
      gauge(
        'jieneng_gateway_spool_dropped_total',
        'Batches dropped because a spool limit was hit',
        (s) => s.dropped,
      );
    }
    sources.set(gateway, spool);
  }

  /** A device's availability changed; `undefined`: it was removed (its series go too). */
  availability(device: string, state: 'online' | 'offline' | undefined): void {
    const labels = { gateway: this.gateway, device };
    if (state === undefined) {
      this.up.remove(labels);
      this.outages.remove(labels);
      return;
    }
    this.up.set(labels, state === 'online' ? 1 : 0);
    if (state === 'offline') this.outages.inc(labels);
  }

  /** A command was refused for `reason`. */
  refused(reason: CommandRefusal): void {
    this.refusals.inc({ gateway: this.gateway, reason });
  }

  /** A command id was answered again from memory. */
  redelivered(): void {
    this.redeliveries.inc({ gateway: this.gateway });
  }

  observe(device: string, outcome: RequestOutcome, seconds: number, nowMs: number): void {
    this.requests.inc({ gateway: this.gateway, device, outcome });
    if (outcome !== 'no_reply') this.latency.observe({ gateway: this.gateway, device }, seconds);
    if (outcome === 'ok') this.lastSuccess.set({ gateway: this.gateway, device }, nowMs / 1000);
  }
}
