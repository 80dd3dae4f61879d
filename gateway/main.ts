import type { Registry } from 'prom-client';
import { type Clock, systemClock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import type { ConnectionConfig, GatewayConfig } from '../core/config/siteSchema.ts';
import { controlPoints, pointKey, valueViolation } from '../core/control/points.ts';
import { errorText, JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { MqttConnection } from '../core/mqtt/connection.ts';
import { protocolOf } from '../core/protocols/index.ts';
import type { ServiceStatus } from '../core/status.ts';
import type { Reading } from '../core/telemetry.ts';
import { CommandGuard } from './commandGuard.ts';
import { createCommandHandler } from './commandHandler.ts';
import { DeviceAvailability } from './deviceAvailability.ts';
import { GatewayMetrics } from './metrics.ts';
import type { ProtocolSession } from './protocols/driver.ts';
import { driverFor } from './protocols/index.ts';
import { TelemetryPublisher } from './publisher.ts';
import { WriteLimits } from './writeLimits.ts';

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

/** A running connection: its config and its protocol's session. */
interface Running {
  connection: ConnectionConfig;
  session: ProtocolSession;
}

/**
 * The status detail of the sessions: each device's availability (state, since, reason; every
 * protocol) with its session's counters where it has them, and each connection's own counters
 * under its protocol's name (`opcua.<connection>`).
 */
function sessionDetail(running: Running[], states: Record<string, object>): Record<string, object> {
  const counters: Record<string, object> = {};
  const sections: Record<string, Record<string, object>> = {};
  for (const { connection, session } of running) {
    const status = session.status();
    Object.assign(counters, status.devices);
    if (status.connection === undefined) continue;
    const protocol = protocolOf(connection.protocol)?.name ?? connection.protocol;
    sections[protocol] = { ...sections[protocol], [connection.id]: status.connection };
  }
  const ids = new Set([...Object.keys(counters), ...Object.keys(states)]);
  const devices = Object.fromEntries(
    [...ids].map((id) => [id, { availability: states[id], ...counters[id] }]),
  );
  return { devices, ...sections };
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
  /** User, password and TLS files on the broker (core/mqtt/connection.ts); default: none. */
  mqtt?: MqttConnection | undefined;
  /** This gateway's command key (HMAC-SHA256, shared with control); without one every command is refused. */
  commandKey?: Buffer | undefined;
  /** Real time for the commands' freshness window (default: the host's clock; `clock` may be a simulation's). */
  realClock?: Clock;
}): Promise<Gateway> {
  let config = gatewayConfig(ctx.site, ctx.gatewayId);
  let policySite = ctx.site;
  let points = controlPoints(ctx.site);
  const log = ctx.log.child(`gateway:${config.id}`);
  const publisher = new TelemetryPublisher({
    gatewayId: config.id,
    mqttUrl: ctx.mqttUrl,
    mqtt: ctx.mqtt,
    dataDir: ctx.dataDir,
    clock: ctx.clock,
    log,
    spool: { maxBytes: config.spool.max_size_mb * 1024 * 1024, maxAgeMs: config.spool.max_age },
  });
  publisher.connect();
  // The last good value read of each point, for the write limits (a write that holds a state is no switch).
  const present = new Map<string, number>();
  const emit = (readings: Reading[]) => {
    for (const r of readings)
      if (typeof r.value === 'number' && r.quality !== 'bad') present.set(`${r.device}/${r.point}`, r.value);
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
  let running: Running[] = [];

  const startConnections = async (site: LoadedSite, gw: GatewayConfig) => {
    // Devices a reload removed: their retained availability topic and gauge go.
    availability.retain(new Set(gw.connections.flatMap((c) => c.devices.map((d) => d.id))));
    const shared = {
      profiles: site.profiles,
      clock: ctx.clock,
      log,
      emit,
      availability,
      metrics,
      dataDir: ctx.dataDir,
    };
    // Every session is opened (checked, no I/O) before any starts: a connection that cannot run stops the start.
    running = await Promise.all(
      gw.connections.map(async (connection) => {
        const driver = await driverFor(connection.protocol);
        return { connection, session: driver.open(connection, shared) };
      }),
    );
    for (const r of running) r.session.start();
  };
  const stopConnections = async () => {
    await Promise.all(running.map((r) => r.session.close()));
  };

  await startConnections(ctx.site, config);
  const realClock = ctx.realClock ?? systemClock;
  const guard = new CommandGuard({ gatewayId: config.id, key: ctx.commandKey, now: () => realClock.now() });
  if (!guard.armed)
    log.warn(
      `no command key for gateway "${config.id}": commands are refused; give it the key control signs with (site secrets, gateway/README.md "Commands")`,
    );
  await publisher.onCommand(
    createCommandHandler({
      gatewayId: config.id,
      guard,
      // The site's minimum on/off times and write rates, on the platform clock as control counts them.
      limits: new WriteLimits({
        points: () => points,
        timeZone: () => policySite.config.site.timezone,
        clock: ctx.clock,
        present: (device, point) => present.get(`${device}/${point}`),
      }),
      onRefused: (reason) => metrics.refused(reason),
      onRedelivered: () => metrics.redelivered(),
      realClock,
      sessions: () => running.map((r) => r.session),
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
    status: () => {
      const devices = availability.snapshot();
      // A device the gateway cannot hear is a degraded gateway: health must not say ok meanwhile.
      const offline = Object.keys(devices).filter((id) => devices[id]?.state === 'offline');
      return {
        state: publisher.connected() && offline.length === 0 ? 'running' : 'degraded',
        detail: {
          mqtt_connected: publisher.connected(),
          offline_devices: offline,
          batches_published: publisher.published,
          spool: publisher.spoolStats(),
          ...sessionDetail(running, devices),
        },
      };
    },
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
