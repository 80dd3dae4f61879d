import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Quality } from '../telemetry.ts';
import type { ReadingQuery, Store, StoredReading } from './store.ts';

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

  constructor(private readonly file: string) {}

  async open(): Promise<void> {
    if (this.db) return;
    if (this.file !== ':memory:') mkdirSync(dirname(this.file), { recursive: true });
    const db = new Database(this.file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE IF NOT EXISTS readings (
      device TEXT NOT NULL, point TEXT NOT NULL, ts INTEGER NOT NULL,
      site TEXT NOT NULL, building TEXT, meter TEXT, category TEXT, subitem TEXT,
      value REAL, unit TEXT, quality TEXT NOT NULL, reason TEXT,
      PRIMARY KEY (device, point, ts)
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

  async ping(): Promise<boolean> {
    return this.conn.prepare('SELECT 1 AS one').get() !== undefined;
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.insert = undefined;
  }
}
