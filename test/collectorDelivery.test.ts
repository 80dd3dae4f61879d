import { describe, expect, inject, it } from 'vitest';
import { type Collector, startCollector } from '../collector/main.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { InfluxStore } from '../core/store/influxStore.ts';
import { collectorArgs, spawnCli } from './helpers/cli.ts';
import { waitFor, writeTestSite } from './helpers/site.ts';
import { influxCount, publishTelemetry } from './helpers/telemetry.ts';
import { startInfluxd } from './servers/influxd.ts';
import { startMosquitto } from './servers/mosquitto.ts';
import { freePort } from './servers/process.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = createLogger({ level: 'error' });
const DEVICES = Array.from({ length: 10 }, (_, i) => `m-${i + 1}`);

async function testSite(gatewayId: string) {
  const { file } = writeTestSite({ modbusPort: await freePort(), gatewayId, devices: DEVICES });
  return { file, site: loadSite(file) };
}

/**
 * Acceptance of the collector (issue #5): the store holds exactly the readings sent — no loss, no
 * duplicates — across an InfluxDB outage, a collector killed with SIGKILL and restarted, and with
 * two collectors sharing one subscription. The telemetry is a known stream (helpers/telemetry.ts),
 * so the expected count is exact.
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
    try {
      await sleep(5000);
      expect(await influxCount(influxd.url, 'outage')).toBeGreaterThan(0);
      await influxd.halt();
      await sleep(60_000);
      expect(collector.status().detail?.store_errors).toBeGreaterThan(0);
      await influxd.resume();
      await stream.done;
      await waitFor(
        'every reading in InfluxDB',
        async () => (await influxCount(influxd.url, 'outage')) === 15_000,
        60_000,
      );
      await sleep(1000); // and nothing more arrives
      expect(await influxCount(influxd.url, 'outage')).toBe(15_000);
      expect(stream.sent).toBe(15_000);
    } finally {
      stream.stop();
      await collector.stop();
      await broker.stop();
      await influxd.stop();
    }
  }, 180_000);

  it('a collector killed with SIGKILL mid-stream and restarted: nothing lost, nothing twice', async () => {
    const influxUrl = inject('influxUrl');
    const database = `kill_${Date.now()}`;
    const broker = await startMosquitto();
    const gatewayId = 'gw-collector-kill';
    const { file } = await testSite(gatewayId);
    const args = collectorArgs(file, broker.url, `${influxUrl}/${database}`, '--client-id', 'c-kill');
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
      await sleep(6000);
      collector.child.kill('SIGKILL');
      await collector.exited;
      const atKill = await influxCount(influxUrl, database);
      await sleep(5000); // the broker queues for the session "c-kill" meanwhile
      collector = spawnCli(args);
      await stream.done;
      await waitFor(
        'every reading in InfluxDB',
        async () => (await influxCount(influxUrl, database)) === 4000,
        60_000,
      );
      await sleep(1000);
      expect(await influxCount(influxUrl, database)).toBe(4000);
      expect(atKill).toBeGreaterThan(0);
      expect(atKill).toBeLessThan(4000);
      expect(await collector.stop()).toBe(0);
    } finally {
      stream.stop();
      collector.child.kill('SIGKILL');
      await broker.stop();
    }
  }, 120_000);

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
      await waitFor(
        'every reading in InfluxDB',
        async () => (await influxCount(influxd.url, 'window')) === 2000,
        60_000,
      );
      await sleep(1000);
      expect(await influxCount(influxd.url, 'window')).toBe(2000);
      expect(await collector.stop()).toBe(0);
    } finally {
      collector.child.kill('SIGKILL');
      await broker.stop();
      await influxd.stop();
    }
  }, 90_000);

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
    try {
      await stream.done;
      await waitFor(
        'every reading in InfluxDB',
        async () => (await influxCount(influxUrl, database)) === 6000,
        30_000,
      );
      await sleep(1000);
      expect(await influxCount(influxUrl, database)).toBe(6000);
      const batches = collectors.map((c) => Number(c.status().detail?.batches));
      // The broker split the stream: each collector stored a share, and every batch was stored once.
      expect(batches[0]).toBeGreaterThan(0);
      expect(batches[1]).toBeGreaterThan(0);
      expect((batches[0] ?? 0) + (batches[1] ?? 0)).toBe(600);
    } finally {
      for (const c of collectors) await c.stop();
      await broker.stop();
    }
  }, 60_000);
});
