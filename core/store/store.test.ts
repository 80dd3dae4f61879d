import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { InfluxStore } from './influxStore.ts';
import { SqliteStore } from './sqliteStore.ts';
import { storeContract } from './store.contract.ts';

storeContract(
  'embedded (SQLite)',
  async (options) => new SqliteStore(join(mkdtempSync(join(tmpdir(), 'jn-store-')), 'jieneng.db'), options),
);
storeContract(
  'InfluxDB 1.x (v1 HTTP API)',
  async (options) =>
    new InfluxStore(`${inject('influxUrl')}/contract_${process.pid}${options ? '_retention' : ''}`, options),
);
