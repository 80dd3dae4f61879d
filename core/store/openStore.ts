import { join } from 'node:path';
import { InfluxStore } from './influxStore.ts';
import { SqliteStore } from './sqliteStore.ts';
import type { Store } from './store.ts';

/**
 * InfluxDB when `influxUrl` is given, else the embedded store at `<dataDir>/jieneng.db`. Not yet
 * opened. An InfluxDB token comes from the environment (`INFLUX_TOKEN`, as for InfluxData's own
 * CLI), never from the site file, which is meant to be shared.
 */
export function createStore(options: {
  influxUrl?: string | undefined;
  dataDir: string;
  rawRetentionDays?: number | undefined;
  env?: NodeJS.ProcessEnv;
}): Store {
  const token = (options.env ?? process.env).INFLUX_TOKEN?.trim() || undefined;
  const storeOptions = { rawRetentionDays: options.rawRetentionDays, influxToken: token };
  if (options.influxUrl) return new InfluxStore(options.influxUrl, storeOptions);
  return new SqliteStore(join(options.dataDir, 'jieneng.db'), storeOptions);
}
