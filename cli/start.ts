import { join, resolve } from 'node:path';
import { Registry } from 'prom-client';
import { startApi } from '../api/main.ts';
import { startCollector } from '../collector/main.ts';
import { startControl } from '../control/main.ts';
import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import type { Logger } from '../core/log.ts';
import type { ServiceStatus } from '../core/status.ts';
import { createStore } from '../core/store/openStore.ts';
import { startSims } from '../device-sims/main.ts';
import type { LoadedScenario } from '../device-sims/scenario/load.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker.ts';

export interface StartOptions {
  site: LoadedSite;
  /** The simulated building the site's devices are served from. */
  scenario: LoadedScenario;
  dataDir: string;
  port: number;
  brokerPort: number;
  mqttUrl?: string | undefined;
  influxUrl?: string | undefined;
  clock: Clock;
  log: Logger;
}

export interface Platform {
  apiPort: number;
  mqttUrl: string;
  storeDescription: string;
  stop(): Promise<void>;
}

/**
 * The whole platform in one process: broker (embedded unless an external one is given), store
 * (embedded unless InfluxDB is given), device-sims, every gateway of the site, the collector and
 * the API. Services still talk over MQTT, exactly as when they run as separate processes.
 */
export async function startPlatform(opts: StartOptions): Promise<Platform> {
  const { site, log, clock } = opts;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => log.error('stop failed', { error: String(err) }));
  };
  try {
    const mqttUrl = opts.mqttUrl ?? site.config.platform.mqtt_url;
    const influxUrl = opts.influxUrl ?? site.config.platform.influx_url;
    let broker: EmbeddedBroker | undefined;
    if (!mqttUrl) {
      broker = await startEmbeddedBroker({ port: opts.brokerPort, log: log.child('broker') });
      stops.push(() => broker?.stop() ?? Promise.resolve());
    }
    const brokerUrl = mqttUrl ?? broker?.url ?? '';
    const store = createStore({
      influxUrl,
      dataDir: opts.dataDir,
      rawRetentionDays: site.config.platform.raw_retention_days,
    });
    await store.open();
    stops.push(() => store.close());

    const sims = await startSims({
      scenario: opts.scenario,
      clock,
      log: log.child('sims'),
      statePath: join(opts.dataDir, 'sims-state.json'),
    });
    stops.push(() => sims.stop());
    const collector = await startCollector({ site, mqttUrl: brokerUrl, store, log, clock });
    stops.push(() => collector.stop());
    const gateways: Gateway[] = [];
    const registry = new Registry();
    for (const gw of site.config.gateways) {
      const g = await startGateway({
        site,
        gatewayId: gw.id,
        mqttUrl: brokerUrl,
        dataDir: opts.dataDir,
        clock,
        log,
        metrics: registry,
      });
      gateways.push(g);
      stops.push(() => g.stop());
    }
    const control = await startControl({
      site,
      mqttUrl: brokerUrl,
      dbFile: join(opts.dataDir, 'control.db'),
      clock,
      log,
      metrics: registry,
    });
    stops.push(() => control.stop());
    const health = async (): Promise<Record<string, ServiceStatus>> => {
      const storeOk = await store.ping().catch(() => false);
      return {
        broker: { state: 'running', detail: { url: brokerUrl, embedded: broker !== undefined } },
        store: { state: storeOk ? 'running' : 'degraded', detail: { kind: store.kind } },
        'device-sims': sims.status(),
        collector: collector.status(),
        control: control.status(),
        ...Object.fromEntries(gateways.map((g) => [`gateway:${g.id}`, g.status()])),
      };
    };
    const metrics = async () => ({ contentType: registry.contentType, body: await registry.metrics() });
    const api = await startApi({
      store,
      health,
      metrics,
      log,
      port: opts.port,
      site,
      ledgerFile: join(opts.dataDir, 'ledger.db'),
      control: control.service,
    });
    stops.push(() => api.stop());
    return {
      apiPort: api.port,
      mqttUrl: brokerUrl,
      storeDescription: influxUrl
        ? `InfluxDB ${influxUrl.replace(/\/\/[^@/]*@/, '//***@')}`
        : `embedded ${resolve(opts.dataDir, 'jieneng.db')}`,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
