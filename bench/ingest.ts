import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '../collector/main.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { InfluxStore } from '../core/store/influxStore.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import type { Store } from '../core/store/store.ts';
import type { TelemetryBatch } from '../core/telemetry.ts';
import { writeTestSite } from '../test/helpers/site.ts';
import { startInfluxd } from '../test/servers/influxd.ts';
import { startMosquitto } from '../test/servers/mosquitto.ts';

/**
 * Sustained ingest MQTT → collector → store, against a bulk write of the same points to the same
 * store in the same run: 100,000 readings from 500 meters in telemetry batches of 250 (what a
 * gateway with a few hundred points sends per cycle), published with QoS 1 from a separate process
 * (bench/publisher.mjs) as fast as Mosquitto takes them. The collector acknowledges each batch
 * only once the store has it.
 */
const METERS = 500;
const PER_BATCH = 250;
const BATCHES = 400;
const GATEWAY = 'gw-bench';

function batch(seq: number, t0: number): TelemetryBatch {
  return {
    gateway: GATEWAY,
    seq,
    sent_at: new Date(t0).toISOString(),
    readings: Array.from({ length: PER_BATCH }, (_, i) => {
      const n = (seq - 1) * PER_BATCH + i;
      return {
        device: `meter-${n % METERS}`,
        point: 'import_energy',
        value: 1000 + n * 0.25,
        unit: 'kWh',
        ts: new Date(t0 + Math.floor(n / METERS) * 1000).toISOString(),
        quality: 'good' as const,
      };
    }),
  };
}

function benchSite(): string {
  // The collector takes telemetry of the site's gateways; devices need not be declared.
  return writeTestSite({ modbusPort: 1, gatewayId: GATEWAY, devices: ['meter-0'] }).file;
}

/** Starts the publisher process with its payloads built; resolves a function that sends them all. */
async function publisher(url: string, t0: number): Promise<() => Promise<void>> {
  const child = spawn(
    process.execPath,
    [
      join(import.meta.dirname, 'publisher.mjs'),
      url,
      GATEWAY,
      String(BATCHES),
      String(PER_BATCH),
      String(METERS),
      String(t0),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const until = async (word: string) => {
    while (!out.includes(word)) {
      if (child.exitCode !== null) throw new Error(`bench publisher exited ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await until('ready');
  return async () => {
    child.stdin.write('go\n');
    await until('done');
    child.stdin.end();
  };
}

async function ingest(store: Store, mqttUrl: string, t0: number, connections: number): Promise<number> {
  const site = loadSite(benchSite());
  const log = createLogger({ level: 'error' });
  const collector = await startCollector({
    site,
    mqttUrl,
    store,
    log,
    clientId: `bench-collector-${t0}`,
    shareGroup: 'bench',
    connections,
    persistentSession: false,
    rollupIntervalMs: 3_600_000,
  });
  const publish = await publisher(mqttUrl, t0);
  const started = performance.now();
  await publish();
  while (Number(collector.status().detail?.readings_stored) < BATCHES * PER_BATCH)
    await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - started) / 1000;
  await collector.stop();
  return (BATCHES * PER_BATCH) / seconds;
}

/** Rounds of (bulk, end to end) measured back to back; the ratio printed is the median of the rounds. */
const ROUNDS = 5;

/** CPU seconds a process has used (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100 on Linux)
}

/**
 * Waits until influxd is idle (under 2 % of a core over 250 ms, at most 15 s): after a write it
 * keeps snapshotting and compacting for a while, and a measurement started meanwhile shares the
 * cores with that work — the main source of spread between paired rounds.
 */
async function quiesce(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const before = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 250));
    if (cpuSeconds(pid) - before < 0.005) return;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

export async function benchIngest(): Promise<string[]> {
  const lines: string[] = [];
  const influxd = await startInfluxd();
  const broker = await startMosquitto();
  try {
    const site = loadSite(benchSite());
    const t0 = Date.now() - 86_400_000;
    const rows = Array.from({ length: BATCHES }, (_, i) => batch(i + 1, t0).readings)
      .flat()
      .map((r) => ({ ...r, site: site.config.site.id, ts: Date.parse(r.ts) }));
    // Baseline: the same 100,000 points written in bulk through the same store (5,000 per write, 4 writers).
    const bulk = async (store: Store) => {
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < rows.length) {
            const slice = rows.slice(next, next + 5000);
            next += 5000;
            await store.writeReadings(slice);
          }
        }),
      );
      return rows.length / ((performance.now() - started) / 1000);
    };
    // Bulk writes and end-to-end runs alternate, so a drift of the shared machine over the run
    // affects both alike; influxd is let go idle before each.
    const measure = async (
      kind: string,
      open: (name: string) => Promise<Store>,
      connections: number,
    ): Promise<string> => {
      const rates: number[] = [];
      const bulks: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const bulkStore = await open(`bulk${connections}r${round}`);
        await quiesce(influxd.pid);
        const b = await bulk(bulkStore);
        await bulkStore.close();
        const store = await open(`ingest${connections}r${round}`);
        await quiesce(influxd.pid);
        const rate = await ingest(store, broker.url, t0 + connections * 10 + round, connections);
        await store.close();
        bulks.push(b);
        rates.push(rate);
      }
      // The ratio of the medians: a bulk write of 100,000 points lasts under a second, and single
      // pairs swing both ways (influxd's background work lands in either run); each round's own
      // ratio is printed after it.
      const perRound = rates.map((r, i) => (r / (bulks[i] ?? Number.NaN)).toFixed(2)).join(' ');
      return `${kind}: MQTT → collector (${connections} connection${connections > 1 ? 's' : ''}${connections === 8 ? ', the default' : ''}) → store ${median(rates).toFixed(0)} points/s | bulk write ${median(bulks).toFixed(0)} points/s | ratio ${(median(rates) / median(bulks)).toFixed(2)} (medians of ${ROUNDS} rounds, each a bulk write then an end-to-end run; per round ${perRound}; goal ≥ 0.7)`;
    };
    const influx = async (name: string) => {
      const store = new InfluxStore(`${influxd.url}/${name}`);
      await store.open();
      return store;
    };
    for (const connections of [1, 8, 32]) lines.push(await measure('InfluxDB', influx, connections));
    const dir = mkdtempSync(join(tmpdir(), 'jn-bench-ingest-sqlite-'));
    const sqlite = async (name: string) => {
      const store = new SqliteStore(join(dir, `${name}.db`));
      await store.open();
      return store;
    };
    for (const connections of [1, 8, 32]) lines.push(await measure('embedded', sqlite, connections));
  } finally {
    await broker.stop();
    await influxd.stop();
  }
  return lines;
}
