import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { InfluxStore } from '../core/store/influxStore.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import type { StoredReading } from '../core/store/store.ts';
import { startInfluxd } from '../test/servers/influxd.ts';

/**
 * Store write throughput against baselines measured in the same run: InfluxStore.writeReadings
 * versus raw line protocol POSTed to /write, and SqliteStore.writeReadings versus a bare
 * better-sqlite3 insert of the same rows. Both sides write the same points in the same batches.
 */
const POINTS = 200_000;
const BATCH = 5_000;
const WRITERS = 4;

function readings(offset: number): StoredReading[] {
  const t0 = Date.UTC(2026, 0, 1) + offset;
  return Array.from({ length: POINTS }, (_, i) => ({
    site: 'bench',
    building: `b${i % 3}`,
    device: `meter-${i % 500}`,
    point: 'import_energy',
    meter: `m-${i % 500}`,
    category: 'electricity',
    subitem: 'lighting_socket',
    value: 1000 + i * 0.25,
    unit: 'kWh',
    ts: t0 + Math.floor(i / 500) * 1000,
    quality: 'good' as const,
  }));
}

function batches<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += BATCH) out.push(rows.slice(i, i + BATCH));
  return out;
}

async function concurrently<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

const esc = (v: string) => v.replace(/[,= ]/g, (c) => `\\${c}`);
function lineProtocol(r: StoredReading): string {
  return `reading,building=${esc(r.building ?? '')},category=${r.category},device=${esc(r.device)},meter=${esc(r.meter ?? '')},point=${r.point},site=${r.site},subitem=${r.subitem} quality="good",unit="kWh",value=${r.value} ${r.ts}`;
}

export async function benchStoreWrite(): Promise<string[]> {
  const lines: string[] = [];
  const influxd = await startInfluxd();
  try {
    // Baseline: raw line protocol, 4 writers, 5,000-line batches.
    await fetch(`${influxd.url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: 'CREATE DATABASE raw' }),
    }).then((r) => r.text());
    const rawBatches = batches(readings(0)).map((b) => b.map(lineProtocol).join('\n'));
    const rawSeconds = await timed(() =>
      concurrently(rawBatches, async (body) => {
        const res = await fetch(`${influxd.url}/write?db=raw&precision=ms`, { method: 'POST', body });
        await res.text();
        if (res.status !== 204) throw new Error(`raw write: HTTP ${res.status}`);
      }),
    );
    const store = new InfluxStore(`${influxd.url}/viastore`);
    await store.open();
    const storeBatches = batches(readings(0));
    const storeSeconds = await timed(() => concurrently(storeBatches, (b) => store.writeReadings(b)));
    lines.push(
      `InfluxDB 1.x  raw line protocol ${(POINTS / rawSeconds).toFixed(0)} points/s | InfluxStore ${(POINTS / storeSeconds).toFixed(0)} points/s | ratio ${(rawSeconds / storeSeconds).toFixed(2)}`,
    );
  } finally {
    await influxd.stop();
  }

  const dir = mkdtempSync(join(tmpdir(), 'jn-bench-'));
  const rows = readings(0);
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'CREATE TABLE r (device TEXT, point TEXT, ts INTEGER, value REAL, PRIMARY KEY (device, point, ts)) WITHOUT ROWID',
  );
  const insert = db.prepare('INSERT OR REPLACE INTO r VALUES (?, ?, ?, ?)');
  const rawSqlite = await timed(async () => {
    for (const b of batches(rows)) {
      db.transaction(() => {
        for (const r of b) insert.run(r.device, r.point, r.ts, r.value);
      })();
    }
  });
  db.close();
  const sqlite = new SqliteStore(join(dir, 'store.db'));
  await sqlite.open();
  const storeSqlite = await timed(async () => {
    for (const b of batches(rows)) await sqlite.writeReadings(b);
  });
  await sqlite.close();
  lines.push(
    `embedded     bare better-sqlite3 ${(POINTS / rawSqlite).toFixed(0)} rows/s | SqliteStore ${(POINTS / storeSqlite).toFixed(0)} rows/s | ratio ${(rawSqlite / storeSqlite).toFixed(2)}`,
  );
  return lines;
}
