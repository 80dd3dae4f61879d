import { describe, expect, it } from 'vitest';
import { addMonths, basePeriod, periodOf, presetRange, todayAt, weekday } from './period';

describe('the page period (local dates, weeks from Monday, inclusive)', () => {
  it("takes today's date in the site's time zone, not UTC", () => {
    // 2026-12-01 17:30 UTC is already 2 December in Shanghai.
    expect(todayAt('Asia/Shanghai', new Date('2026-12-01T17:30:00Z'))).toBe('2026-12-02');
    expect(todayAt('UTC', new Date('2026-12-01T17:30:00Z'))).toBe('2026-12-01');
  });

  it('starts 本周 on Monday, also on a Sunday', () => {
    expect(weekday('2026-12-02')).toBe(3); // a Wednesday
    expect(presetRange('week', '2026-12-02')).toEqual({ from: '2026-11-30', to: '2026-12-02' });
    expect(presetRange('week', '2026-12-06')).toEqual({ from: '2026-11-30', to: '2026-12-06' });
    expect(presetRange('week', '2026-11-30')).toEqual({ from: '2026-11-30', to: '2026-11-30' });
  });

  it('makes 本月, 本年 and 近12个月 to date', () => {
    expect(presetRange('month', '2026-12-02')).toEqual({ from: '2026-12-01', to: '2026-12-02' });
    expect(presetRange('year', '2026-12-02')).toEqual({ from: '2026-01-01', to: '2026-12-02' });
    expect(presetRange('last12', '2026-12-02')).toEqual({ from: '2026-01-01', to: '2026-12-02' });
    expect(presetRange('last12', '2026-03-31')).toEqual({ from: '2025-04-01', to: '2026-03-31' });
  });

  it('names the base periods: 环比 the same span before, 同比 the same dates a year earlier', () => {
    const month = periodOf('month', '2026-03-31');
    expect(basePeriod(month, 'previous')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(basePeriod(month, 'last_year')).toEqual({ from: '2025-03-01', to: '2025-03-31' });
    expect(basePeriod(periodOf('week', '2026-12-02'), 'previous')).toEqual({
      from: '2026-11-23',
      to: '2026-11-25',
    });
    expect(basePeriod(periodOf('today', '2026-03-01'), 'previous')).toEqual({
      from: '2026-02-28',
      to: '2026-02-28',
    });
    expect(basePeriod(periodOf('last12', '2026-12-02'), 'previous')).toEqual({
      from: '2025-01-01',
      to: '2025-12-31',
    });
    const custom = periodOf('custom', '2026-12-02', { from: '2026-11-10', to: '2026-11-19' });
    expect(basePeriod(custom, 'previous')).toEqual({ from: '2026-10-31', to: '2026-11-09' });
  });

  it('clamps a leap day a year back to 28 February', () => {
    expect(addMonths('2028-02-29', -12)).toBe('2027-02-28');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
  });
});
