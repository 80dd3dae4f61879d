import { describe, expect, it } from 'vitest';
import { OccupancyModel } from './occupancy.ts';

/** Epoch ms of a Shanghai wall-clock time (UTC+8, no DST). */
const shanghai = (date: string, hhmm: string) => Date.parse(`${date}T${hhmm}:00+08:00`);

describe('occupancy on the Chinese working calendar', () => {
  const occ = new OccupancyModel({ timeZone: 'Asia/Shanghai' });

  it('is zero all day on 2025-10-01 (国庆)', () => {
    for (const t of ['03:00', '10:00', '15:00', '20:00'])
      expect(occ.fractionAt(shanghai('2025-10-01', t))).toBe(0);
  });

  it('is a full office on Sunday 2025-09-28, a make-up working day (补班)', () => {
    expect(occ.fractionAt(shanghai('2025-09-28', '10:00'))).toBe(1);
  });

  it('is zero on an ordinary Saturday and at night', () => {
    expect(occ.fractionAt(shanghai('2026-11-28', '10:00'))).toBe(0);
    expect(occ.fractionAt(shanghai('2026-11-25', '03:00'))).toBe(0);
  });

  it('follows the office day: arrivals, lunch dip, departures, a little overtime', () => {
    const at = (t: string) => occ.fractionAt(shanghai('2026-11-25', t));
    expect(at('08:00')).toBeCloseTo(0.2, 5);
    expect(at('12:30')).toBeCloseTo(0.6, 5);
    expect(at('15:00')).toBe(1);
    expect(at('19:00')).toBeCloseTo(0.05, 5);
    expect(at('22:00')).toBe(0);
  });

  it('obeys a local override (a typhoon closure)', () => {
    const closed = new OccupancyModel({
      timeZone: 'Asia/Shanghai',
      overrides: [{ date: '2026-11-25', type: 'holiday', note: '台风停工' }],
    });
    expect(closed.fractionAt(shanghai('2026-11-25', '10:00'))).toBe(0);
  });
});
