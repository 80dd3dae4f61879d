import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Counter, Registry } from 'prom-client';
import type { TlsFiles } from '../api/security.ts';
import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import type { Logger } from '../core/log.ts';
import type { MqttConnection } from '../core/mqtt/connection.ts';
import { BrokerGuard } from '../core/mqtt/guard.ts';
import { redactCredentials } from '../core/redact.ts';
import { extendSecrets, generateSecrets, loadSecrets, type Secrets } from '../core/secrets.ts';
import type { ServiceStatus } from '../core/status.ts';
import { createStore } from '../core/store/openStore.ts';
import { markSimulatedData, refuseSimulatedData, seedHistory } from '../device-sims/history/history.ts';
import { startSims } from '../device-sims/main.ts';
import type { LoadedScenario } from '../device-sims/scenario/load.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker.ts';
import { brokerConnection } from './credentials.ts';
import { serveSimsFaults } from './simsFaultCommand.ts';
import { startSiteServices } from './siteServices.ts';

export interface StartOptions {
  site: LoadedSite;
  /** The simulated building to run in this process; none for a real site. */
  scenario?: LoadedScenario | undefined;
  dataDir: string;
  port: number;
  /** HTTPS for the API (PEM files); plain HTTP without. */
  apiTls?: TlsFiles | undefined;
  /** Express's `trust proxy` for the API behind a reverse proxy (--trust-proxy); none without. */
  apiTrustProxy?: string | number | undefined;
  brokerPort: number;
  mqttUrl?: string | undefined;
  influxUrl?: string | undefined;
  clock: Clock;
  log: Logger;
  /** Write the simulated building's consumption from this local date into an empty store (demo). */
  history?: string | undefined;
}

export interface Platform {
  apiPort: number;
  /** The broker's URL, password hidden (for printing). */
  mqttUrl: string;
  storeDescription: string;
  simulated: boolean;
  /** What the simulated history did (a start line), when it was asked for. */
  history?: string | undefined;
  /** Applies a validated site file (see SiteServices.reload); the broker, store and sims stay. */
  reload(site: LoadedSite): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole platform in one process: broker (embedded unless an external one is given), store
 * (embedded unless InfluxDB is given), device-sims when asked, every gateway of the site, the
 * collector, control and the API. Services still talk over MQTT, exactly as when they run as
 * separate processes.
 */
export async function startPlatform(opts: StartOptions): Promise<Platform> {
  const { site, log, clock } = opts;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => log.error('stop failed', { error: String(err) }));
    stops.length = 0;
  };
  try {
    // control.db, ledger.db, spools and the embedded store all live here.
    mkdirSync(opts.dataDir, { recursive: true });
    const mqttUrl = opts.mqttUrl ?? site.config.platform.mqtt_url;
    const influxUrl = opts.influxUrl ?? site.config.platform.influx_url;
    const registry = new Registry();
    // The embedded broker without a secrets file: passwords and command keys made up now, in memory
    // (nothing to configure, nothing printed); an external broker without one: the environment's.
    let secrets = loadSecrets(site, { log }) ?? (mqttUrl ? undefined : generateSecrets(site));
    let broker: EmbeddedBroker | undefined;
    let guard: BrokerGuard | undefined;
    if (!mqttUrl && secrets) {
      guard = brokerGuard(site, secrets, log, registry);
      broker = await startEmbeddedBroker({ port: opts.brokerPort, log: log.child('broker'), guard });
      stops.push(() => broker?.stop() ?? Promise.resolve());
    }
    const brokerUrl = mqttUrl ?? broker?.url ?? '';
    const connectionOf = (user: string): MqttConnection | undefined => {
      if (broker) return { username: user, password: secrets?.mqtt.get(user) ?? '' };
      return secrets ? brokerConnection({ site, url: brokerUrl, user, secrets }).mqtt : undefined;
    };
    const store = createStore({
      influxUrl,
      dataDir: opts.dataDir,
      rawRetentionDays: site.config.platform.raw_retention_days,
    });
    await store.open();
    stops.push(() => store.close());

    const sims = opts.scenario
      ? await startSims({
          scenario: opts.scenario,
          clock,
          log: log.child('sims'),
          statePath: join(opts.dataDir, 'sims-state.json'),
        })
      : undefined;
    if (sims) stops.push(() => sims.stop());
    // `jieneng sims fault`: the simulator only, loopback, engineer tokens (cli/simsFaultCommand.ts).
    const simsFaults = sims ? await serveSimsFaults(sims.faults, opts.dataDir, log.child('sims')) : undefined;
    if (simsFaults) stops.push(() => simsFaults.stop());
    let history: string | undefined;
    if (!sims) refuseSimulatedData(opts.dataDir);
    if (sims && opts.history) {
      const seeded = await seedHistory(store, site, {
        from: opts.history,
        until: clock.now(),
        beforeWriting: (dates) => markSimulatedData(opts.dataDir, { ...dates, written: 0 }),
      });
      if (seeded.written > 0) markSimulatedData(opts.dataDir, seeded);
      history = seeded.skipped
        ? `simulated history not written: ${seeded.skipped}`
        : `simulated consumption ${seeded.from} … ${seeded.to} (${seeded.written} rollups; demo data, made up like the simulated building)`;
      log.info('simulated history', { ...seeded });
    }
    const infrastructure = async (): Promise<Record<string, ServiceStatus>> => {
      const storeOk = await store.ping().catch(() => false);
      return {
        broker: {
          state: 'running',
          detail: {
            url: brokerUrl,
            embedded: broker !== undefined,
            ...(broker ? { authentication: 'per principal', refused: broker.refusals() } : {}),
          },
        },
        store: { state: storeOk ? 'running' : 'degraded', detail: { kind: store.kind } },
        ...(sims ? { 'device-sims': sims.status() } : {}),
      };
    };
    const services = await startSiteServices(site, {
      mqttUrl: brokerUrl,
      store,
      dataDir: opts.dataDir,
      port: opts.port,
      apiTls: opts.apiTls,
      apiTrustProxy: opts.apiTrustProxy,
      clock,
      log,
      registry,
      infrastructure,
      mqtt: connectionOf,
      commandKeys: secrets?.commandKeys,
    });
    stops.push(() => services.stop());
    const platformConfig = JSON.stringify(site.config.platform);
    return {
      apiPort: services.apiPort,
      mqttUrl: redactCredentials(brokerUrl),
      storeDescription: influxUrl
        ? `InfluxDB ${redactCredentials(influxUrl)}`
        : `embedded ${resolve(opts.dataDir, 'jieneng.db')}`,
      simulated: sims !== undefined,
      history,
      reload: async (next) => {
        if (JSON.stringify(next.config.platform) !== platformConfig)
          log.warn(
            'the platform section (broker, store, retention) changed; it takes effect when jieneng start is restarted',
          );
        if (guard && secrets) {
          // A gateway the reload adds gets in with its own password: the file's, else a new one.
          const now = loadSecrets(next, { log }) ?? extendSecrets(secrets, next);
          secrets = now;
          guard.configure(aclScope(next), now.mqtt);
        }
        await services.reload(next);
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

const aclScope = (site: LoadedSite) => ({
  siteId: site.config.site.id,
  gatewayIds: site.config.gateways.map((g) => g.id),
});

/** The embedded broker's door for the site's principals, its refusals counted in `registry`. */
function brokerGuard(site: LoadedSite, secrets: Secrets, log: Logger, registry: Registry): BrokerGuard {
  const refused = new Counter({
    name: 'jieneng_mqtt_refused_total',
    help: 'Connections, publishes and subscriptions the embedded broker refused (bad credentials, a topic outside the ACL), by action',
    labelNames: ['action'],
    registers: [registry],
  });
  const guard = new BrokerGuard({ log: log.child('broker'), onRefusal: (action) => refused.inc({ action }) });
  guard.configure(aclScope(site), secrets.mqtt);
  return guard;
}
