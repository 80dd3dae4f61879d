import type { Quality } from '../telemetry.ts';

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

export interface ReadingQuery {
  device?: string;
  point?: string;
  /** Inclusive, ms. */
  from?: number;
  /** Exclusive, ms. */
  to?: number;
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
  /** Cheap liveness probe for health checks. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
