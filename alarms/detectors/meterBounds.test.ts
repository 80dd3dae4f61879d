import { describe, expect, it } from 'vitest';
import type { RollupQuery, RollupRow } from '../../core/store/store.ts';
import { detectorSite, detectorsOn, reading } from './testSite.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
/** A 补班 Sunday morning: the stored weeks before it had working days, the readings so far a Saturday. */
const t0 = Date.parse('2026-09-20T07:00:00+08:00');
const site = detectorSite({
  devices: [{ id: 'em', profile: 'modbus/eastron/sdm630', unit_id: 1 }],
  meters: [
    {
      id: 'main',
      device: 'em',
      point: 'import_energy',
      category: 'electricity',
      building: 'zonghe-lou',
      role: 'main',
    },
  ],
  alarms: {},
});

/** Hourly rollups of `main` before t0: `days` days, each with a 50 kWh night and a 400 kWh working peak hour. */
function storedHours(days: number) {
  const rows: RollupRow[] = [];
  for (let h = days * 24; h >= 1; h--)
    rows.push({
      period: 'hour',
      meter: 'main',
      start: t0 - h * HOUR,
      value: h % 24 === 14 ? 400 : 50,
      estimated: 0,
    });
  const queries: RollupQuery[] = [];
  return {
    queries,
    queryRollups: async (q: RollupQuery) => {
      queries.push(q);
      return rows.filter((r) => r.start >= (q.from ?? 0) && r.start < (q.to ?? Infinity));
    },
  };
}

/** Feeds counter readings of `em` each `stepMin` minutes at `kw` from t0 + `fromMin`. */
function feed(d: ReturnType<typeof detectorsOn>, fromMin: number, kw: number[], stepMin = 5) {
  let value = 60_000;
  kw.forEach((p, i) => {
    value += (p * stepMin) / 60;
    d.detectors.onBatch('gw', [
      reading('em', 'import_energy', t0 + (fromMin + i * stepMin) * MIN, value, { unit: 'kWh' }),
    ]);
  });
}

describe("meter_jump's learnt bound from the stored hours", () => {
  it('a working morning after a rest day is no jump: the bound is 10 × the largest stored hour (4000 kW)', async () => {
    const d = detectorsOn(site, t0);
    const store = storedHours(28);
    expect(await d.detectors.learnMeterHours(store, t0)).toBe(28 * 24);
    expect(store.queries).toEqual([{ period: 'hour', from: t0 - 28 * 24 * HOUR, to: t0 }]);
    // Air-conditioning starting: 60 kW, then 892 kW for a few steps (what the demo's 07:50 is).
    feed(d, 0, [60, 60, 60, 892, 892, 700, 500, 500]);
    expect(d.conditions).toEqual([]);
  });

  it('above it a jump, named with the bound', async () => {
    const d = detectorsOn(site, t0);
    await d.detectors.learnMeterHours(storedHours(28), t0);
    feed(d, 0, [60, 60, 60, 5000, 60, 60], 1);
    expect(d.conditions.map((c) => c.rule)).toEqual(['meter_jump']);
    expect(d.conditions[0]?.message).toContain('above the physical bound 4000 kW');
  });

  it('without stored hours the readings teach it, after a day of them', async () => {
    const d = detectorsOn(site, t0);
    expect(await d.detectors.learnMeterHours(storedHours(0), t0)).toBe(0);
    feed(d, 0, [60, 60, 60, 5000, 60, 60], 1);
    expect(d.conditions).toEqual([]);
  });
});
