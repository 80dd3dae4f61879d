import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { startEmbeddedBroker } from '../cli/broker.ts';
import { startCollector } from '../collector/main.ts';
import { systemClock } from '../core/clock.ts';
import { type LoadedSite, loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import type { MqttConnection } from '../core/mqtt/connection.ts';
import { BrokerGuard } from '../core/mqtt/guard.ts';
import { generateSecrets, type Secrets } from '../core/secrets.ts';
import { InfluxStore } from '../core/store/influxStore.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import type { Store } from '../core/store/store.ts';
import { startSims } from '../device-sims/main.ts';
import { loadScenario } from '../device-sims/scenario/load.ts';
import type { ServedValue } from '../device-sims/servers/registerImage.ts';
import { startGateway } from '../gateway/main.ts';
import { writeTestSite } from './helpers/site.ts';
import { waitFor } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

const log = createLogger({ level: 'warn' });

/**
 * device-sims → gateway → broker → collector → store, on real servers. Everything the simulated
 * meters put on the wire must arrive in the store: the same number of readings and the same values.
 */
async function runPipeline(options: {
  store: Store;
  gatewayId: string;
  /** The broker's URL, and the logins of its principals when it is closed. */
  broker: (site: LoadedSite) => Promise<{ url: string; secrets?: Secrets; stop(): Promise<void> }>;
}) {
  const modbusPort = await freePort();
  const { dir, file, scenarioFile } = writeTestSite({
    modbusPort,
    gatewayId: options.gatewayId,
    devices: ['meter-a', 'meter-b'],
  });
  const site = loadSite(file);
  const broker = await options.broker(site);
  try {
    return await pipelineOn(site, dir, scenarioFile, {
      ...options,
      mqttUrl: broker.url,
      secrets: broker.secrets,
    });
  } finally {
    await broker.stop();
  }
}

async function pipelineOn(
  site: LoadedSite,
  dir: string,
  scenarioFile: string,
  options: { mqttUrl: string; store: Store; gatewayId: string; secrets?: Secrets | undefined },
) {
  const login = (user: string): MqttConnection | undefined =>
    options.secrets ? { username: user, password: options.secrets.mqtt.get(user) ?? '' } : undefined;
  await options.store.open();
  const served: ServedValue[] = [];
  const sims = await startSims({ scenario: loadScenario(scenarioFile), clock: systemClock, log });
  sims.on('served', (values) => served.push(...values));
  const collector = await startCollector({
    site,
    mqttUrl: options.mqttUrl,
    store: options.store,
    log,
    // The collector's id prefix (core/mqtt/acl.ts), unique to this test on the shared Mosquitto.
    clientId: `jn-collector-${site.config.site.id}-e2e-${options.gatewayId}`,
    mqtt: login('collector'),
  });
  const gateway = await startGateway({
    site,
    gatewayId: options.gatewayId,
    mqttUrl: options.mqttUrl,
    dataDir: join(dir, 'data'),
    clock: systemClock,
    log,
    mqtt: login(`gateway-${options.gatewayId}`),
  });

  // 2 devices × 10 points, five polls each at least.
  await waitFor('100 served values', () => served.length >= 100, { seen: () => `${served.length} served` });
  await gateway.stop(); // stops polling and waits for the broker to acknowledge every batch
  await sims.stop();
  await waitFor(
    'the collector to store every served value',
    async () => (collector.status().detail?.readings_stored as number) >= served.length,
    { seen: () => `${served.length} served; collector: ${JSON.stringify(collector.status().detail)}` },
  );
  await collector.stop();

  const stored = await options.store.queryReadings({});
  await options.store.close();
  const key = (r: { device: string; point: string; value: number | null }) =>
    `${r.device}/${r.point}=${r.value}`;
  const servedKeys = served.map(key).sort();
  const storedKeys = stored.map(key).sort();
  if (storedKeys.length !== servedKeys.length) {
    const extra = storedKeys.filter((k) => !servedKeys.includes(k));
    const missing = servedKeys.filter((k) => !storedKeys.includes(k));
    console.error(
      `stored ${storedKeys.length}, served ${servedKeys.length}; stored not served: ${extra.join(' ')}; served not stored: ${missing.join(' ')}; rows: ${JSON.stringify(stored.filter((r) => extra.includes(key(r))))}`,
    );
  }
  return { served: servedKeys, stored: storedKeys, storedRows: stored };
}

describe('end to end: simulated meter → gateway → MQTT → collector → store', () => {
  it('delivers exactly the served values through Mosquitto into InfluxDB 1.x', async () => {
    const store = new InfluxStore(`${inject('influxUrl')}/e2e_${process.pid}`);
    const { served, stored, storedRows } = await runPipeline({
      broker: async () => ({ url: inject('mosquittoUrl'), stop: async () => {} }),
      store,
      gatewayId: 'gw-e2e-influx',
    });
    expect(stored.length).toBe(served.length);
    expect(stored).toEqual(served);
    const counter = storedRows.find((r) => r.point === 'import_energy');
    expect(counter).toMatchObject({
      site: 'test-site',
      building: 'b1',
      meter: `${counter?.device}-kwh`,
      category: 'electricity',
      unit: 'kWh',
      quality: 'good',
    });
  });

  it('delivers exactly the served values through the embedded broker into the embedded store', async () => {
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'jn-e2e-')), 'jieneng.db'));
    const { served, stored } = await runPipeline({
      // Closed as `jieneng start` closes it: passwords made up for the site's principals.
      broker: async (site) => {
        const secrets = generateSecrets(site);
        const guard = new BrokerGuard({ log });
        guard.configure(
          { siteId: site.config.site.id, gatewayIds: site.config.gateways.map((g) => g.id) },
          secrets.mqtt,
        );
        const broker = await startEmbeddedBroker({ port: 0, log, guard });
        return { url: broker.url, secrets, stop: () => broker.stop() };
      },
      store,
      gatewayId: 'gw-e2e-embedded',
    });
    expect(stored.length).toBe(served.length);
    expect(stored).toEqual(served);
  });
});
