import { describe, expect, it } from 'vitest';
import { dayInfo } from './calendar.ts';
import { localParts } from './localTime.ts';

describe('Chinese working calendar', () => {
  it('knows 国庆 2025 and its make-up working days', () => {
    expect(dayInfo('2025-10-01')).toMatchObject({ type: 'holiday', working: false, holiday: '国庆节' });
    expect(dayInfo('2025-09-28')).toMatchObject({ type: 'makeup_workday', working: true, holiday: '国庆节' }); // Sunday 补班
    expect(dayInfo('2025-10-11')).toMatchObject({ type: 'makeup_workday', working: true }); // Saturday 补班
  });

  it('tells ordinary weekdays from weekends', () => {
    expect(dayInfo('2026-11-25')).toEqual({
      date: '2026-11-25',
      type: 'workday',
      working: true,
      source: 'chinese-days',
    });
    expect(dayInfo('2026-11-28')).toEqual({
      date: '2026-11-28',
      type: 'weekend',
      working: false,
      source: 'chinese-days',
    });
  });

  it('lets a local override win over the package', () => {
    expect(dayInfo('2026-11-25', [{ date: '2026-11-25', type: 'holiday', note: '台风停工' }])).toEqual({
      date: '2026-11-25',
      type: 'holiday',
      working: false,
      holiday: '台风停工',
      source: 'override',
    });
  });

  it('takes the date in the site time zone, not UTC', () => {
    // 2025-09-30 17:00 UTC is already 01:00 on 1 October in Shanghai.
    const p = localParts(Date.UTC(2025, 8, 30, 17, 0, 0), 'Asia/Shanghai');
    expect(p).toEqual({ date: '2025-10-01', hour: 1, weekday: 3 });
    expect(dayInfo(p.date).type).toBe('holiday');
  });
});

describe('a year whose holidays the calendar data does not have yet', () => {
  it('says so on each of its days instead of calling 元旦 a working day silently', () => {
    expect(dayInfo('2026-10-01').holidays_unknown).toBeUndefined();
    // 2099: no published holidays (2027's will come with a chinese-days release).
    const newYear = dayInfo('2099-01-01');
    expect(newYear).toMatchObject({ type: 'workday', holidays_unknown: true });
    // An override still decides the day, and says nothing of the data.
    expect(
      dayInfo('2027-01-01', [{ date: '2027-01-01', type: 'holiday', note: '元旦' }]).holidays_unknown,
    ).toBeUndefined();
  });
});
