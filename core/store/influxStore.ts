import { InfluxDB, type IPoint, escape as influxEscape } from 'influx';
import { JnError } from '../errors.ts';
import type { Quality } from '../telemetry.ts';
import { bucketEdges, DAY_MS, type HistoryBucket, type HistoryQuery, mergeBuckets } from './buckets.ts';
import type {
  QuarantinedReading,
  ReadingQuery,
  RollupQuery,
  RollupRow,
  Store,
  StoredReading,
  StoreOptions,
} from './store.ts';

const measurement = 'reading';
const rollupMeasurement = 'consumption';
const quarantineMeasurement = 'quarantine';
/** Retention policy of raw readings (the database default) and of rollups (kept forever). */
const RAW_RP = 'raw';
const FOREVER_RP = 'forever';
const rollupTags = ['period', 'meter', 'building', 'area', 'category', 'subitem', 'role'] as const;
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
  private readonly writeUrl: string;
  private readonly headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };

  constructor(
    url: string,
    private readonly options: StoreOptions = {},
  ) {
    const opts = parseInfluxUrl(url);
    this.database = opts.database;
    const token = options.influxToken;
    if (token !== undefined && opts.username !== undefined)
      throw new JnError(
        'config_invalid',
        `InfluxDB ${opts.host}:${opts.port}: both a token (INFLUX_TOKEN) and a user in the URL were given; use one`,
      );
    if (token !== undefined) {
      // The influx package sends Basic auth (root:root when no user is given) whenever its username
      // is a string, and that would replace the token: null turns it off.
      this.influx = new InfluxDB({
        ...opts,
        username: null as unknown as string,
        options: { headers: { authorization: `Token ${token}` } },
      });
      this.headers.authorization = `Token ${token}`;
    } else {
      this.influx = new InfluxDB({ ...opts });
      if (opts.username !== undefined)
        this.headers.authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}`;
    }
    const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    const query = new URLSearchParams({ db: opts.database, precision: 'ms' });
    this.writeUrl = `${opts.protocol}://${host}:${opts.port}/write?${query}`;
  }

  async open(): Promise<void> {
    // CREATE DATABASE is idempotent in InfluxQL; retention policies are created or altered to match.
    await this.influx.createDatabase(this.database);
    const days = this.options.rawRetentionDays;
    const rawDuration = days === undefined ? 'INF' : `${Math.max(1, Math.round(days * 24))}h`;
    const existing = new Set((await this.influx.showRetentionPolicies(this.database)).map((p) => p.name));
    const rp = async (name: string, duration: string, isDefault: boolean) => {
      const verb = existing.has(name) ? 'ALTER' : 'CREATE';
      await this.influx.query(
        `${verb} RETENTION POLICY ${influxEscape.quoted(name)} ON ${influxEscape.quoted(this.database)} DURATION ${duration} REPLICATION 1${isDefault ? ' DEFAULT' : ''}`,
      );
    };
    await rp(RAW_RP, rawDuration, true);
    await rp(FOREVER_RP, 'INF', false);
  }

  /**
   * Line-protocol series keys (`reading,site=…,device=…`) by device and point: the same few
   * thousand series repeat in every batch, so the key is escaped and joined once and then only
   * checked against the reading's tags. Bounded like any cache fed from outside.
   */
  private readonly series = new Map<string, Map<string, { tags: string[]; prefix: string }>>();
  private seriesCount = 0;
  private seriesPrefix(r: StoredReading): string {
    let byPoint = this.series.get(r.device);
    const cached = byPoint?.get(r.point);
    if (cached && tagKeys.every((k, i) => (r[k] ?? '') === cached.tags[i])) return cached.prefix;
    const tags = tagKeys.map((k) => r[k] ?? '');
    let prefix = measurement;
    tagKeys.forEach((k, i) => {
      if (tags[i] !== '') prefix += `,${k}=${influxEscape.tag(tags[i] as string)}`;
    });
    if (this.seriesCount >= 100_000) {
      this.series.clear();
      this.seriesCount = 0;
      byPoint = undefined;
    }
    if (!byPoint) {
      byPoint = new Map();
      this.series.set(r.device, byPoint);
    }
    if (!byPoint.has(r.point)) this.seriesCount++;
    byPoint.set(r.point, { tags, prefix });
    return prefix;
  }

  /** Quoted string fields of a small vocabulary (quality, unit), bounded. */
  private readonly fields = new Map<string, string>();
  private field(v: string): string {
    let e = this.fields.get(v);
    if (e === undefined) {
      if (this.fields.size > 1000) this.fields.clear();
      e = fieldString(v);
      this.fields.set(v, e);
    }
    return e;
  }

  async writeReadings(readings: readonly StoredReading[]): Promise<void> {
    if (readings.length === 0) return;
    // Line protocol written here rather than through influx.writePoints: the same escaping (the
    // package's `escape`), without its per-point schema coercion, which halved throughput
    // (bench/storeWrite.ts).
    let body = '';
    for (const r of readings) {
      let line = `${this.seriesPrefix(r)} quality=${this.field(r.quality)}`;
      if (r.value !== null) line += `,value=${floatField(r.value)}`;
      if (r.unit !== undefined) line += `,unit=${this.field(r.unit)}`;
      if (r.reason !== undefined) line += `,reason=${fieldString(r.reason)}`;
      body += `${line} ${Math.trunc(r.ts)}\n`;
    }
    let res: Response;
    try {
      // As bytes: a string body is first scanned whole for lone surrogates by fetch (toUSVString).
      res = await fetch(this.writeUrl, {
        method: 'POST',
        body: Buffer.from(body, 'utf8'),
        headers: this.headers,
      });
    } catch (err) {
      // fetch says only "fetch failed"; the reason (ECONNREFUSED, ETIMEDOUT…) is in its cause.
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new JnError(
        'store_unavailable',
        `InfluxDB ${new URL(this.writeUrl).host} unreachable: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
        { cause: err },
      );
    }
    const text = await res.text(); // always read the body (DESIGN §9)
    if (res.status === 204) return;
    // Readings older than the raw retention (a long-spooled replay) are dropped by InfluxDB
    // itself, by policy; the rest of the batch was written. Anything else is a failure.
    if (res.status === 400 && /points beyond retention policy/.test(text)) return;
    throw new JnError('store_unavailable', `InfluxDB write: HTTP ${res.status} ${text.trim().slice(0, 300)}`);
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

  /**
   * InfluxQL aggregates on InfluxDB's own grid — `time(<bucket>ms, <offset>ms)` anchored like the
   * shared grid below a day, `time(1d) tz(<zone>)` (local days) from a day up — merged into the
   * shared buckets (n-day buckets from their days: min, max, sum and count merge exactly).
   */
  async history(q: HistoryQuery): Promise<HistoryBucket[]> {
    const edges = bucketEdges(q);
    if (edges.length === 0) return [];
    const timeZone = q.timeZone ?? 'Asia/Shanghai';
    const base = Math.min(q.bucketMs, DAY_MS);
    const origin = edges[0] as number;
    // tz() is the last clause of an InfluxQL SELECT, after fill().
    const group =
      base < DAY_MS
        ? `time(${base}ms, ${((origin % base) + base) % base}ms) fill(none)`
        : `time(1d) fill(none) tz(${influxEscape.stringLit(timeZone)})`;
    const rows = await this.influx.query<Record<string, unknown>>(
      `SELECT min("value") AS lo, max("value") AS hi, sum("value") AS total, count("value") AS n FROM ${measurement}
       WHERE "device" = ${influxEscape.stringLit(q.device)} AND "point" = ${influxEscape.stringLit(q.point)}
       AND time >= ${Math.trunc(q.from)}ms AND time < ${Math.trunc(q.to)}ms GROUP BY ${group}`,
    );
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    // Placed by the middle of InfluxDB's bucket: a local day starts within an hour of where
    // InfluxDB's tz() grid says it does, even on a daylight-saving day.
    const parts = rows.map((r) => ({
      at: (r.time as Date).getTime() + base / 2,
      min: num(r.lo),
      max: num(r.hi),
      sum: num(r.total),
      count: num(r.n) ?? 0,
    }));
    return mergeBuckets(edges, parts);
  }

  async writeRollups(rows: readonly RollupRow[]): Promise<void> {
    if (rows.length === 0) return;
    const points: IPoint[] = rows.map((r) => {
      const tags: Record<string, string> = {};
      for (const k of rollupTags) {
        const v = r[k];
        if (v !== undefined && v !== '') tags[k] = v;
      }
      const fields: Record<string, number | string> = { value: r.value, estimated: r.estimated };
      if (r.unit !== undefined) fields.unit = r.unit;
      return { measurement: rollupMeasurement, tags, fields, timestamp: new Date(r.start) };
    });
    await this.influx.writePoints(points, { precision: 'ms', retentionPolicy: FOREVER_RP });
  }

  /**
   * Quarantine: measurement `quarantine` in the raw retention policy, stamped with the time it was
   * received (its own timestamp may lie outside any retention: it is a field), a nanosecond apart
   * each so that readings received in the same millisecond stay apart.
   */
  async writeQuarantine(rows: readonly QuarantinedReading[]): Promise<void> {
    if (rows.length === 0) return;
    const points: IPoint[] = rows.map((q, i) => {
      const fields: Record<string, number | string> = { ts: q.ts, quality: q.quality, reason: q.reason };
      if (q.value !== null) fields.value = q.value;
      if (q.unit !== undefined) fields.unit = q.unit;
      return {
        measurement: quarantineMeasurement,
        tags: { gateway: q.gateway, device: q.device, point: q.point, kind: q.kind },
        fields,
        timestamp: `${Math.trunc(q.received)}${String(i % 1_000_000).padStart(6, '0')}`,
      };
    });
    await this.influx.writePoints(points, { precision: 'n', retentionPolicy: RAW_RP });
  }

  async queryQuarantine(q: { from?: number; to?: number }): Promise<QuarantinedReading[]> {
    const where: string[] = [];
    if (q.from !== undefined) where.push(`time >= ${Math.trunc(q.from)}ms`);
    if (q.to !== undefined) where.push(`time < ${Math.trunc(q.to)}ms`);
    const rows = await this.influx.query<Record<string, unknown>>(
      `SELECT * FROM ${influxEscape.quoted(RAW_RP)}.${quarantineMeasurement}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY time`,
    );
    return rows.map((row) => {
      const out: QuarantinedReading = {
        gateway: String(row.gateway),
        device: String(row.device),
        point: String(row.point),
        value: row.value === null || row.value === undefined ? null : Number(row.value),
        ts: String(row.ts),
        quality: row.quality as Quality,
        kind: String(row.kind),
        reason: String(row.reason),
        received: (row.time as Date).getTime(),
      };
      if (row.unit !== null && row.unit !== undefined) out.unit = String(row.unit);
      return out;
    });
  }

  async queryRollups(q: RollupQuery): Promise<RollupRow[]> {
    const where = [`"period" = ${influxEscape.stringLit(q.period)}`];
    if (q.meter !== undefined) where.push(`"meter" = ${influxEscape.stringLit(q.meter)}`);
    if (q.from !== undefined) where.push(`time >= ${Math.trunc(q.from)}ms`);
    if (q.to !== undefined) where.push(`time < ${Math.trunc(q.to)}ms`);
    const rows = await this.influx.query<Record<string, unknown>>(
      `SELECT * FROM ${influxEscape.quoted(FOREVER_RP)}.${rollupMeasurement} WHERE ${where.join(' AND ')} ORDER BY time`,
    );
    return rows
      .map((row) => {
        const out: RollupRow = {
          period: row.period as RollupRow['period'],
          meter: String(row.meter),
          start: (row.time as Date).getTime(),
          value: Number(row.value),
          estimated: Number(row.estimated),
        };
        for (const k of ['unit', 'building', 'area', 'category', 'subitem'] as const)
          if (typeof row[k] === 'string' && row[k] !== '') out[k] = row[k] as string;
        if (row.role === 'main' || row.role === 'sub') out.role = row.role;
        return out;
      })
      .sort((a, b) => a.start - b.start || a.meter.localeCompare(b.meter));
  }

  async applyRetention(): Promise<number | undefined> {
    // The "raw" retention policy expires raw readings inside InfluxDB.
    return undefined;
  }

  async ping(): Promise<boolean> {
    const hosts = await this.influx.ping(2000);
    return hosts.some((h) => h.online);
  }

  async close(): Promise<void> {
    // The influx client keeps no open connections of its own.
  }
}

/** A string field value: double quotes and backslashes escaped, in double quotes. */
function fieldString(v: string): string {
  return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A float field: JavaScript's shortest round-trip form, which InfluxDB parses exactly (1000 → 1000, a float). */
function floatField(v: number): string {
  return String(v);
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
