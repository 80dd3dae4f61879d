import { describe, expect, it } from 'vitest';
import type { Quality } from '../telemetry.ts';
import {
  type ConsumptionOptions,
  type CounterSample,
  dailyConsumption,
  hourlyConsumption,
} from './consumption.ts';

/**
 * Counter-handling golden cases. Every expected figure is computed by hand in the comment beside
 * it; times are Asia/Shanghai (UTC+8) wall-clock times, and the hours in the results are local.
 */
const TZ = 'Asia/Shanghai';
const at = (local: string) => Date.parse(`${local.replace(' ', 'T')}:00+08:00`);
const s = (local: string, value: number | null, quality: Quality = 'good'): CounterSample => ({
  ts: at(local),
  value,
  quality,
});
/** Hours as { 'HH:00': [kWh, estimated kWh] } (rounded to 1e-9 against float noise). */
function hours(samples: CounterSample[], options: Partial<ConsumptionOptions> = {}) {
  const r = hourlyConsumption(samples, { timeZone: TZ, ...options });
  const round = (x: number) => Math.round(x * 1e9) / 1e9;
  const byHour = Object.fromEntries(
    r.hours.map((h) => [
      new Date(h.start + 8 * 3_600_000).toISOString().slice(11, 16),
      [round(h.value), round(h.estimated)],
    ]),
  );
  return { byHour, events: r.events, raw: r.hours };
}

describe('consumption from counters (golden cases)', () => {
  it('1 steady counter: 2.5 kWh every 15 min is 10 kWh an hour', () => {
    const samples = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((q) =>
      s(
        `2025-07-01 ${String(8 + Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`,
        1000 + 2.5 * q,
      ),
    );
    // 08:00 1000 … 10:00 1020: 08h = 1010 − 1000 = 10; 09h = 1020 − 1010 = 10
    expect(hours(samples).byHour).toEqual({ '08:00': [10, 0], '09:00': [10, 0] });
  });

  it('2 counter reset: counting restarts from 0 and is never a negative jump', () => {
    const r = hours([
      s('2025-07-01 08:00', 100),
      s('2025-07-01 08:15', 102),
      s('2025-07-01 08:30', 104),
      s('2025-07-01 08:45', 1),
      s('2025-07-01 09:00', 3),
    ]);
    // 100→102: 2; 102→104: 2; reset, 104→1: shows 1 since the reset (estimated: what was counted
    // between 08:30 and the reset itself is lost); 1→3: 2 (that one falls in 08:45–09:00, still 08h).
    // 08h = 2 + 2 + 1 + 2 = 7, of which 1 estimated
    expect(r.byHour).toEqual({ '08:00': [7, 1] });
    expect(r.events.resets).toBe(1);
  });

  it('3 rollover at the register maximum (a 5-digit kWh register wraps at 100000)', () => {
    const r = hours(
      [
        s('2025-07-01 08:00', 99998),
        s('2025-07-01 08:20', 99999.5),
        s('2025-07-01 08:40', 1),
        s('2025-07-01 09:00', 2.5),
      ],
      {
        rollover: 100000,
      },
    );
    // 99998→99999.5: 1.5; wrap: (100000 − 99999.5) + 1 = 1.5; 1→2.5: 1.5 → 08h = 4.5
    expect(r.byHour).toEqual({ '08:00': [4.5, 0] });
    expect(r.events.rollovers).toBe(1);
  });

  it('4 recorded meter replacement: old meter to its final reading, new one from its initial reading', () => {
    const r = hours(
      [
        s('2025-07-01 10:00', 4990),
        s('2025-07-01 10:30', 4995),
        s('2025-07-01 11:00', 12),
        s('2025-07-01 11:30', 17),
      ],
      {
        replacements: [{ at: at('2025-07-01 10:40'), oldFinal: 5000, newInitial: 10 }],
      },
    );
    // 10h: 4990→4995 = 5, then 10:30–11:00 = (5000 − 4995) + (12 − 10) = 7 → 12
    // 11h: 12→17 = 5
    expect(r.byHour).toEqual({ '10:00': [12, 0], '11:00': [5, 0] });
    expect(r.events.replacements).toBe(1);
  });

  it('5 zero-then-old-value glitch is left out', () => {
    const r = hours([
      s('2025-07-01 08:00', 100),
      s('2025-07-01 08:15', 102),
      s('2025-07-01 08:30', 0),
      s('2025-07-01 08:45', 106),
      s('2025-07-01 09:00', 108),
    ]);
    // 0 is off the line 102 … 106: dropped. 100→102 = 2, 102→106 = 4, 106→108 = 2 → 08h = 8
    expect(r.byHour).toEqual({ '08:00': [8, 0] });
    expect(r.events.glitches).toBe(1);
    expect(r.events.resets).toBe(0);
  });

  it('6 spike glitch is left out', () => {
    const r = hours([
      s('2025-07-01 08:00', 100),
      s('2025-07-01 08:15', 102),
      s('2025-07-01 08:30', 99999),
      s('2025-07-01 08:45', 104),
      s('2025-07-01 09:00', 106),
    ]);
    // 99999 between 102 and 104: dropped → 08h = 106 − 100 = 6
    expect(r.byHour).toEqual({ '08:00': [6, 0] });
    expect(r.events.glitches).toBe(1);
  });

  it('7 gap: interpolated in proportion to time and marked estimated', () => {
    const r = hours([
      s('2025-07-01 08:00', 100),
      s('2025-07-01 08:30', 103),
      s('2025-07-01 10:30', 123),
      s('2025-07-01 11:00', 126),
    ]);
    // 08:00–08:30: 3 measured. 08:30–10:30 (2 h > 30 min): 20 spread evenly = 10 per hour:
    // 08h gets 30 min = 5, 09h 60 min = 10, 10h 30 min = 5 — all estimated. 10:30–11:00: 3 measured.
    // 08h = 3 + 5 = 8 (5 est.), 09h = 10 (10 est.), 10h = 5 + 3 = 8 (5 est.)
    expect(r.byHour).toEqual({ '08:00': [8, 5], '09:00': [10, 10], '10:00': [8, 5] });
    expect(r.events.gaps).toBe(1);
  });

  it('8 frozen (stale) readings are skipped: the later jump is spread and marked estimated', () => {
    const r = hours([
      s('2025-07-01 08:00', 100),
      s('2025-07-01 08:15', 100, 'uncertain'),
      s('2025-07-01 08:30', 100, 'uncertain'),
      s('2025-07-01 08:45', 100, 'uncertain'),
      s('2025-07-01 09:00', 104),
      s('2025-07-01 09:15', 105),
    ]);
    // Only 08:00 and 09:00 count: 4 over 60 min (> 30 min: estimated) → 08h = 4 (4 est.); 09h = 1
    expect(r.byHour).toEqual({ '08:00': [4, 4], '09:00': [1, 0] });
    expect(r.events.skipped).toBe(3);
  });

  it('9 hours and days are local (Asia/Shanghai), not UTC', () => {
    const r = hours([
      s('2025-07-01 23:30', 500),
      s('2025-07-01 23:45', 501.5),
      s('2025-07-02 00:15', 504.5),
      s('2025-07-02 00:30', 506),
    ]);
    // 500→501.5 = 1.5 (23h); 501.5→504.5 over 23:45–00:15 = 3, half each side; 504.5→506 = 1.5 (00h)
    // local 23h of 07-01 = 1.5 + 1.5 = 3; local 00h of 07-02 = 1.5 + 1.5 = 3
    expect(r.byHour).toEqual({ '23:00': [3, 0], '00:00': [3, 0] });
    expect(r.raw[1]?.start).toBe(Date.parse('2025-07-01T16:00:00Z')); // local midnight = 16:00 UTC
    expect(dailyConsumption(r.raw, TZ).map((d) => [d.date, d.value])).toEqual([
      ['2025-07-01', 3],
      ['2025-07-02', 3],
    ]);
  });

  it('10 late data recomputes: a gap filled later is measured, no longer estimated', () => {
    const early = [s('2025-07-01 08:00', 100), s('2025-07-01 10:00', 120)];
    // Before: 20 over 2 h, estimated: 08h = 10 (10 est.), 09h = 10 (10 est.)
    expect(hours(early).byHour).toEqual({ '08:00': [10, 10], '09:00': [10, 10] });
    // The gateway's spool delivers 08:30, 09:00, 09:30 late (out of order):
    const late = [
      ...early,
      s('2025-07-01 09:30', 117),
      s('2025-07-01 08:30', 102),
      s('2025-07-01 09:00', 104),
    ];
    // 100→102→104 = 4 in 08h; 104→117→120 = 16 in 09h; nothing estimated
    expect(hours(late).byHour).toEqual({ '08:00': [4, 0], '09:00': [16, 0] });
  });

  it('11 a replacement nobody recorded: estimated from the recent rate, never the new meter’s reading', () => {
    const r = hours([
      s('2025-07-01 08:00', 5000),
      s('2025-07-01 08:15', 5001),
      s('2025-07-01 08:30', 5002),
      s('2025-07-01 08:45', 37),
      s('2025-07-01 09:00', 38),
    ]);
    // Rate 1 per 15 min. 5002 → 37 is no reset (37 ≫ 3 × 1): a new meter; 08:30–08:45 is
    // estimated at the rate, 1. Then 37→38 = 1. 08h = 1 + 1 + 1 + 1 = 4 (1 est.)
    expect(r.byHour).toEqual({ '08:00': [4, 1] });
    expect(r.events.undeclared_replacements).toBe(1);
  });

  it('12 bad and null readings are skipped; a repeated timestamp counts once', () => {
    const r = hours([
      s('2025-07-01 08:00', 100),
      s('2025-07-01 08:15', null, 'bad'),
      s('2025-07-01 08:20', 101),
      s('2025-07-01 08:20', 101),
      s('2025-07-01 08:40', 102),
    ]);
    // 100 → 101 → 102 = 2
    expect(r.byHour).toEqual({ '08:00': [2, 0] });
    expect(r.events.skipped).toBe(1);
  });

  it('13 an interval across an hour boundary is split by time', () => {
    const r = hours([s('2025-07-01 09:50', 100), s('2025-07-01 10:05', 103)]);
    // 3 over 15 min: 10 min (2) to 09h, 5 min (1) to 10h
    expect(r.byHour).toEqual({ '09:00': [2, 0], '10:00': [1, 0] });
  });

  it('14 a stuck counter that never moves again is zero consumption, not a gap filler', () => {
    const r = hours([s('2025-07-01 08:00', 100), s('2025-07-01 08:15', 100), s('2025-07-01 08:30', 100)]);
    expect(r.byHour).toEqual({ '08:00': [0, 0] });
  });
});
