import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import { errorText, JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { ServiceStatus } from '../core/status.ts';
import type { Reading } from '../core/telemetry.ts';
import { createCommandHandler } from './commandHandler.ts';
import { GatewayMetrics } from './metrics.ts';
import { ConnectionPoller } from './poller.ts';
import type { OpcuaSubscriber } from './protocols/opcua/subscriber.ts';
import { TelemetryPublisher } from './publisher.ts';

export interface Gateway {
  id: string;
  /** Prometheus registry of this gateway (prom-client). */
  metrics: Registry;
  status(): ServiceStatus;
  stop(): Promise<void>;
}

/** Runs gateway `gatewayId` of the site: polls its connections and publishes telemetry. */
export async function startGateway(ctx: {
  site: LoadedSite;
  gatewayId: string;
  mqttUrl: string;
  dataDir: string;
  clock: Clock;
  log: Logger;
  /** Registry shared by the gateways of one process (default: the gateway's own). */
  metrics?: Registry;
}): Promise<Gateway> {
  const config = ctx.site.config.gateways.find((g) => g.id === ctx.gatewayId);
  if (!config) {
    const known = ctx.site.config.gateways.map((g) => g.id).join(', ') || '(none)';
    throw new JnError(
      'gateway_unknown',
      `site ${ctx.site.file} has no gateway "${ctx.gatewayId}"; its gateways are: ${known}`,
    );
  }
  const log = ctx.log.child(`gateway:${config.id}`);
  const publisher = new TelemetryPublisher({
    gatewayId: config.id,
    mqttUrl: ctx.mqttUrl,
    dataDir: ctx.dataDir,
    clock: ctx.clock,
    log,
  });
  publisher.connect();
  const emit = (readings: Reading[]) => {
    try {
      publisher.enqueue(readings);
    } catch (err) {
      // The spool could not take the batch (disk full?): the one loss we cannot avoid — say so loudly.
      log.error('telemetry batch lost: spool write failed', {
        readings: readings.length,
        error: errorText(err),
      });
    }
  };
  const profiles = ctx.site.profiles;
  const metrics = new GatewayMetrics(config.id, () => publisher.spoolStats(), ctx.metrics);
  const pollers: ConnectionPoller[] = [];
  const subscribers: OpcuaSubscriber[] = [];
  // node-opcua takes seconds to load: only gateways with an OPC UA connection pay for it.
  const opcua = config.connections.some((c) => c.protocol === 'opcua')
    ? await import('./protocols/opcua/subscriber.ts')
    : undefined;
  for (const connection of config.connections) {
    if (connection.protocol !== 'opcua')
      pollers.push(new ConnectionPoller({ connection, profiles, clock: ctx.clock, log, emit, metrics }));
    else if (opcua)
      subscribers.push(new opcua.OpcuaSubscriber({ connection, profiles, clock: ctx.clock, log, emit }));
  }
  for (const p of pollers) p.start();
  // An OPC UA server may be down at start-up: the client keeps trying without holding up the rest.
  for (const s of subscribers)
    s.start().catch((err: unknown) => log.error('opcua start failed', { error: errorText(err) }));
  await publisher.onCommand(
    createCommandHandler({
      site: ctx.site,
      gatewayId: config.id,
      pollers,
      clock: ctx.clock,
      log,
      publish: (r) => publisher.publishResult(r),
    }),
  );
  log.info('gateway started', {
    connections: pollers.length,
    devices: config.connections.reduce((n, c) => n + c.devices.length, 0),
  });
  return {
    id: config.id,
    metrics: metrics.registry,
    status: () => ({
      state: publisher.connected() ? 'running' : 'degraded',
      detail: {
        mqtt_connected: publisher.connected(),
        batches_published: publisher.published,
        spool: publisher.spoolStats(),
        devices: Object.assign({}, ...pollers.map((p) => p.counters())),
        opcua: Object.fromEntries(
          subscribers.map((sub, i) => [
            config.connections.filter((c) => c.protocol === 'opcua')[i]?.id ?? i,
            sub.counters,
          ]),
        ),
      },
    }),
    stop: async () => {
      await Promise.all([...pollers.map((p) => p.stop()), ...subscribers.map((s) => s.stop())]);
      await publisher.close();
      log.info('gateway stopped');
    },
  };
}
