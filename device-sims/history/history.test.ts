import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSite } from '../../core/config/loadSite.ts';
import { SqliteStore } from '../../core/store/sqliteStore.ts';
import { seedHistory, simulatedHistory } from './history.ts';

const site = loadSite(join(import.meta.dirname, '../../examples/demo-site.yaml'));
const until = Date.parse('2026-12-02T13:20:00+08:00');

describe("the simulated building's history (the demo's past)", () => {
  const rows = simulatedHistory(site, { from: '2020-01-01', until });
  const day = (meter: string, date: string) =>
    rows.find(
      (r) => r.period === 'day' && r.meter === meter && r.start === Date.parse(`${date}T00:00:00+08:00`),
    )?.value;

  it('has a day for every meter from the first date to today, and hours only before the start', () => {
    const meters = site.config.meters.map((m) => m.id);
    // 2020-01-01 is 元旦: the air-conditioning is off (as the live building's schedules keep it).
    for (const m of meters) expect(day(m, '2020-01-01'), m).toBeGreaterThanOrEqual(0);
    for (const m of site.config.meters.filter((x) => x.role === 'main'))
      expect(day(m.id, '2020-01-02'), m.id).toBeGreaterThan(0);
    expect(rows.filter((r) => r.period === 'hour').reduce((a, r) => Math.max(a, r.start), 0)).toBe(
      Date.parse('2026-12-02T12:00:00+08:00'),
    );
    expect(rows.every((r) => r.start < until)).toBe(true);
    expect(
      rows.filter((r) => r.period === 'hour' && r.start < Date.parse('2025-10-28T00:00:00+08:00')),
    ).toEqual([]);
  });

  it("sums each day of the hourly window from its hours, as the collector's rollups do", () => {
    const start = Date.parse('2026-11-30T00:00:00+08:00');
    const hours = rows.filter(
      (r) =>
        r.period === 'hour' && r.meter === 'zonghe-main' && r.start >= start && r.start < start + 86_400_000,
    );
    expect(hours).toHaveLength(24);
    expect(day('zonghe-main', '2026-11-30')).toBeCloseTo(
      hours.reduce((a, h) => a + h.value, 0),
      2,
    );
  });

  it('keeps the main meter above its sub-meters (其他/未计量 about 6 %), working days above rest days, summer above spring', () => {
    const subs = ['zonghe-lighting-socket', 'zonghe-hvac', 'zonghe-power', 'zonghe-special'];
    const sum = subs.reduce((a, m) => a + (day(m, '2025-07-15') ?? 0), 0);
    const main = day('zonghe-main', '2025-07-15') ?? 0;
    expect(main / sum).toBeGreaterThan(0.95);
    expect(main / sum).toBeLessThan(1.2);
    // 2025-10-01 国庆节 against a Wednesday; August against April.
    expect(day('zonghe-main', '2025-10-01') ?? 0).toBeLessThan((day('zonghe-main', '2025-10-15') ?? 0) * 0.6);
    expect(day('zonghe-hvac', '2025-08-06') ?? 0).toBeGreaterThan(
      (day('zonghe-hvac', '2025-04-09') ?? 0) * 2,
    );
    // 综合办公楼 at about 4,400 kWh on a late-November working day, like the live simulator with
    // the demo's control (test/historySeam.test.ts holds it to the live hours).
    expect(day('zonghe-main', '2026-11-25')).toBeGreaterThan(3_500);
    expect(day('zonghe-main', '2026-11-25')).toBeLessThan(5_500);
  });

  it('is the same every time (deterministic) and tags rows as the collector does', () => {
    expect(simulatedHistory(site, { from: '2026-01-01', until })).toEqual(
      rows.filter((r) => r.start >= Date.parse('2026-01-01T00:00:00+08:00')),
    );
    expect(rows.find((r) => r.meter === 'zonghe-hvac')).toMatchObject({
      building: 'zonghe-lou',
      category: 'electricity',
      subitem: 'hvac',
      role: 'sub',
      unit: 'kWh',
      estimated: 0,
    });
  });

  it('has the hours of a year ago, so that today so far compares with the same hours then', () => {
    const start = Date.parse('2025-12-02T00:00:00+08:00');
    const hours = rows.filter(
      (r) =>
        r.period === 'hour' && r.meter === 'zonghe-main' && r.start >= start && r.start < start + 86_400_000,
    );
    expect(hours).toHaveLength(24);
  });

  it('is written once into an empty store, never over stored figures', async () => {
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'jn-history-')), 'jieneng.db'));
    await store.open();
    try {
      // Written a year at a time: the same rows as made at once.
      const first = await seedHistory(store, site, { from: '2025-06-01', until });
      expect(first.written).toBe(simulatedHistory(site, { from: '2025-06-01', until }).length);
      const second = await seedHistory(store, site, { from: '2025-06-01', until });
      expect(second).toMatchObject({ written: 0, skipped: expect.stringMatching(/already holds/) });
    } finally {
      await store.close();
    }
  });
});
