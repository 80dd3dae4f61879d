import { describe, expect, it } from 'vitest';
import { messages } from './messages';
import {
  becauseWords,
  calendarRange,
  dayTypeOf,
  localDateOf,
  namesOf,
  overtimeUntil,
  parseScheduleYaml,
  placeProblems,
  previewRows,
  previewTimeline,
  rowNames,
  scheduleToYaml,
} from './model';

type Tree = { [key: string]: string | Tree };
const keys = (t: Tree, prefix = ''): string[] =>
  Object.entries(t).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`),
  );

const schedule = {
  id: 'zonghe-office-ac',
  name: '综合办公楼空调 工作日 08:00–18:00',
  group: 'zonghe-office-ac',
  point: 'on_off',
  priority: 16,
  default: 0,
  effective: {},
  week: {
    workday: [
      { at: '08:00', value: 1 },
      { at: '18:00', value: 0 },
    ],
    weekend: [],
    holiday: [],
  },
  exceptions: [],
};

describe('the schedules screen model', () => {
  it('has the same message keys in zh-CN and en', () => {
    expect(keys(messages.en).sort()).toEqual(keys(messages['zh-CN']).sort());
  });

  it('writes a schedule as YAML with one line per time-value pair, and reads it back unchanged', () => {
    const text = scheduleToYaml(schedule);
    expect(text).toContain('- { at: "08:00", value: 1 }');
    const parsed = parseScheduleYaml(text);
    expect(parsed).toEqual({ ok: true, value: schedule });
  });

  it('places each problem of the API on the line its path points at', () => {
    const text = scheduleToYaml(schedule);
    const lines = text.split('\n');
    const placed = placeProblems(text, [
      { path: 'week.workday.1.at', message: 'times out of order' },
      { path: 'week.nothing.3', message: 'unknown' },
      { path: '', message: 'whole' },
    ]);
    expect(lines[(placed[0]?.line ?? 0) - 1]).toContain('18:00');
    expect(lines[(placed[1]?.line ?? 0) - 1]).toMatch(/^week:/);
    expect(placed[2]?.line).toBe(1);
  });

  it('names the line of a YAML syntax error', () => {
    const parsed = parseScheduleYaml('id: a\nweek: [\n');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem.line).toBeGreaterThanOrEqual(2);
  });

  it('covers the whole weeks around a month, and reads day types', () => {
    expect(calendarRange('2026-10')).toEqual({ from: '2026-09-24', to: '2026-11-07' });
    expect(calendarRange('2026-12')).toEqual({ from: '2026-11-24', to: '2027-01-07' });
    expect(dayTypeOf({ type: 'makeup_workday', working: true })).toBe('makeup_workday');
    expect(dayTypeOf({ type: 'other', working: false })).toBe('weekend');
    expect(localDateOf(new Date('2026-12-02T17:00:00Z'))).toBe('2026-12-03');
  });

  it('orders a day’s preview by time and groups it for the timeline', () => {
    const a = (at: string, device: string) => ({
      at,
      schedule: 's',
      group: 'g',
      device,
      point: 'on_off',
      priority: 16,
      value: 1,
      because: 'workday',
    });
    const rows = previewRows([
      a('2026-12-03T18:00:00+08:00', 'x'),
      a('2026-12-03T08:00:00+08:00', 'y'),
      a('2026-12-03T00:00:00Z', 'z'),
    ]);
    expect(rows.map((r) => `${r.time} ${r.device}`)).toEqual(['08:00 y', '08:00 z', '18:00 x']);
    expect(previewTimeline(rows).map((t) => [t.time, t.rows.length])).toEqual([
      ['08:00', 2],
      ['18:00', 1],
    ]);
  });

  it('names the preview’s devices and points with their units, the ids when the API names neither', () => {
    const names = namesOf(
      [{ device: 'dangan-lou-archives-ac', name: '档案库房 空调' }],
      [
        {
          device: 'dangan-lou-archives-ac',
          point: 'cooling_setpoint',
          name: '制冷设定温度 / Cooling setpoint',
          unit: '°C',
        },
      ],
    );
    const r = { device: 'dangan-lou-archives-ac', point: 'cooling_setpoint' };
    expect(rowNames(r, names, 'zh-CN')).toEqual({
      device: '档案库房 空调',
      point: '制冷设定温度',
      unit: '°C',
    });
    expect(rowNames(r, names, 'en').point).toBe('Cooling setpoint');
    expect(rowNames({ device: 'x', point: 'y' }, names, 'zh-CN')).toEqual({
      device: 'x',
      point: 'y',
      unit: null,
    });
  });

  it('words the preview’s reasons in the page’s language, keeping holiday names', () => {
    const zh = {
      workday: '工作日',
      weekend: '周末',
      holiday: '节假日',
      override: '（日历调整）',
      exception: '例外 ',
      runs: '：按{type}程序',
      outside: '不在生效期内',
    };
    expect(becauseWords('workday (补班 国庆节)', zh)).toBe('工作日 (补班 国庆节)');
    expect(becauseWords('holiday (台风停工), calendar override', zh)).toBe('节假日 (台风停工)（日历调整）');
    expect(becauseWords('exception 2025-12-31 (单位安排): runs the holiday program', zh)).toBe(
      '例外 2025-12-31 (单位安排)：按节假日程序',
    );
    expect(becauseWords('outside the effective period', zh)).toBe('不在生效期内');
  });

  it('asks for overtime until now + hours, in the site’s offset', () => {
    expect(overtimeUntil(new Date('2026-12-02T10:10:30Z'), 2.5)).toBe('2026-12-02T20:40:00+08:00');
  });
});
