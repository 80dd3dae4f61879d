import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { startEmbeddedBroker } from '../cli/broker.ts';
import { startCollector } from '../collector/main.ts';
import { systemClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
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
async function runPipeline(options: { mqttUrl: string; store: Store; gatewayId: string }) {
  const modbusPort = await freePort();
  const { dir, file, scenarioFile } = writeTestSite({
    modbusPort,
    gatewayId: options.gatewayId,
    devices: ['meter-a', 'meter-b'],
  });
  const site = loadSite(file);
  await options.store.open();
  const served: ServedValue[] = [];
  const sims = await startSims({ scenario: loadScenario(scenarioFile), clock: systemClock, log });
  sims.on('served', (values) => served.push(...values));
  const collector = await startCollector({
    site,
    mqttUrl: options.mqttUrl,
    store: options.store,
    log,
    clientId: `c-${options.gatewayId}`,
  });
  const gateway = await startGateway({
    site,
    gatewayId: options.gatewayId,
    mqttUrl: options.mqttUrl,
    dataDir: join(dir, 'data'),
    clock: systemClock,
    log,
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
      mqttUrl: inject('mosquittoUrl'),
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
    const broker = await startEmbeddedBroker({ port: 0, log });
    try {
      const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'jn-e2e-')), 'jieneng.db'));
      const { served, stored } = await runPipeline({
        mqttUrl: broker.url,
        store,
        gatewayId: 'gw-e2e-embedded',
      });
      expect(stored.length).toBe(served.length);
      expect(stored).toEqual(served);
    } finally {
      await broker.stop();
    }
  });
});
