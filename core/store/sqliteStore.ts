import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Quality } from '../telemetry.ts';
import {
  type BucketPart,
  bucketEdges,
  type HistoryBucket,
  type HistoryQuery,
  mergeBuckets,
} from './buckets.ts';
import type {
  QuarantinedReading,
  ReadingQuery,
  RollupQuery,
  RollupRow,
  Store,
  StoredReading,
  StoreOptions,
} from './store.ts';

interface Row {
  ts: number;
  site: string;
  building: string | null;
  device: string;
  point: string;
  meter: string | null;
  category: string | null;
  subitem: string | null;
  value: number | null;
  unit: string | null;
  quality: string;
  reason: string | null;
}

function fromRow(r: Row): StoredReading {
  const out: StoredReading = {
    site: r.site,
    device: r.device,
    point: r.point,
    value: r.value,
    ts: r.ts,
    quality: r.quality as Quality,
  };
  if (r.building !== null) out.building = r.building;
  if (r.meter !== null) out.meter = r.meter;
  if (r.category !== null) out.category = r.category;
  if (r.subitem !== null) out.subitem = r.subitem;
  if (r.unit !== null) out.unit = r.unit;
  if (r.reason !== null) out.reason = r.reason;
  return out;
}

/**
 * The embedded store: SQLite (better-sqlite3 12) in one file. A reading is keyed by
 * (device, point, ts) and a second write of the same key replaces the first — the same
 * semantics as an InfluxDB point with the same series and timestamp, so replays are idempotent.
 */
export class SqliteStore implements Store {
  readonly kind = 'embedded' as const;
  private db: Database.Database | undefined;
  private insert: Database.Statement | undefined;

  constructor(
    private readonly file: string,
    private readonly options: StoreOptions = {},
  ) {}

  async open(): Promise<void> {
    if (this.db) return;
    if (this.file !== ':memory:') mkdirSync(dirname(this.file), { recursive: true });
    const db = new Database(this.file);
    db.pragma('journal_mode = WAL');
    // FULL: a write the collector confirms lets the gateway delete the batch from its spool, so it
    // must survive a power cut (NORMAL in WAL mode may lose the last commits). Group commit keeps
    // it to one fsync per merged write.
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE IF NOT EXISTS readings (
      device TEXT NOT NULL, point TEXT NOT NULL, ts INTEGER NOT NULL,
      site TEXT NOT NULL, building TEXT, meter TEXT, category TEXT, subitem TEXT,
      value REAL, unit TEXT, quality TEXT NOT NULL, reason TEXT,
      PRIMARY KEY (device, point, ts)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS readings_ts ON readings (ts);
    CREATE TABLE IF NOT EXISTS quarantine (
      received INTEGER NOT NULL, gateway TEXT NOT NULL, device TEXT NOT NULL, point TEXT NOT NULL,
      value REAL, unit TEXT, ts TEXT NOT NULL, quality TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS quarantine_received ON quarantine (received);
    CREATE TABLE IF NOT EXISTS rollups (
      period TEXT NOT NULL, meter TEXT NOT NULL, start INTEGER NOT NULL,
      value REAL NOT NULL, estimated REAL NOT NULL, unit TEXT,
      building TEXT, area TEXT, category TEXT, subitem TEXT, role TEXT,
      PRIMARY KEY (period, meter, start)
    ) WITHOUT ROWID`);
    this.insert = db.prepare(`INSERT OR REPLACE INTO readings
      (device, point, ts, site, building, meter, category, subitem, value, unit, quality, reason)
      VALUES (@device, @point, @ts, @site, @building, @meter, @category, @subitem, @value, @unit, @quality, @reason)`);
    this.db = db;
  }

  private get conn(): Database.Database {
    if (!this.db) throw new Error('embedded store is not open');
    return this.db;
  }

  async writeReadings(readings: readonly StoredReading[]): Promise<void> {
    const insert = this.insert;
    if (!insert) throw new Error('embedded store is not open');
    const tx = this.conn.transaction((rows: readonly StoredReading[]) => {
      for (const r of rows) {
        insert.run({
          device: r.device,
          point: r.point,
          ts: r.ts,
          site: r.site,
          building: r.building ?? null,
          meter: r.meter ?? null,
          category: r.category ?? null,
          subitem: r.subitem ?? null,
          value: r.value,
          unit: r.unit ?? null,
          quality: r.quality,
          reason: r.reason ?? null,
        });
      }
    });
    tx(readings);
  }

  async queryReadings(q: ReadingQuery): Promise<StoredReading[]> {
    const where: string[] = [];
    if (q.device !== undefined) where.push('device = @device');
    if (q.point !== undefined) where.push('point = @point');
    if (q.from !== undefined) where.push('ts >= @from');
    if (q.to !== undefined) where.push('ts < @to');
    const sql = `SELECT * FROM readings ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts, device, point`;
    const rows = this.conn.prepare(sql).all({ ...q }) as Row[];
    return rows.map(fromRow);
  }

  async latest(): Promise<StoredReading[]> {
    // SQLite returns the bare columns of the row that holds MAX(ts) in each group.
    const rows = this.conn
      .prepare('SELECT *, MAX(ts) AS max_ts FROM readings GROUP BY device, point ORDER BY device, point')
      .all() as Row[];
    return rows.map(fromRow);
  }

  async history(q: HistoryQuery): Promise<HistoryBucket[]> {
    const edges = bucketEdges(q);
    if (edges.length === 0) return [];
    // One indexed range scan per bucket over the (device, point, ts) key; the bucket bounds come in
    // as a JSON array, so any grid (local days of 23 or 25 hours too) is aggregated the same way.
    const parts = this.conn
      .prepare(
        `WITH e AS (SELECT key AS i, value AS lo, lead(value) OVER (ORDER BY key) AS hi FROM json_each(@edges))
         SELECT e.lo AS at, min(r.value) AS min, max(r.value) AS max, sum(r.value) AS sum, count(r.value) AS count
         FROM e JOIN readings r ON r.device = @device AND r.point = @point
           AND r.ts >= max(e.lo, @from) AND r.ts < min(e.hi, @to)
         WHERE e.hi IS NOT NULL GROUP BY e.i`,
      )
      .all({ edges: JSON.stringify(edges), device: q.device, point: q.point, from: q.from, to: q.to });
    return mergeBuckets(edges, parts as BucketPart[]);
  }

  async writeRollups(rows: readonly RollupRow[]): Promise<void> {
    const insert = this.conn.prepare(`INSERT OR REPLACE INTO rollups
      (period, meter, start, value, estimated, unit, building, area, category, subitem, role)
      VALUES (@period, @meter, @start, @value, @estimated, @unit, @building, @area, @category, @subitem, @role)`);
    this.conn.transaction((list: readonly RollupRow[]) => {
      for (const r of list)
        insert.run({
          unit: null,
          building: null,
          area: null,
          category: null,
          subitem: null,
          role: null,
          ...r,
        });
    })(rows);
  }

  async queryRollups(q: RollupQuery): Promise<RollupRow[]> {
    const where = ['period = @period'];
    if (q.meter !== undefined) where.push('meter = @meter');
    if (q.from !== undefined) where.push('start >= @from');
    if (q.to !== undefined) where.push('start < @to');
    const rows = this.conn
      .prepare(`SELECT * FROM rollups WHERE ${where.join(' AND ')} ORDER BY start, meter`)
      .all({ ...q }) as Record<string, unknown>[];
    return rows.map((r) => {
      const out: RollupRow = {
        period: r.period as RollupRow['period'],
        meter: r.meter as string,
        start: r.start as number,
        value: r.value as number,
        estimated: r.estimated as number,
      };
      for (const k of ['unit', 'building', 'area', 'category', 'subitem'] as const)
        if (typeof r[k] === 'string') out[k] = r[k];
      if (r.role === 'main' || r.role === 'sub') out.role = r.role;
      return out;
    });
  }

  async writeQuarantine(rows: readonly QuarantinedReading[]): Promise<void> {
    const insert = this.conn.prepare(`INSERT INTO quarantine
      (received, gateway, device, point, value, unit, ts, quality, kind, reason)
      VALUES (@received, @gateway, @device, @point, @value, @unit, @ts, @quality, @kind, @reason)`);
    this.conn.transaction((list: readonly QuarantinedReading[]) => {
      for (const q of list) insert.run({ ...q, unit: q.unit ?? null });
    })(rows);
  }

  async queryQuarantine(q: { from?: number; to?: number }): Promise<QuarantinedReading[]> {
    const rows = this.conn
      .prepare('SELECT * FROM quarantine WHERE received >= ? AND received < ? ORDER BY received, rowid')
      .all(q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER) as (QuarantinedReading & { unit: string | null })[];
    return rows.map(({ unit, ...r }) => (unit === null ? r : { ...r, unit }));
  }

  async applyRetention(now: number): Promise<number | undefined> {
    const days = this.options.rawRetentionDays;
    if (days === undefined) return 0;
    const before = now - days * 86_400_000;
    this.conn.prepare('DELETE FROM quarantine WHERE received < ?').run(before);
    return this.conn.prepare('DELETE FROM readings WHERE ts < ?').run(before).changes;
  }

  async ping(): Promise<boolean> {
    return this.conn.prepare('SELECT 1 AS one').get() !== undefined;
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.insert = undefined;
  }
}
