import { join } from 'node:path';
import { Registry } from 'prom-client';
import { type Alarms, startAlarms } from '../alarms/main.ts';
import { type Api, startApi } from '../api/main.ts';
import type { TlsFiles } from '../api/security.ts';
import { type Collector, startCollector } from '../collector/main.ts';
import { type Control, startControl } from '../control/main.ts';
import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import { generateCommandKey } from '../core/control/commandSignature.ts';
import { errorText } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { gatewayUser } from '../core/mqtt/acl.ts';
import type { MqttConnection } from '../core/mqtt/connection.ts';
import { redactDeep } from '../core/redact.ts';
import type { ServiceStatus } from '../core/status.ts';
import type { Store } from '../core/store/store.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { createReports } from '../reports/service.ts';

/** What the site services of `jieneng start` run on, and keep across a reload. */
export interface SiteServicesContext {
  mqttUrl: string;
  store: Store;
  dataDir: string;
  port: number;
  /** HTTPS for the API (PEM files); plain HTTP without. */
  apiTls?: TlsFiles | undefined;
  /** Express's `trust proxy` for the API behind a reverse proxy; none without. */
  apiTrustProxy?: string | number | undefined;
  clock: Clock;
  log: Logger;
  /** The gateways' metrics; control's are kept apart, since a reload registers them anew. */
  registry: Registry;
  /** Status of what is not reloaded (broker, store, sims). */
  infrastructure: () => Promise<Record<string, ServiceStatus>>;
  /** Each principal's broker login and TLS files (`gateway-<id>`, collector, control, alarms, api; core/mqtt/acl.ts). */
  mqtt?: (user: string) => MqttConnection | undefined;
  /** Each gateway's command key (the site's secrets); a gateway without one gets a key made up in memory. */
  commandKeys?: ReadonlyMap<string, Buffer> | undefined;
  /** Timings of the alarm service (tests shorten them; alarms/main.ts has the defaults). */
  alarms?: Pick<
    Parameters<typeof startAlarms>[0],
    'tickMs' | 'detectorTickMs' | 'settleMs' | 'brokerGraceMs'
  >;
}

/** Collector, control, alarms and API: the parts that take the site once, so a reload restarts them. */
interface Restartable {
  collector: Collector;
  control: Control;
  controlRegistry: Registry;
  alarms: Alarms;
  api: Api;
}

export interface SiteServices {
  apiPort: number;
  /** Applies a validated site: gateways reload in place (spool and sequence kept), the rest restart. */
  reload(site: LoadedSite): Promise<void>;
  stop(): Promise<void>;
}

/** Every gateway of the site, the collector, control, the alarm service and the API, on the context's broker and store. */
export async function startSiteServices(first: LoadedSite, ctx: SiteServicesContext): Promise<SiteServices> {
  const { log } = ctx;
  const gateways = new Map<string, Gateway>();
  let site = first;
  let port = ctx.port;
  let current: Restartable | undefined;
  // Control and the gateways run in this process: a key made up here is shared by both, and kept
  // across reloads so that a gateway that stays and the restarted control still agree.
  const commandKeys = new Map(ctx.commandKeys ?? []);
  const keyGateways = (s: LoadedSite) => {
    for (const gw of s.config.gateways)
      if (!commandKeys.has(gw.id)) commandKeys.set(gw.id, generateCommandKey());
  };

  const health = async (): Promise<Record<string, ServiceStatus>> =>
    redactDeep({
      ...(await ctx.infrastructure()),
      ...(current
        ? {
            collector: current.collector.status(),
            control: current.control.status(),
            alarms: current.alarms.status(),
          }
        : {
            collector: { state: 'stopped' as const },
            control: { state: 'stopped' as const },
            alarms: { state: 'stopped' as const },
          }),
      ...Object.fromEntries([...gateways.values()].map((g) => [`gateway:${g.id}`, g.status()])),
    });
  const metrics = async () => {
    const merged = Registry.merge([
      ctx.registry,
      ...(current ? [current.controlRegistry, current.collector.metrics, current.alarms.metrics] : []),
    ]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  };

  const startRestartable = async (s: LoadedSite): Promise<Restartable> => {
    keyGateways(s);
    const started: { stop(): Promise<void> }[] = [];
    try {
      const collector = await startCollector({
        site: s,
        mqttUrl: ctx.mqttUrl,
        mqtt: ctx.mqtt?.('collector'),
        store: ctx.store,
        log,
        clock: ctx.clock,
      });
      started.push(collector);
      const controlRegistry = new Registry();
      const control = await startControl({
        site: s,
        mqttUrl: ctx.mqttUrl,
        mqtt: ctx.mqtt?.('control'),
        dbFile: join(ctx.dataDir, 'control.db'),
        clock: ctx.clock,
        log,
        metrics: controlRegistry,
        commandKeys,
      });
      started.push(control);
      const alarms = await startSiteAlarms(s, ctx);
      started.push(alarms);
      const api = await startApi({
        dataDir: ctx.dataDir,
        store: ctx.store,
        health,
        metrics,
        log,
        port,
        tls: ctx.apiTls,
        ...(ctx.apiTrustProxy !== undefined ? { trustProxy: ctx.apiTrustProxy } : {}),
        site: s,
        reports: createReports({ site: s, store: ctx.store, ledgerFile: join(ctx.dataDir, 'ledger.db') }),
        control: control.service,
        // Device availability reaches the API over the gateways' retained topics (gateway/README).
        mqttUrl: ctx.mqttUrl,
        mqtt: ctx.mqtt?.('api'),
        clock: ctx.clock,
      });
      // A reload binds the port the first start got, also when it was asked for port 0.
      port = api.port;
      return { collector, control, controlRegistry, alarms, api };
    } catch (err) {
      for (const part of started.reverse()) await part.stop().catch(() => undefined);
      throw err;
    }
  };
  const stopRestartable = async (r: Restartable) => {
    for (const part of [r.api, r.alarms, r.control, r.collector])
      await part.stop().catch((err: unknown) => log.error('stop failed', { error: errorText(err) }));
  };
  const startGateways = async (s: LoadedSite) => {
    keyGateways(s);
    for (const gw of s.config.gateways) {
      if (gateways.has(gw.id)) continue;
      const g = await startGateway({
        site: s,
        gatewayId: gw.id,
        mqttUrl: ctx.mqttUrl,
        mqtt: ctx.mqtt?.(gatewayUser(gw.id)),
        dataDir: ctx.dataDir,
        clock: ctx.clock,
        log,
        metrics: ctx.registry,
        commandKey: commandKeys.get(gw.id),
      });
      gateways.set(gw.id, g);
    }
  };
  const stopGateways = async (keep: (id: string) => boolean) => {
    for (const [id, g] of [...gateways].reverse()) {
      if (keep(id)) continue;
      gateways.delete(id);
      await g.stop().catch((err: unknown) => log.error('stop failed', { error: errorText(err) }));
    }
  };

  try {
    // The collector subscribes before the gateways publish their first batch.
    current = await startRestartable(site);
    await startGateways(site);
  } catch (err) {
    await stopGateways(() => false);
    if (current) await stopRestartable(current);
    throw err;
  }

  return {
    apiPort: port,
    reload: async (next) => {
      const previous = site;
      if (current) await stopRestartable(current);
      current = undefined;
      const wanted = new Set(next.config.gateways.map((g) => g.id));
      await stopGateways((id) => wanted.has(id));
      for (const [, g] of gateways) await g.reload(next);
      await startGateways(next);
      try {
        current = await startRestartable(next);
        site = next;
      } catch (err) {
        log.error(
          'collector, control or API did not start on the new configuration: they run the previous one, the gateways the new one',
          { error: errorText(err) },
        );
        current = await startRestartable(previous);
        throw err;
      }
    },
    stop: async () => {
      if (current) await stopRestartable(current);
      current = undefined;
      await stopGateways(() => false);
    },
  };
}

/** The alarm service of `jieneng start` (alarms/main.ts): `<data-dir>/alarms.db`, the `alarms` login. */
function startSiteAlarms(s: LoadedSite, ctx: SiteServicesContext): Promise<Alarms> {
  return startAlarms({
    site: s,
    mqttUrl: ctx.mqttUrl,
    mqtt: ctx.mqtt?.('alarms'),
    store: ctx.store,
    dbFile: join(ctx.dataDir, 'alarms.db'),
    clock: ctx.clock,
    log: ctx.log,
    ...ctx.alarms,
  });
}
