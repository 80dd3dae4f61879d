import { InfluxDB, type IPoint, escape as influxEscape } from 'influx';
import { JnError } from '../errors.ts';
import type { Quality } from '../telemetry.ts';
import type { ReadingQuery, Store, StoredReading } from './store.ts';

const measurement = 'reading';
const tagKeys = ['site', 'building', 'device', 'point', 'meter', 'category', 'subitem'] as const;

/** Connection settings parsed from `http(s)://[user:pass@]host:port/<database>`. */
export function parseInfluxUrl(url: string): {
  host: string;
  port: number;
  protocol: 'http' | 'https';
  database: string;
  username?: string;
  password?: string;
} {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new JnError(
      'config_invalid',
      `influx_url "${url}": use http:// or https://, e.g. http://127.0.0.1:8086/jieneng`,
    );
  const database = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, '')) || 'jieneng';
  const out: ReturnType<typeof parseInfluxUrl> = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 8086,
    protocol: u.protocol === 'https:' ? 'https' : 'http',
    database,
  };
  if (u.username) out.username = decodeURIComponent(u.username);
  if (u.password) out.password = decodeURIComponent(u.password);
  return out;
}

/**
 * InfluxDB through the v1 HTTP API (`/write` line protocol, `/query` InfluxQL), which InfluxDB 1.x,
 * 2.x (v1 compatibility) and 3.x serve. Measurement `reading`; tags site, building, device, point,
 * meter, category, subitem; fields value (float), quality, unit, reason (strings); ms precision.
 */
export class InfluxStore implements Store {
  readonly kind = 'influxdb' as const;
  private readonly influx: InfluxDB;
  readonly database: string;

  constructor(url: string) {
    const opts = parseInfluxUrl(url);
    this.database = opts.database;
    this.influx = new InfluxDB({ ...opts });
  }

  async open(): Promise<void> {
    // CREATE DATABASE is idempotent in InfluxQL.
    await this.influx.createDatabase(this.database);
  }

  async writeReadings(readings: readonly StoredReading[]): Promise<void> {
    if (readings.length === 0) return;
    const points: IPoint[] = readings.map((r) => {
      const tags: Record<string, string> = {};
      for (const k of tagKeys) {
        const v = r[k];
        if (v !== undefined && v !== '') tags[k] = v;
      }
      const fields: Record<string, number | string> = { quality: r.quality };
      if (r.value !== null) fields.value = r.value;
      if (r.unit !== undefined) fields.unit = r.unit;
      if (r.reason !== undefined) fields.reason = r.reason;
      return { measurement, tags, fields, timestamp: new Date(r.ts) };
    });
    await this.influx.writePoints(points, { precision: 'ms' });
  }

  async queryReadings(q: ReadingQuery): Promise<StoredReading[]> {
    const where: string[] = [];
    if (q.device !== undefined) where.push(`"device" = ${influxEscape.stringLit(q.device)}`);
    if (q.point !== undefined) where.push(`"point" = ${influxEscape.stringLit(q.point)}`);
    if (q.from !== undefined) where.push(`time >= ${Math.trunc(q.from)}ms`);
    if (q.to !== undefined) where.push(`time < ${Math.trunc(q.to)}ms`);
    const rows = await this.influx.query<Record<string, unknown>>(
      `SELECT * FROM ${measurement}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY time`,
    );
    return rows
      .map(fromRow)
      .sort((a, b) => a.ts - b.ts || a.device.localeCompare(b.device) || a.point.localeCompare(b.point));
  }

  async latest(): Promise<StoredReading[]> {
    const rows = await this.influx.query<Record<string, unknown>>(
      `SELECT * FROM ${measurement} GROUP BY * ORDER BY time DESC LIMIT 1`,
    );
    // A (device, point) may span several series when its tags changed; keep the newest.
    const newest = new Map<string, StoredReading>();
    for (const r of rows.map(fromRow)) {
      const key = `${r.device}\u0000${r.point}`;
      const prev = newest.get(key);
      if (!prev || prev.ts < r.ts) newest.set(key, r);
    }
    return [...newest.values()].sort(
      (a, b) => a.device.localeCompare(b.device) || a.point.localeCompare(b.point),
    );
  }

  async ping(): Promise<boolean> {
    const hosts = await this.influx.ping(2000);
    return hosts.some((h) => h.online);
  }

  async close(): Promise<void> {
    // The influx client keeps no open connections of its own.
  }
}

function fromRow(row: Record<string, unknown>): StoredReading {
  const str = (k: string) => (typeof row[k] === 'string' && row[k] !== '' ? (row[k] as string) : undefined);
  const out: StoredReading = {
    site: str('site') ?? '',
    device: str('device') ?? '',
    point: str('point') ?? '',
    value: typeof row.value === 'number' ? row.value : null,
    ts: (row.time as Date).getTime(),
    quality: (str('quality') ?? 'good') as Quality,
  };
  for (const k of ['building', 'meter', 'category', 'subitem', 'unit', 'reason'] as const) {
    const v = str(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
