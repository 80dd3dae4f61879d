import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { systemClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { telemetryBatchSchema } from '../core/telemetry.ts';
import { topics } from '../core/topics.ts';
import { startSims } from '../device-sims/main.ts';
import { loadScenario } from '../device-sims/scenario/load.ts';
import { type CliProcess, spawnCli } from './helpers/cli.ts';
import { writeTestSite } from './helpers/site.ts';
import { waitFor } from './helpers/wait.ts';
import { startMosquitto } from './servers/mosquitto.ts';
import { freePort } from './servers/process.ts';

/** Only for the length of a fault (the broker down for 5 s); results are waited for, not slept on. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Readings in the embedded store the collector writes (read-only, beside the collector's writes). */
function storedReadings(dataDir: string): number {
  try {
    const db = new Database(join(dataDir, 'jieneng.db'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM readings').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet
  }
}

/** Batches in the gateway's spool: published, not yet confirmed stored by a collector. */
function spooled(dataDir: string, gatewayId: string): number {
  const db = new Database(join(dataDir, `gateway-${gatewayId}.spool.db`), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM batches').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** The last batch number the gateway's spool handed out (its `meta` seq). */
function lastSeq(dataDir: string, gatewayId: string): number {
  const db = new Database(join(dataDir, `gateway-${gatewayId}.spool.db`), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'seq'").get() as { value: number } | undefined;
    return row?.value ?? 0;
  } finally {
    db.close();
  }
}

/** The seqs the gateway's spool says it dropped (its `dropped` table). */
function droppedSeqs(dataDir: string, gatewayId: string): number[] {
  const db = new Database(join(dataDir, `gateway-${gatewayId}.spool.db`), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const rows = db.prepare('SELECT from_seq, to_seq FROM dropped ORDER BY from_seq').all() as {
      from_seq: number;
      to_seq: number;
    }[];
    return rows.flatMap((r) => Array.from({ length: r.to_seq - r.from_seq + 1 }, (_, i) => r.from_seq + i));
  } finally {
    db.close();
  }
}

/**
 * Every batch the gateway publishes, seen from a subscriber of its own (persistent session,
 * subscribed again on every connect): what the collector must have stored.
 */
async function tapTelemetry(url: string, gatewayId: string) {
  const seen = new Map<number, number>(); // seq → readings
  const client = await mqtt.connectAsync(url, {
    clientId: `tap-${gatewayId}`,
    clean: false,
    reconnectPeriod: 500,
    resubscribe: false,
  });
  const topic = topics.telemetry(gatewayId);
  client.on('message', (_t, payload) => {
    const batch = telemetryBatchSchema.parse(JSON.parse(payload.toString()));
    seen.set(batch.seq, batch.readings.length);
  });
  client.on('connect', () => client.subscribe(topic, { qos: 1 }));
  await client.subscribeAsync(topic, { qos: 1 });
  return {
    seen,
    readings: () => [...seen.values()].reduce((a, b) => a + b, 0),
    stop: () => client.endAsync(),
  };
}

/**
 * A one-gateway site (two simulated meters polled every second) on a persistent Mosquitto, with
 * the simulated building, a tap on the telemetry, and the commands of its collector and gateway.
 */
async function splitSite(gatewayId: string, edit?: (site: { gateways: { spool?: unknown }[] }) => void) {
  const { dir, file, scenarioFile } = writeTestSite({
    modbusPort: await freePort(),
    gatewayId,
    devices: ['m-a', 'm-b'],
    pollInterval: '1s',
  });
  if (edit) {
    const site = parse(readFileSync(file, 'utf8'));
    edit(site);
    writeFileSync(file, stringify(site));
  }
  const log = createLogger({ level: 'error' });
  const broker = await startMosquitto({ persistence: true });
  const sims = await startSims({ scenario: loadScenario(scenarioFile), clock: systemClock, log });
  const tap = await tapTelemetry(broker.url, gatewayId);
  const collectorDir = join(dir, 'collector');
  const gwDir = join(dir, 'gw');
  return {
    broker,
    tap,
    collectorDir,
    gwDir,
    collectorCmd: ['collector', '--config', file, '--mqtt-url', broker.url, '--data-dir', collectorDir],
    gatewayCmd: ['gateway', '--config', file, '--mqtt-url', broker.url, '--data-dir', gwDir],
    stop: async () => {
      await tap.stop();
      await sims.stop();
      await broker.stop();
    },
  };
}

/**
 * The split deployment on a real Mosquitto with persistence on (as collector/README recommends)
 * and the collector's default shared subscription: Mosquitto 2.0.11 restores the collector's
 * session after a restart but not its shared subscription, and the collector used to stay deaf —
 * nothing stored again, no warning — until restarted by hand. Here the broker restarts twice, the
 * collector is SIGKILLed, and the gateway is SIGKILLed during a broker outage; afterwards every
 * batch published is stored, exactly.
 */
describe('broker restarts with a persistent session and the default share group', () => {
  it('goes on storing after each restart: published = stored, exactly', async () => {
    const gatewayId = 'gw-restart';
    const { broker, tap, collectorDir, gwDir, collectorCmd, gatewayCmd, stop } = await splitSite(gatewayId);
    let collector: CliProcess = spawnCli([...collectorCmd, '--client-id', 'c-restart']);
    let gateway: CliProcess = spawnCli(gatewayCmd);
    const storesMore = async (what: string) => {
      const before = storedReadings(collectorDir);
      await waitFor(what, () => storedReadings(collectorDir) > before + 20, {
        seen: () =>
          `${storedReadings(collectorDir)} readings stored (${before} before)\n${collector.stderr()}`,
      });
    };
    const restartBroker = async () => {
      await broker.halt();
      await sleep(5000);
      await broker.resume();
    };
    try {
      await storesMore('the collector to store the first readings');
      await restartBroker();
      await storesMore('the collector to store again after the first broker restart');

      collector.child.kill('SIGKILL');
      await collector.exited;
      collector = spawnCli([...collectorCmd, '--client-id', 'c-restart']);
      await storesMore('the restarted collector to store');

      await broker.halt(); // the second restart, with the gateway killed during the outage
      await sleep(2500);
      gateway.child.kill('SIGKILL');
      await gateway.exited;
      gateway = spawnCli(gatewayCmd);
      await sleep(2500);
      await broker.resume();
      await storesMore('the collector to store again after the second broker restart');

      // What the broker acknowledged but lost in the restart (the gateway replayed its spool before
      // the collector had subscribed again) is sent again once no collector confirms it in 30 s.
      await waitFor('every batch confirmed by the collector', () => spooled(gwDir, gatewayId) === 0, {
        timeoutMs: 180_000,
        seen: () => `${spooled(gwDir, gatewayId)} batches still spooled`,
      });
      expect(await gateway.stop()).toBe(0);
      // Every batch the gateway numbered, up to its last: the tap is a subscriber like the collector
      // and may still be receiving the last ones when the collector has stored them.
      const last = lastSeq(gwDir, gatewayId);
      await waitFor('the tap to see every batch the gateway numbered', () => tap.seen.has(last), {
        seen: () => `the tap saw up to ${Math.max(...tap.seen.keys())} of ${last}`,
      });
      const missing = Array.from({ length: last }, (_, i) => i + 1).filter((s) => !tap.seen.has(s));
      expect(missing, 'batches the gateway never delivered to the broker').toEqual([]);
      await waitFor('every published reading stored', () => storedReadings(collectorDir) >= tap.readings(), {
        seen: () =>
          `${storedReadings(collectorDir)} of ${tap.readings()} readings stored\n${collector.stderr()}`,
      });
      expect(storedReadings(collectorDir)).toBe(tap.readings());
      expect(collector.stderr()).toContain('mqtt reconnected; subscribing again');
      // The test forces the loss the broker restart causes; the gateway says when it resends.
      if (gateway.stderr().includes('collectors confirm no telemetry'))
        expect(gateway.stderr()).toContain('[gateway:gw-restart] collectors confirm telemetry again');
    } finally {
      gateway.child.kill('SIGKILL');
      await collector.stop();
      await stop();
    }
  }, 600_000);

  it('reports a loss the test forces (the spool over its limit in an outage) as a gap naming the batches', async () => {
    // A spool of 16 KB keeps about five batches: the rest of an outage is dropped at the source.
    const { broker, tap, collectorDir, gwDir, collectorCmd, gatewayCmd, stop } = await splitSite(
      'gw-loss',
      (site) => {
        (site.gateways[0] as { spool?: unknown }).spool = { max_size_mb: 0.016 };
      },
    );
    const collector = spawnCli(collectorCmd);
    // Subscribed before the gateway publishes, so that nothing else is lost.
    await waitFor('the collector to subscribe', () => collector.stderr().includes('collector started'), {
      seen: () => collector.stderr(),
    });
    const gateway = spawnCli(gatewayCmd);
    /** Every seq the collector has reported as never stored so far. */
    const reported = () =>
      collector
        .stderr()
        .split('\n')
        .filter((l) => l.includes('batches never stored'))
        .flatMap((l) => (/missing=(\S+)/.exec(l)?.[1] ?? '').split(',').map(Number));
    try {
      await waitFor('the first batches stored', () => storedReadings(collectorDir) > 40, {
        seen: () => `${storedReadings(collectorDir)} readings stored\n${collector.stderr()}`,
      });
      await broker.halt();
      await waitFor('the spool to drop batches', () => gateway.stderr().includes('spool limit reached'), {
        seen: () => gateway.stderr(),
      });
      await sleep(3000); // a few more dropped
      await broker.resume();
      await waitFor('the gap report', () => collector.stderr().includes('batches never stored'), {
        seen: () => collector.stderr(),
      });
      // The gateway's own account of what its spool dropped (its dropped table), less what the
      // broker had delivered before the drop (the tap saw it, so did the collector: stored, not
      // lost), is what the collector reports, exactly.
      const lost = droppedSeqs(gwDir, 'gw-loss').filter((seq) => !tap.seen.has(seq));
      expect(lost.length).toBeGreaterThan(0);
      await waitFor('the gap report of every lost batch', () => reported().length >= lost.length, {
        seen: () =>
          `${reported().join(',')} of ${lost.join(',')}\n${collector.stderr()}\n${gateway.stderr()}`,
      });
      expect(reported()).toEqual(lost);
      expect(collector.stderr()).toContain('cause="dropped at the source"');
    } finally {
      gateway.child.kill('SIGKILL');
      await collector.stop();
      await stop();
    }
  }, 600_000);
});
