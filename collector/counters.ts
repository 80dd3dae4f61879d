/** The collector's counters, in health (`services.collector.detail`) and /metrics. */
export interface CollectorCounters {
  batches: number;
  readings_stored: number;
  rejected: number;
  duplicates: number;
  /** Batches whose seq was seen before with other content (forged or reused): stored, not dropped. */
  seq_conflicts: number;
  /** Readings not stored because they failed validation (the rest of their batch is stored). */
  readings_rejected: number;
  /** Readings stamped outside the accept window: not stored, not rolled up. */
  quarantined: number;
  /** Readings of devices the gateway does not have in the site file: not stored. */
  unknown_device_readings: number;
  gaps: number;
  store_errors: number;
  /** Batches waiting for the store right now (retrying), not yet acknowledged to the broker. */
  waiting: number;
  last_rejection?: string;
  last_quarantined?: string;
  last_store_error?: string;
}
