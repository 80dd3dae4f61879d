import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RollupJob } from '../collector/rollups.ts';
import { ManualClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import type { StoredReading } from '../core/store/store.ts';
import { buildReport } from '../reports/figures/build.ts';
import { Ledger } from '../reports/ledger/ledger.ts';
import { writeTestSite } from './helpers/site.ts';

/**
 * Issue #6, acceptance 3: a meter with a counter reset and a gap inside the report range, from
 * raw counter readings through the rollup job to the report. The totals match the hand-computed
 * figure and the report says how much of it is estimated.
 */
describe('report from counter readings with a reset and a gap', () => {
  it('totals what was used and says what share is estimated', async () => {
    const { file, dir } = writeTestSite({ modbusPort: 1, gatewayId: 'gw', devices: ['m-a'] });
    const site = loadSite(file);
    const store = new SqliteStore(join(dir, 'jieneng.db'));
    await store.open();
    const t0 = Date.parse('2025-03-01T00:00:00+08:00');
    const q = 15 * 60_000;
    const readings: StoredReading[] = [];
    let v = 1000;
    for (let i = 0; i <= 2 * 96; i++) {
      const ts = t0 + i * q;
      if (i > 0) v += 5; // 5 kWh every 15 min: 480 kWh a day
      if (i === 48) v = 2; // 03-01 12:00: the counter was reset and has counted 2 kWh since
      const inGap =
        ts > Date.parse('2025-03-02T06:00:00+08:00') && ts < Date.parse('2025-03-02T10:00:00+08:00');
      if (inGap) continue; // 03-02 06:00–10:00: nothing arrived
      readings.push({
        site: 'test-site',
        building: 'b1',
        device: 'm-a',
        point: 'import_energy',
        meter: 'm-a-kwh',
        category: 'electricity',
        value: v,
        unit: 'kWh',
        ts,
        quality: 'good',
      });
    }
    await store.writeReadings(readings);
    const job = new RollupJob({
      site,
      store,
      clock: new ManualClock(t0 + 3 * 86_400_000),
      log: createLogger({ level: 'error' }),
    });
    job.markAll(t0);
    await job.runOnce();
    const ledger = new Ledger(join(dir, 'ledger.db'));
    const report = await buildReport({
      site,
      store,
      ledger,
      from: '2025-03-01',
      to: '2025-03-02', // last day, included
      basis: 'equivalent',
      dataDir: dir,
      now: () => Date.parse('2025-03-03T01:30:00Z'), // 09:30 in Shanghai
    });
    ledger.close();
    await store.close();

    const electricity = report.organization.totals.find((t) => t.energy_type === 'electricity');
    // 03-01: 96 intervals × 5 = 480, but the reset interval counts only the 2 kWh the counter
    //        shows since the reset (estimated): 480 − 5 + 2 = 477, of which 2 estimated.
    // 03-02: 480; the 06:00–10:00 gap (16 × 5 = 80) is interpolated: estimated 80.
    // Total 957 kWh, estimated 82 (8.6 %); 957 × 0.1229 = 117.6153 kgce.
    expect(electricity?.quantity).toBeCloseTo(957, 9);
    expect(electricity?.estimated).toBeCloseTo(82, 9);
    expect(report.organization.energy_kgce).toBeCloseTo(117.6153, 9);
    expect(report.organization.notes).toContain('电：8.6 % 为估算（缺测、冻结或复位期间插补）');
    // both days have a metered value: complete, 82 / 957 = 8.57 % estimated
    expect(electricity?.coverage).toEqual({
      days: 2,
      metered_days: 2,
      entered_days: 0,
      share: 1,
      estimated_share: expect.closeTo(82 / 957, 12),
      state: 'complete',
    });
    // where the figures come from, and when (local time with its offset)
    expect(report.origin).toEqual({
      site_file: file,
      organization: site.config.organization.name,
      data_dir: dir,
      store: 'embedded',
      made_at: '2025-03-03T09:30:00+08:00',
    });
    expect(report.to).toBe('2025-03-02');
    expect(report.days).toBe(2);
  });
});
