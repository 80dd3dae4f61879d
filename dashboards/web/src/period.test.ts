import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  apiRange,
  basePeriod,
  daysIn,
  periodOf,
  presetRange,
  rangeText,
  timeAt,
  todayAt,
  weekday,
  wholeDays,
} from './period';

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
    // 近12个月: the 12 months to date, from the day after the same date a year ago (365 days).
    expect(presetRange('last12', '2026-12-02')).toEqual({ from: '2025-12-03', to: '2026-12-02' });
    expect(presetRange('last12', '2026-03-31')).toEqual({ from: '2025-04-01', to: '2026-03-31' });
    expect(presetRange('last12', '2028-02-29')).toEqual({ from: '2027-03-01', to: '2028-02-29' });
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
      from: '2024-12-03',
      to: '2025-12-02',
    });
    // A whole year typed as a custom range: 环比 is the year before, as the reports take it.
    expect(
      basePeriod(periodOf('custom', '2026-12-02', { from: '2025-01-01', to: '2025-12-31' }), 'previous'),
    ).toEqual({
      from: '2024-01-01',
      to: '2024-12-31',
    });
    const custom = periodOf('custom', '2026-12-02', { from: '2026-11-10', to: '2026-11-19' });
    expect(basePeriod(custom, 'previous')).toEqual({ from: '2026-10-31', to: '2026-11-09' });
  });

  it('clamps a leap day a year back to 28 February', () => {
    expect(addMonths('2028-02-29', -12)).toBe('2027-02-28');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
  });

  it('compares today so far with the base days up to the same time, never a part with a whole', () => {
    const now = new Date('2026-12-02T05:05:00Z'); // 13:05 in Shanghai
    const today = todayAt('Asia/Shanghai', now);
    const day = periodOf('today', today, undefined, timeAt('Asia/Shanghai', now));
    expect(day).toEqual({ preset: 'today', from: '2026-12-02', to: '2026-12-02', until: '13:00' });
    const yesterday = basePeriod(day, 'previous');
    expect(yesterday).toEqual({ from: '2026-12-01', to: '2026-12-01', until: '13:00' });
    expect(rangeText(yesterday, '至')).toBe('2026-12-01 00:00–13:00');
    expect(apiRange(yesterday, 'Asia/Shanghai')).toEqual({
      from: '2026-12-01',
      to: '2026-12-01T13:00:00+08:00',
    });
    const month = periodOf('month', today, undefined, '13:05');
    const lastYear = basePeriod(month, 'last_year');
    expect(rangeText(lastYear, '至')).toBe('2025-12-01 至 2025-12-02 13:00');
    // The reports count whole days: both periods end yesterday, and 今日 has no whole day yet.
    expect(wholeDays(month)).toEqual({ from: '2026-12-01', to: '2026-12-01' });
    expect(wholeDays(day)).toBeUndefined();
    // A past custom range is whole days, untouched.
    const past = periodOf('custom', today, { from: '2026-11-01', to: '2026-11-30' }, '13:05');
    expect(past.until).toBeUndefined();
    expect(wholeDays(past)).toEqual(past);
  });

  it('gives 近12个月 a 环比 base as long as itself (a year against 336 days read −8 % with no change)', () => {
    for (const today of ['2026-12-02', '2026-03-31', '2028-03-01', '2026-01-01']) {
      const p = periodOf('last12', today, undefined, '13:05');
      const base = basePeriod(p, 'previous');
      expect(daysIn(base)).toBe(daysIn(p));
      expect(addDays(base.to, 1)).toBe(p.from);
      expect(base.until).toBe('13:00');
    }
    expect(daysIn(periodOf('last12', '2026-12-02'))).toBe(365);
    expect(daysIn(periodOf('last12', '2028-03-01'))).toBe(366); // across 29 February 2028
  });

  it('keeps a clamped base day whole: 31 March so far against all of 1–28 February', () => {
    const month = periodOf('month', '2026-03-31', undefined, '13:05');
    expect(basePeriod(month, 'previous')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(rangeText(basePeriod(month, 'previous'), '至')).toBe('2026-02-01 至 2026-02-28');
    // Not clamped (the 30th exists in April … and 28 Feb in March): the time cut stays.
    expect(basePeriod(periodOf('month', '2026-05-30', undefined, '13:05'), 'previous')).toEqual({
      from: '2026-04-01',
      to: '2026-04-30',
      until: '13:00',
    });
    expect(basePeriod(periodOf('month', '2026-03-28', undefined, '13:05'), 'previous')).toEqual({
      from: '2026-02-01',
      to: '2026-02-28',
      until: '13:00',
    });
    // 同比 of a leap day: 29 Feb 2028 so far against the whole of 28 Feb 2027.
    expect(basePeriod(periodOf('today', '2028-02-29', undefined, '13:05'), 'last_year')).toEqual({
      from: '2027-02-28',
      to: '2027-02-28',
    });
    expect(basePeriod(periodOf('year', '2026-12-02', undefined, '13:05'), 'last_year')).toEqual({
      from: '2025-01-01',
      to: '2025-12-02',
      until: '13:00',
    });
  });
});
