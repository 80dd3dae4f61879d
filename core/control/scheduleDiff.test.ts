import { describe, expect, it } from 'vitest';
import { diffSchedules, sameSchedule } from './scheduleDiff.ts';

describe('diffSchedules', () => {
  const base = {
    id: 'a',
    priority: 16,
    default: 28,
    week: {
      workday: [
        { at: '07:30', value: 26 },
        { at: '18:00', value: 28 },
      ],
      weekend: [],
    },
    exceptions: [],
  };

  it('names each changed leaf with its path, before and after; equal documents give none', () => {
    expect(diffSchedules(base, structuredClone(base))).toEqual([]);
    const edited = structuredClone(base);
    edited.default = 27;
    edited.week.workday[1] = { at: '18:30', value: 27 };
    expect(diffSchedules(base, edited)).toEqual([
      { path: 'default', before: 28, after: 27 },
      { path: 'week.workday[1].at', before: '18:00', after: '18:30' },
      { path: 'week.workday[1].value', before: 28, after: 27 },
    ]);
  });

  it('an added or removed entry has only the side where it exists; null is a value', () => {
    const more = { ...base, week: { ...base.week, weekend: [{ at: '09:00', value: null }] }, note: 'x' };
    expect(diffSchedules(base, more)).toEqual([
      { path: 'week.weekend[0]', after: { at: '09:00', value: null } },
      { path: 'note', after: 'x' },
    ]);
    expect(diffSchedules(more, base)).toEqual([
      { path: 'week.weekend[0]', before: { at: '09:00', value: null } },
      { path: 'note', before: 'x' },
    ]);
  });

  it('a deletion (null) against a schedule is one change at the root', () => {
    expect(diffSchedules(base, null)).toEqual([{ path: '(root)', before: base, after: null }]);
    expect(sameSchedule(null, null)).toBe(true);
    expect(sameSchedule(base, { ...base, priority: 15 })).toBe(false);
  });
});
