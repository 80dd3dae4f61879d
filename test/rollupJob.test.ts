import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { RollupJob } from '../collector/rollups.ts';
import { ManualClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { InfluxStore } from '../core/store/influxStore.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import type { Store, StoredReading } from '../core/store/store.ts';
import { writeTestSite } from './helpers/site.ts';

const log = createLogger({ level: 'error' });
const at = (local: string) => Date.parse(`${local.replace(' ', 'T')}:00+08:00`);

function kwh(local: string, value: number): StoredReading {
  return {
    site: 'test-site',
    building: 'b1',
    device: 'm-a',
    point: 'import_energy',
    meter: 'm-a-kwh',
    category: 'electricity',
    value,
    unit: 'kWh',
    ts: at(local),
    quality: 'good',
  };
}

/**
 * The rollup job against both stores: readings stored, the meter's hours and local day computed;
 * then a late batch (a gateway's spool, hours later) recomputes exactly the hours and the day it
 * touches. Figures are worked out by hand beside each expectation.
 */
for (const [name, make] of [
  ['embedded', async () => new SqliteStore(join(mkdtempSync(join(tmpdir(), 'jn-rollup-')), 'jieneng.db'))],
  ['InfluxDB', async () => new InfluxStore(`${inject('influxUrl')}/rollup_${process.pid}`)],
] as [string, () => Promise<Store>][]) {
  describe(`rollup job (${name} store)`, () => {
    it('computes hours and days in local time and recomputes them when late data arrives', async () => {
      const { file } = writeTestSite({ modbusPort: 1, gatewayId: 'gw', devices: ['m-a'] });
      const site = loadSite(file);
      const store = await make();
      await store.open();
      const job = new RollupJob({ site, store, clock: new ManualClock(at('2025-07-02 12:00')), log });
      try {
        // 23:00–01:00 across local midnight, every 15 min, but 00:15–00:45 missing (a gap on the uplink)
        const first = [
          kwh('2025-07-01 23:00', 1000),
          kwh('2025-07-01 23:15', 1002),
          kwh('2025-07-01 23:30', 1004),
          kwh('2025-07-01 23:45', 1006),
          kwh('2025-07-02 00:00', 1008),
          kwh('2025-07-02 01:00', 1016),
        ];
        await store.writeReadings(first);
        job.markDirty(first);
        await job.runOnce();
        const hours = async () =>
          (await store.queryRollups({ period: 'hour', meter: 'm-a-kwh' })).map((r) => [
            new Date(r.start + 8 * 3_600_000).toISOString().slice(0, 13),
            r.value,
            r.estimated,
          ]);
        // 23h: 1000 → 1008 = 8, measured. 00h: 1008 → 1016 over 60 min (> 30 min gap) = 8, estimated.
        expect(await hours()).toEqual([
          ['2025-07-01T23', 8, 0],
          ['2025-07-02T00', 8, 8],
        ]);
        // Days are local: 07-01 = 8, 07-02 = 8 (8 estimated), starting at local midnight (16:00 UTC).
        const days = await store.queryRollups({ period: 'day', meter: 'm-a-kwh' });
        expect(days.map((d) => [d.start, d.value, d.estimated])).toEqual([
          [Date.parse('2025-06-30T16:00:00Z'), 8, 0],
          [Date.parse('2025-07-01T16:00:00Z'), 8, 8],
        ]);
        expect(days[0]).toMatchObject({ building: 'b1', category: 'electricity', role: 'main', unit: 'kWh' });

        // The gateway's spool delivers the missing readings late: 00h is now measured.
        const late = [
          kwh('2025-07-02 00:15', 1009),
          kwh('2025-07-02 00:30', 1013),
          kwh('2025-07-02 00:45', 1015),
        ];
        await store.writeReadings(late);
        job.markDirty(late);
        await job.runOnce();
        // 00h: 1008 → 1009 → 1013 → 1015 → 1016 = 8, nothing estimated; 23h unchanged.
        expect(await hours()).toEqual([
          ['2025-07-01T23', 8, 0],
          ['2025-07-02T00', 8, 0],
        ]);
        const after = await store.queryRollups({ period: 'day', meter: 'm-a-kwh' });
        expect(after.map((d) => [d.value, d.estimated])).toEqual([
          [8, 0],
          [8, 0],
        ]);
        expect(job.counters.errors).toBe(0);
      } finally {
        await job.stop();
        await store.close();
      }
    });
  });
}
