import { describe, expect, inject, it } from 'vitest';
import { type Collector, startCollector } from '../collector/main.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { InfluxStore } from '../core/store/influxStore.ts';
import { collectorArgs, spawnCli } from './helpers/cli.ts';
import { writeTestSite } from './helpers/site.ts';
import { influxCount, publishTelemetry } from './helpers/telemetry.ts';
import { waitFor } from './helpers/wait.ts';
import { startInfluxd } from './servers/influxd.ts';
import { startMosquitto } from './servers/mosquitto.ts';
import { freePort } from './servers/process.ts';

/** Only for the length of a fault (InfluxDB down for 60 s); results are waited for, not slept on. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = createLogger({ level: 'error' });
const DEVICES = Array.from({ length: 10 }, (_, i) => `m-${i + 1}`);

/** `stop` for the test's body and its `finally` alike: the first call stops, later ones wait for it. */
function once<T>(stop: () => Promise<T>): () => Promise<T> {
  let stopping: Promise<T> | undefined;
  return () => {
    stopping ??= stop();
    return stopping;
  };
}

async function testSite(gatewayId: string) {
  const { file } = writeTestSite({ modbusPort: await freePort(), gatewayId, devices: DEVICES });
  return { file, site: loadSite(file) };
}

/**
 * Acceptance of the collector (issue #5): the store holds exactly the readings sent — no loss, no
 * duplicates — across an InfluxDB outage, a collector killed with SIGKILL and restarted, and with
 * two collectors sharing one subscription. The telemetry is a known stream (helpers/telemetry.ts),
 * so the expected count is exact. "Nothing more arrives" is checked once every collector has
 * stopped: then nothing can write, and the count is final.
 */
describe('collector delivery', () => {
  it('InfluxDB stopped for 60 s during sustained ingest: nothing lost, nothing twice', async () => {
    const influxd = await startInfluxd();
    const broker = await startMosquitto();
    const gatewayId = 'gw-influx-outage';
    const { site } = await testSite(gatewayId);
    const store = new InfluxStore(`${influxd.url}/outage`);
    await store.open();
    const collector = await startCollector({
      site,
      mqttUrl: broker.url,
      store,
      log,
      clientId: 'c-influx-outage',
    });
    // 20 batches/s × 10 readings for 75 s: 15,000 readings, 60 s of them while InfluxDB is down.
    const stream = await publishTelemetry({
      mqttUrl: broker.url,
      gatewayId,
      devices: DEVICES,
      batches: 1500,
      perSecond: 20,
    });
    const detail = () => collector.status().detail as Record<string, number>;
    const stopCollector = once(() => collector.stop());
    try {
      await waitFor(
        'the first readings in InfluxDB',
        async () => (await influxCount(influxd.url, 'outage')) > 0,
      );
      await influxd.halt();
      await sleep(60_000);
      expect(detail().store_errors).toBeGreaterThan(0);
      await influxd.resume();
      await stream.done;
      await waitFor('the collector to store all 1,500 batches', () => detail().batches === 1500, {
        timeoutMs: 120_000,
        seen: () => detail(),
      });
      await stopCollector();
      expect(await influxCount(influxd.url, 'outage')).toBe(15_000);
      expect(detail().readings_stored).toBe(15_000); // each batch stored once
      expect(stream.sent).toBe(15_000);
    } finally {
      stream.stop();
      await stopCollector();
      await broker.stop();
      await influxd.stop();
    }
  }, 300_000); // 60 s of outage, then bounds for a loaded machine

  it('a collector killed with SIGKILL mid-stream and restarted: nothing lost, nothing twice', async () => {
    const influxUrl = inject('influxUrl');
    const database = `kill_${Date.now()}`;
    const broker = await startMosquitto();
    const gatewayId = 'gw-collector-kill';
    const { file } = await testSite(gatewayId);
    const args = collectorArgs(file, broker.url, `${influxUrl}/${database}`, '--client-id', 'c-kill');
    const count = () => influxCount(influxUrl, database);
    let collector = spawnCli(args);
    await waitFor('the collector to subscribe', () => collector.stderr().includes('collector started'));
    const stream = await publishTelemetry({
      mqttUrl: broker.url,
      gatewayId,
      devices: DEVICES,
      batches: 400,
      perSecond: 20,
    });
    try {
      await waitFor('the collector to store the first readings', async () => (await count()) > 0);
      collector.child.kill('SIGKILL');
      await collector.exited;
      const atKill = await count();
      const sentAtKill = stream.sent;
      expect(sentAtKill).toBeLessThan(4000); // killed mid-stream
      // The broker queues for the session "c-kill" meanwhile: the stream goes on without a collector.
      await waitFor(
        '50 more batches published while no collector runs',
        () => stream.sent >= Math.min(4000, sentAtKill + 500),
      );
      collector = spawnCli(args);
      await stream.done;
      await waitFor('every reading in InfluxDB', async () => (await count()) === 4000, {
        timeoutMs: 120_000,
        seen: count,
      });
      expect(await collector.stop()).toBe(0);
      expect(await count()).toBe(4000);
      expect(atKill).toBeGreaterThan(0);
      expect(atKill).toBeLessThan(4000);
    } finally {
      stream.stop();
      collector.child.kill('SIGKILL');
      await broker.stop();
    }
  }, 300_000);

  it('messages a collector took but could not store are not acknowledged: killed meanwhile, it loses none', async () => {
    // Each connection takes several messages before the first is stored (collector/ackWindow.ts);
    // their PUBACKs must wait for the store. With InfluxDB down, every message the collector has
    // taken is waiting: were any acknowledged, killing the collector now would lose it.
    const influxd = await startInfluxd();
    const broker = await startMosquitto();
    const gatewayId = 'gw-window-kill';
    const { file } = await testSite(gatewayId);
    const args = collectorArgs(file, broker.url, `${influxd.url}/window`, '--client-id', 'c-window');
    let collector = spawnCli(args);
    try {
      await waitFor('the collector to subscribe', () => collector.stderr().includes('collector started'));
      await influxd.halt();
      const stream = await publishTelemetry({
        mqttUrl: broker.url,
        gatewayId,
        devices: DEVICES,
        batches: 200,
        perSecond: 100,
      });
      await stream.done;
      await waitFor('the collector to retry the store', () =>
        collector.stderr().includes('store write failed'),
      );
      collector.child.kill('SIGKILL');
      await collector.exited;
      await influxd.resume();
      collector = spawnCli(args);
      const count = () => influxCount(influxd.url, 'window');
      await waitFor('every reading in InfluxDB', async () => (await count()) === 2000, {
        timeoutMs: 120_000,
        seen: count,
      });
      expect(await collector.stop()).toBe(0);
      expect(await count()).toBe(2000);
    } finally {
      collector.child.kill('SIGKILL');
      await broker.stop();
      await influxd.stop();
    }
  }, 300_000);

  it('two collectors on one shared subscription store every reading exactly once', async () => {
    const influxUrl = inject('influxUrl');
    const database = `shared_${Date.now()}`;
    const broker = await startMosquitto();
    const gatewayId = 'gw-shared';
    const { site } = await testSite(gatewayId);
    const collectors: Collector[] = [];
    for (const id of ['c-share-1', 'c-share-2']) {
      const store = new InfluxStore(`${influxUrl}/${database}`);
      await store.open();
      collectors.push(
        await startCollector({ site, mqttUrl: broker.url, store, log, clientId: id, shareGroup: 'jn-test' }),
      );
    }
    const stream = await publishTelemetry({
      mqttUrl: broker.url,
      gatewayId,
      devices: DEVICES,
      batches: 600,
      perSecond: 100,
    });
    const stored = () => collectors.map((c) => Number(c.status().detail?.batches));
    const stopCollectors = once(() => Promise.all(collectors.map((c) => c.stop())));
    try {
      await stream.done;
      await waitFor(
        'the collectors to store all 600 batches',
        () => stored().reduce((a, b) => a + b) >= 600,
        {
          timeoutMs: 120_000,
          seen: () => `batches stored by each: ${stored().join(', ')}`,
        },
      );
      await stopCollectors();
      expect(await influxCount(influxUrl, database)).toBe(6000);
      const batches = stored();
      // The broker split the stream: each collector stored a share, and every batch was stored once.
      expect(batches[0]).toBeGreaterThan(0);
      expect(batches[1]).toBeGreaterThan(0);
      expect((batches[0] ?? 0) + (batches[1] ?? 0)).toBe(600);
    } finally {
      await stopCollectors();
      await broker.stop();
    }
  });
});
