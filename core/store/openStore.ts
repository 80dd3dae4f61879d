import { join } from 'node:path';
import { InfluxStore } from './influxStore.ts';
import { SqliteStore } from './sqliteStore.ts';
import type { Store } from './store.ts';

/** InfluxDB when `influxUrl` is given, else the embedded store at `<dataDir>/jieneng.db`. Not yet opened. */
export function createStore(options: {
  influxUrl?: string | undefined;
  dataDir: string;
  rawRetentionDays?: number | undefined;
}): Store {
  const storeOptions = { rawRetentionDays: options.rawRetentionDays };
  if (options.influxUrl) return new InfluxStore(options.influxUrl, storeOptions);
  return new SqliteStore(join(options.dataDir, 'jieneng.db'), storeOptions);
}
