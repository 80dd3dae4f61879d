import { describe, expect, it } from 'vitest';
import { ElectricityMeterModel } from './electricityMeter.ts';

function manualClock(start: number) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('simulated electricity meter', () => {
  const tz = 'Asia/Shanghai';
  // 2026-11-25 10:00 in Shanghai is 02:00 UTC.
  const tenAm = Date.UTC(2026, 10, 25, 2, 0, 0);

  it('draws more at 10:00 local than at 03:00 local', () => {
    const clock = manualClock(tenAm);
    const m = new ElectricityMeterModel({
      seed: 'm1',
      clock,
      timeZone: tz,
      baseLoad: 10_000,
      peakLoad: 30_000,
    });
    const threeAm = tenAm - 7 * 3_600_000;
    expect(m.powerAt(tenAm)).toBeGreaterThan(38_000); // 10 000 base + the full 30 000 peak, ±5 % ripple
    expect(m.powerAt(threeAm)).toBeLessThan(10_600);
  });

  it('draws only its base load on 国庆 (2025-10-01) and a full office load on the Sunday 补班 before it', () => {
    const holiday = Date.parse('2025-10-01T10:00:00+08:00');
    const makeup = Date.parse('2025-09-28T10:00:00+08:00');
    const m = new ElectricityMeterModel({
      seed: 'm1',
      clock: manualClock(holiday),
      timeZone: tz,
      baseLoad: 10_000,
      peakLoad: 30_000,
    });
    expect(m.powerAt(holiday)).toBeLessThan(10_600);
    expect(m.powerAt(makeup)).toBeGreaterThan(38_000);
  });

  it('counts the kWh its power integrates to', () => {
    const clock = manualClock(tenAm);
    const m = new ElectricityMeterModel({ seed: 'm1', clock, timeZone: tz });
    const e0 = m.read().import_energy ?? 0;
    let expectedWh = 0;
    for (let i = 0; i < 3600; i++)
      expectedWh += (m.powerAt(tenAm + i * 1000) + m.powerAt(tenAm + (i + 1) * 1000)) / 2 / 3600;
    clock.advance(3_600_000);
    const e1 = m.read().import_energy ?? 0;
    expect(e1 - e0).toBeCloseTo(expectedWh / 1000, 6);
    expect(e1 - e0).toBeGreaterThan(10); // an hour of an office morning is tens of kWh
  });

  it('is the same building for the same seed', () => {
    const a = new ElectricityMeterModel({ seed: 'x', clock: manualClock(tenAm), timeZone: tz });
    const b = new ElectricityMeterModel({ seed: 'x', clock: manualClock(tenAm), timeZone: tz });
    expect(a.read()).toEqual(b.read());
  });
});
