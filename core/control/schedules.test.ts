import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSite } from '../config/loadSite.ts';
import { controlPoints } from './points.ts';
import { scheduleActions, validateSchedule } from './schedules.ts';
import { type Schedule, scheduleSchema } from './schema.ts';

const site = loadSite(join(import.meta.dirname, '../../examples/demo-site.yaml'));
const points = controlPoints(site);
const tz = 'Asia/Shanghai';
const office = site.config.control.schedules.find((s) => s.id === 'zonghe-office-ac') as Schedule;
const devices = ['zonghe-lou-f1-3-ac'];
const day = (date: string) =>
  [Date.parse(`${date}T00:00:00+08:00`), Date.parse(`${date}T00:00:00+08:00`) + 86_400_000] as const;

describe('schedules on the Chinese working calendar', () => {
  it('runs nothing of the workday program on 2025-10-01 (国庆节)', () => {
    const [from, to] = day('2025-10-01');
    const actions = scheduleActions(office, devices, from, to, tz, []);
    expect(actions.filter((a) => a.value === 1)).toEqual([]);
  });

  it('runs the workday program on Sunday 2025-09-28 (补班)', () => {
    const [from, to] = day('2025-09-28');
    const actions = scheduleActions(office, devices, from, to, tz, []);
    expect(actions.map((a) => [a.at, a.value, a.because])).toEqual([
      ['2025-09-28T08:00:00+08:00', 1, 'workday (补班 国庆节)'],
      ['2025-09-28T18:00:00+08:00', 0, 'workday (补班 国庆节)'],
    ]);
    // An ordinary Sunday runs the weekend program: nothing.
    const [f2, t2] = day('2025-09-21');
    expect(scheduleActions(office, devices, f2, t2, tz, [])).toEqual([]);
  });

  it('changes one day with a calendar override entry', () => {
    const [from, to] = day('2025-09-29');
    expect(scheduleActions(office, devices, from, to, tz, []).map((a) => a.value)).toEqual([1, 0]);
    const closed = scheduleActions(office, devices, from, to, tz, [
      { date: '2025-09-29', type: 'holiday', note: '台风停工' },
    ]);
    expect(closed).toEqual([]);
    // The next day is untouched.
    const [f2, t2] = day('2025-09-30');
    const next = scheduleActions(office, devices, f2, t2, tz, [{ date: '2025-09-29', type: 'holiday' }]);
    expect(next.map((a) => a.value)).toEqual([1, 0]);
  });

  it('previews a week: every switch on and off, per device', () => {
    const from = Date.parse('2025-09-27T00:00:00+08:00');
    const to = from + 10 * 86_400_000;
    const actions = scheduleActions(office, ['a', 'b'], from, to, tz, []);
    // 9-27 is an ordinary Saturday, 9-28 a 补班 Sunday, 9-29 and 9-30 workdays, 10-01 … 10-06 国庆/中秋 holidays.
    const dates = [...new Set(actions.filter((a) => a.value === 1).map((a) => a.at.slice(0, 10)))];
    expect(dates).toEqual(['2025-09-28', '2025-09-29', '2025-09-30']);
    expect(actions.filter((a) => a.value === 1)).toHaveLength(6);
  });

  it('exceptions win: a date range with its own program, or another day type’s', () => {
    const s = scheduleSchema.parse({
      ...office,
      exceptions: [
        {
          from: '2025-09-29',
          to: '2025-09-30',
          program: [
            { at: '07:00', value: 1 },
            { at: '12:00', value: 0 },
          ],
          note: '迎检',
        },
        { from: '2025-10-02', as: 'workday', note: '值班' },
      ],
    });
    const from = Date.parse('2025-09-29T00:00:00+08:00');
    const actions = scheduleActions(s, devices, from, from + 4 * 86_400_000, tz, []);
    expect(actions.map((a) => a.at.slice(0, 16))).toEqual([
      '2025-09-29T07:00',
      '2025-09-29T12:00',
      '2025-09-30T07:00',
      '2025-09-30T12:00',
      '2025-10-02T08:00',
      '2025-10-02T18:00',
    ]);
  });
});

describe('schedule validation explains every problem', () => {
  it('names unknown groups and points, values outside policy, times out of order and overlaps', () => {
    const bad = scheduleSchema.parse({
      id: 'bad',
      name: '坏的时间表',
      group: 'zonghe-office-ac',
      point: 'cooling_setpoint',
      week: {
        workday: [
          { at: '09:00', value: 24 },
          { at: '08:00', value: 26 },
        ],
      },
      exceptions: [
        { from: '2025-10-01', to: '2025-10-03', as: 'weekend' },
        { from: '2025-10-03', program: [] },
      ],
    });
    const problems = validateSchedule(bad, site, points, site.config.control.schedules);
    expect(problems.map((p) => p.path)).toEqual([
      'week.workday[0].value',
      'week.workday[1].at',
      'exceptions[1]',
    ]);
    expect(problems[0]?.message).toMatch(/cooling setpoint 24 °C .* below the policy minimum 26 °C/);
    expect(problems[1]?.message).toBe(
      '08:00 is not after the previous entry 09:00; entries of a program go in time order, one per time',
    );

    const unknown = scheduleSchema.parse({ id: 'x', name: 'x', group: 'nope', point: 'on_off', week: {} });
    expect(validateSchedule(unknown, site, points, [])[0]?.message).toMatch(
      /^no group "nope"; groups are: zonghe-office-ac, /,
    );
    const noPoint = scheduleSchema.parse({
      id: 'x',
      name: 'x',
      group: 'lighting',
      point: 'on_off',
      week: {},
    });
    expect(validateSchedule(noPoint, site, points, [])[0]?.message).toMatch(
      /device "zonghe-lights" \(profile modbus\/waveshare\/relay-8ch\) has no point "on_off"; its writable points are: relay_1, /,
    );
    const twin = scheduleSchema.parse({ ...office, id: 'twin' });
    expect(validateSchedule(twin, site, points, site.config.control.schedules)[0]?.message).toMatch(
      /schedule "zonghe-office-ac" also writes zonghe-lou-f1-3-ac\/on_off, zonghe-lou-f4-8-ac\/on_off at priority 16/,
    );
  });
});
