import type { Quality } from '../telemetry.ts';
import type { HistoryBucket, HistoryQuery } from './buckets.ts';

export type { HistoryBucket, HistoryQuery } from './buckets.ts';

/**
 * The time-series store, one interface with two implementations held to one contract suite
 * (`store.contract.ts`): InfluxDB over the v1 HTTP API and the embedded SQLite store.
 */
export interface StoredReading {
  site: string;
  building?: string;
  device: string;
  point: string;
  /** Meter tags, when the point is a meter's counter. */
  meter?: string;
  category?: string;
  subitem?: string;
  value: number | null;
  unit?: string;
  /** Milliseconds since the epoch (source timestamp). */
  ts: number;
  quality: Quality;
  reason?: string;
}

/**
 * A reading the collector did not store as a reading — stamped outside its accept window, or of a
 * device the site file does not have — kept aside with why, so that nothing a gateway sent is lost
 * while it is kept out of readings, rollups and reports (the gateway deletes what a collector
 * confirmed, quarantined or not).
 */
export interface QuarantinedReading {
  gateway: string;
  device: string;
  point: string;
  value: number | null;
  unit?: string;
  /** The reading's own timestamp as it came (ISO-8601; it may be 1970 or 2100). */
  ts: string;
  quality: Quality;
  /** too_old, in_future, unknown_device. */
  kind: string;
  reason: string;
  /** When the collector received it, ms. */
  received: number;
}

export interface ReadingQuery {
  device?: string;
  point?: string;
  /** Inclusive, ms. */
  from?: number;
  /** Exclusive, ms. */
  to?: number;
}

/** Consumption of one meter over one local hour or day (see core/rollup). Kept forever. */
export interface RollupRow {
  period: 'hour' | 'day';
  meter: string;
  /** Start of the local hour or day, ms. */
  start: number;
  /** Consumption in the counter's unit (kWh, m³). */
  value: number;
  /** The part of `value` interpolated rather than measured. */
  estimated: number;
  unit?: string;
  building?: string;
  area?: string;
  category?: string;
  subitem?: string;
  role?: 'main' | 'sub';
}

export interface RollupQuery {
  period: 'hour' | 'day';
  meter?: string;
  /** Inclusive, ms. */
  from?: number;
  /** Exclusive, ms. */
  to?: number;
}

export interface StoreOptions {
  /** Raw readings older than this many days are removed (rollups are kept forever); default: kept. */
  rawRetentionDays?: number | undefined;
  /**
   * InfluxDB API token (InfluxDB 2.x / 3.x v1-compatible endpoints), sent as `Authorization: Token …`
   * instead of the URL's user and password.
   */
  influxToken?: string | undefined;
}

export interface Store {
  readonly kind: 'influxdb' | 'embedded';
  /** Creates databases / tables as needed. Idempotent. */
  open(): Promise<void>;
  /** Writes readings; resolves only once the store has accepted all of them. */
  writeReadings(readings: readonly StoredReading[]): Promise<void>;
  /** Raw readings in time order. */
  queryReadings(query: ReadingQuery): Promise<StoredReading[]>;
  /** The newest reading of every (device, point). */
  latest(): Promise<StoredReading[]>;
  /**
   * One point's readings in [from, to) as buckets on the grid of `bucketEdges` (core/store/buckets.ts):
   * min, max, avg and count of the values per bucket, every bucket of the range in time order, an
   * empty one with count 0 and null min/max/avg. Buckets of a day or more are local days. Throws a
   * `bad_request` past `MAX_BUCKETS` buckets.
   */
  history(query: HistoryQuery): Promise<HistoryBucket[]>;
  /** Writes rollups; a row with the same (period, meter, start) replaces the earlier one (recomputation). */
  writeRollups(rows: readonly RollupRow[]): Promise<void>;
  /** Rollups in time order (then by meter). */
  queryRollups(query: RollupQuery): Promise<RollupRow[]>;
  /** Keeps quarantined readings (never read as readings; kept as long as raw readings). */
  writeQuarantine(rows: readonly QuarantinedReading[]): Promise<void>;
  /** Quarantined readings received in [from, to), in the order received. */
  queryQuarantine(query: { from?: number; to?: number }): Promise<QuarantinedReading[]>;
  /**
   * Removes raw readings older than the retention at `now` (InfluxDB does it itself through the
   * retention policy); returns how many were removed when the store can tell.
   */
  applyRetention(now: number): Promise<number | undefined>;
  /** Cheap liveness probe for health checks. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
