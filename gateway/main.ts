import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import type { GatewayConfig } from '../core/config/siteSchema.ts';
import { controlPoints, pointKey, valueViolation } from '../core/control/points.ts';
import { errorText, JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { ServiceStatus } from '../core/status.ts';
import type { Reading } from '../core/telemetry.ts';
import { createCommandHandler } from './commandHandler.ts';
import { DeviceAvailability } from './deviceAvailability.ts';
import { GatewayMetrics } from './metrics.ts';
import { ConnectionPoller } from './poller.ts';
import type { OpcuaSubscriber } from './protocols/opcua/subscriber.ts';
import { TelemetryPublisher } from './publisher.ts';

export interface Gateway {
  id: string;
  /** Prometheus registry of this gateway (prom-client). */
  metrics: Registry;
  status(): ServiceStatus;
  /**
   * Applies a new site configuration: the connections stop and start again with the new devices,
   * profiles and settings, while the spool, its sequence numbers and the MQTT session stay — nothing
   * spooled is lost. The site was validated by the caller; a gateway id that vanished is refused.
   */
  reload(site: LoadedSite): Promise<void>;
  stop(): Promise<void>;
}

function gatewayConfig(site: LoadedSite, gatewayId: string): GatewayConfig {
  const config = site.config.gateways.find((g) => g.id === gatewayId);
  if (!config) {
    const known = site.config.gateways.map((g) => g.id).join(', ') || '(none)';
    throw new JnError(
      'gateway_unknown',
      `site ${site.file} has no gateway "${gatewayId}"; its gateways are: ${known}`,
    );
  }
  return config;
}

/**
 * Each device's entry in the status detail: its availability (state, since, reason; every protocol)
 * with the poller's counters where it has them.
 */
function deviceDetail(
  counters: Record<string, object>,
  states: Record<string, object>,
): Record<string, object> {
  const ids = new Set([...Object.keys(counters), ...Object.keys(states)]);
  return Object.fromEntries([...ids].map((id) => [id, { availability: states[id], ...counters[id] }]));
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
  let config = gatewayConfig(ctx.site, ctx.gatewayId);
  let policySite = ctx.site;
  let points = controlPoints(ctx.site);
  const log = ctx.log.child(`gateway:${config.id}`);
  const publisher = new TelemetryPublisher({
    gatewayId: config.id,
    mqttUrl: ctx.mqttUrl,
    dataDir: ctx.dataDir,
    clock: ctx.clock,
    log,
    spool: { maxBytes: config.spool.max_size_mb * 1024 * 1024, maxAgeMs: config.spool.max_age },
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
  const metrics = new GatewayMetrics(config.id, () => publisher.spoolStats(), ctx.metrics);
  // One tracker for every protocol of this gateway; it outlives reloads, so an outage spanning one is logged once.
  const availability = new DeviceAvailability({
    clock: ctx.clock,
    log,
    onChange: (device, state) => {
      publisher.publishDeviceAvailability(device, state);
      metrics.availability(device, state?.state);
    },
  });
  let pollers: ConnectionPoller[] = [];
  let subscribers: OpcuaSubscriber[] = [];
  let opcuaIds: string[] = [];

  const startConnections = async (site: LoadedSite, gw: GatewayConfig) => {
    // node-opcua takes seconds to load: only gateways with an OPC UA connection pay for it.
    const opcua = gw.connections.some((c) => c.protocol === 'opcua')
      ? await import('./protocols/opcua/subscriber.ts')
      : undefined;
    const profiles = site.profiles;
    pollers = [];
    subscribers = [];
    opcuaIds = [];
    // Devices a reload removed: their retained availability topic and gauge go.
    availability.retain(new Set(gw.connections.flatMap((c) => c.devices.map((d) => d.id))));
    for (const connection of gw.connections) {
      const shared = { profiles, clock: ctx.clock, log, emit, availability };
      if (connection.protocol !== 'opcua')
        pollers.push(new ConnectionPoller({ ...shared, connection, metrics }));
      else if (opcua) {
        opcuaIds.push(connection.id);
        const pkiDir = join(ctx.dataDir, 'pki', 'opcua-client');
        subscribers.push(new opcua.OpcuaSubscriber({ ...shared, connection, pkiDir }));
      }
    }
    for (const p of pollers) p.start();
    // An OPC UA server may be down at start-up: the client keeps trying without holding up the rest.
    for (const s of subscribers)
      s.start().catch((err: unknown) => log.error('opcua start failed', { error: errorText(err) }));
  };
  const stopConnections = async () => {
    await Promise.all([...pollers.map((p) => p.stop()), ...subscribers.map((s) => s.stop())]);
  };

  await startConnections(ctx.site, config);
  await publisher.onCommand(
    createCommandHandler({
      gatewayId: config.id,
      connections: () => ({ pollers, subscribers }),
      // Defence in depth: the site's value policy (the 26 °C / 20 °C rule, point limits) holds here
      // too, for a command that reached the broker without passing control.
      policy: (device, point, value) => {
        const cp = points.get(pointKey(device, point));
        return cp ? valueViolation(cp, value, policySite.config.control.policy) : undefined;
      },
      clock: ctx.clock,
      log,
      publish: (r) => publisher.publishResult(r),
    }),
  );
  log.info('gateway started', {
    connections: config.connections.length,
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
        devices: deviceDetail(
          Object.assign({}, ...pollers.map((p) => p.counters())),
          availability.snapshot(),
        ),
        opcua: Object.fromEntries(subscribers.map((sub, i) => [opcuaIds[i] ?? i, sub.counters])),
      },
    }),
    reload: async (site) => {
      const next = gatewayConfig(site, config.id);
      await stopConnections();
      config = next;
      policySite = site;
      points = controlPoints(site);
      publisher.setSpoolLimits({
        maxBytes: next.spool.max_size_mb * 1024 * 1024,
        maxAgeMs: next.spool.max_age,
      });
      await startConnections(site, next);
      log.info('gateway configuration reloaded', {
        connections: next.connections.length,
        devices: next.connections.reduce((n, c) => n + c.devices.length, 0),
        spooled: publisher.spoolStats().batches,
      });
    },
    stop: async () => {
      await stopConnections();
      await publisher.close();
      log.info('gateway stopped');
    },
  };
}
