import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { startEmbeddedBroker } from '../cli/broker.ts';
import { startCollector } from '../collector/main.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { mqttClientOptions } from '../core/mqtt/connection.ts';
import { BrokerGuard } from '../core/mqtt/guard.ts';
import { generateSecrets } from '../core/secrets.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import { topics } from '../core/topics.ts';
import { writeTestSite } from '../test/helpers/site.ts';

const MB = 1024 * 1024;
const GOOD_BATCHES = 200;

/**
 * Hostile telemetry (issue 13 §5) against the all-in-one path — embedded broker, collector with
 * rollups every 200 ms, embedded store — in this process, so the event loop it blocks is the one a
 * gateway's poll loop would run on in `jieneng start`. Baseline: the same number of good batches
 * alone, in the same run. Prints the longest event-loop stall and the memory growth of each phase,
 * and what the collector made of the hostile messages.
 */
export async function benchHostile(): Promise<string[]> {
  const log = createLogger({ level: 'error' });
  const site = loadSite(writeTestSite({ modbusPort: 1, gatewayId: 'gw', devices: ['m-a', 'm-b'] }).file);
  // Closed as `jieneng start` closes it; the hostile publisher is gateway gw itself (its login and id).
  const secrets = generateSecrets(site);
  const guard = new BrokerGuard({ log });
  guard.configure({ siteId: site.config.site.id, gatewayIds: ['gw'] }, secrets.mqtt);
  const broker = await startEmbeddedBroker({ port: 0, log, guard });
  const login = (user: string) => ({ username: user, password: secrets.mqtt.get(user) ?? '' });
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'jn-hostile-')), 'jieneng.db'));
  await store.open();
  const collector = await startCollector({
    site,
    mqttUrl: broker.url,
    mqtt: login('collector'),
    store,
    log,
    rollupIntervalMs: 200,
  });
  const pub = await mqtt.connectAsync(
    broker.url,
    mqttClientOptions(login('gateway-gw'), { clientId: 'jn-gateway-gw' }),
  );
  const t0 = Date.now() - 3_600_000;
  let seq = 0;
  const batch = (readings: unknown[], s = ++seq) =>
    JSON.stringify({ gateway: 'gw', epoch: 'bench', seq: s, sent_at: new Date().toISOString(), readings });
  const meter = (device: string, i: number, ts: string) => ({
    device,
    point: 'import_energy',
    value: 1000 + i / 10,
    unit: 'kWh',
    ts,
    quality: 'good',
  });
  const good = async () => {
    for (let i = 0; i < GOOD_BATCHES; i++) {
      const ts = new Date(t0 + seq * 1000).toISOString();
      await pub.publishAsync(topics.telemetry('gw'), batch([meter('m-a', seq, ts), meter('m-b', seq, ts)]), {
        qos: 1,
      });
    }
  };
  const stored = () => Number(collector.status().detail?.readings_stored);
  const settle = async (readings: number) => {
    while (stored() < readings) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 1000)); // a few rollup runs over what arrived
  };
  const phase = async (run: () => Promise<void>, readings: number) => {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    global.gc?.();
    const before = process.memoryUsage().rss;
    delay.enable();
    await run();
    await settle(readings);
    delay.disable();
    return { stallMs: delay.max / 1e6, rssMb: (process.memoryUsage().rss - before) / MB };
  };

  const normal = await phase(good, 2 * GOOD_BATCHES);
  const hostile = await phase(
    async () => {
      const t = topics.telemetry('gw');
      await pub.publishAsync(t, batch([meter('m-a', 1, '1970-01-01T00:00:00Z')]), { qos: 1 });
      await pub.publishAsync(t, batch([meter('m-b', 2, '2100-01-01T00:00:00Z')]), { qos: 1 });
      await pub.publishAsync(
        t,
        batch([{ ...meter('m-a', 3, new Date().toISOString()), unit: 'x'.repeat(5 * MB) }]),
        {
          qos: 1,
        },
      );
      // Five forged batches reusing the numbers the next real batches will have.
      for (let i = 1; i <= 5; i++)
        await pub.publishAsync(t, batch([meter('m-a', -i, new Date(t0 - i * 1000).toISOString())], seq + i), {
          qos: 1,
        });
      await good();
    },
    4 * GOOD_BATCHES + 5,
  );
  const d = collector.status().detail as Record<string, number>;
  await pub.endAsync();
  await collector.stop();
  await store.close();
  await broker.stop();
  const ratio = hostile.stallMs / Math.max(normal.stallMs, 1);
  return [
    `longest event-loop stall: hostile ${hostile.stallMs.toFixed(0)} ms, good batches alone ${normal.stallMs.toFixed(0)} ms (ratio ${ratio.toFixed(2)})`,
    `memory growth (RSS): hostile ${hostile.rssMb.toFixed(1)} MB, good batches alone ${normal.rssMb.toFixed(1)} MB`,
    `collector: quarantined ${d.quarantined}, rejected ${d.rejected}, seq_conflicts ${d.seq_conflicts}, readings stored ${d.readings_stored} of ${4 * GOOD_BATCHES + 5} sent (the 5 forged ones included: a keyed store cannot tell them from real ones)`,
  ];
}
