import { describe, expect, it } from 'vitest';
import { type Bucket, heatOf, heatOption, heatRows, historyOption, historyRows, localHour } from './charts';

const buckets: Bucket[] = [
  { start: '2026-12-02T13:00:00+08:00', min: 300_000, max: 420_000, avg: 310_000, count: 30 },
  { start: '2026-12-02T13:01:00+08:00', min: null, max: null, avg: null, count: 0 },
  { start: '2026-12-02T13:02:00+08:00', min: 305_000, max: 306_000, avg: 305_500, count: 30 },
];
const text = { min: '最小值', max: '最大值', avg: '平均值', unit: 'kW', description: '' };

type Series = { name: string; type: string; data: unknown[]; sampling?: string; connectNulls?: boolean };

describe('the history chart of a point (min/max per bucket, never smoothed)', () => {
  it('draws the max, mean and min of every bucket as lines, in kW for W, with gaps for empty buckets', () => {
    const o = historyOption(buckets, 'W', text) as { series: Series[]; yAxis: { name: string } };
    expect(o.series.map((s) => s.name)).toEqual(['最大值', '平均值', '最小值']);
    const max = o.series[0] as Series;
    // The 420 kW peak of the first minute is there, not averaged away.
    expect(max.data).toEqual([
      ['2026-12-02T13:00:00+08:00', 420],
      ['2026-12-02T13:01:00+08:00', null],
      ['2026-12-02T13:02:00+08:00', 306],
    ]);
    for (const s of o.series) {
      expect(s.sampling).toBeUndefined();
      expect(s.connectNulls).toBe(false);
    }
    expect(o.yAxis.name).toBe('kW');
  });

  it('tabulates every bucket with min and max, newest first, an empty one as missing (null), not 0', () => {
    const rows = historyRows(buckets, 'W', (iso) => iso.slice(11, 16));
    expect(rows.map((r) => r.start)).toEqual(['13:02', '13:01', '13:00']);
    expect(rows[2]).toEqual({ start: '13:00', min: 300, max: 420, avg: 310, count: 30 });
    expect(rows[1]).toEqual({ start: '13:01', min: null, max: null, avg: null, count: 0 });
    expect(historyRows(buckets, '°C', (s) => s)[0]?.max).toBe(306_000);
  });
});

describe('the after-hours heat map (hour × weekday, 4 weeks)', () => {
  const tz = 'Asia/Shanghai';
  // Monday 2026-11-23 … Sunday 2026-11-29: every hour 1 kWh, 10 kWh from 08 to 18 on working days.
  const hours = (from: string, days: number, skip: (d: string, h: number) => boolean = () => false) => {
    const out: { start: string; value: number; estimated: number }[] = [];
    const start = Date.parse(`${from}T00:00:00+08:00`);
    for (let i = 0; i < days * 24; i++) {
      const at = new Date(start + i * 3_600_000);
      const { date, hour } = localHour(at.toISOString(), tz);
      if (skip(date, hour)) continue;
      const weekend = i >= 5 * 24;
      out.push({ start: at.toISOString(), value: !weekend && hour >= 8 && hour < 18 ? 10 : 1, estimated: 0 });
    }
    return out;
  };

  it('reads hours in the site’s time zone', () => {
    expect(localHour('2026-11-23T00:30:00Z', tz)).toEqual({ date: '2026-11-23', hour: 8 });
    expect(localHour('2026-11-22T16:00:00Z', tz)).toEqual({ date: '2026-11-23', hour: 0 });
  });

  it('averages each weekday’s hour, frames working hours, and splits the energy in and after hours', () => {
    const h = heatOf({
      meters: [hours('2026-11-23', 7)],
      from: '2026-11-23',
      to: '2026-11-29',
      now: Date.parse('2026-12-01T00:00:00+08:00'),
      timeZone: tz,
    });
    expect(h.cells).toHaveLength(168);
    const cell = (wd: number, hour: number) => h.cells.find((c) => c.weekday === wd && c.hour === hour);
    expect(cell(1, 9)).toMatchObject({ mean: 10, hours: 1, expected: 1, working: true });
    expect(cell(1, 20)).toMatchObject({ mean: 1, working: false });
    expect(cell(6, 9)).toMatchObject({ mean: 1, working: false });
    expect(h.inside).toBe(5 * 10 * 10);
    expect(h.outside).toBe(5 * 14 + 2 * 24);
    expect(h.covered).toBe(168);
  });

  it('shows an hour without data as missing, not 0; a holiday by the calendar counts as after hours', () => {
    const h = heatOf({
      meters: [hours('2026-11-23', 7, (d, hour) => d === '2026-11-24' && hour === 10)],
      from: '2026-11-23',
      to: '2026-11-29',
      now: Date.parse('2026-12-01T00:00:00+08:00'),
      timeZone: tz,
      working: new Map([['2026-11-23', false]]),
    });
    const missing = h.cells.find((c) => c.weekday === 2 && c.hour === 10);
    expect(missing).toMatchObject({ mean: null, hours: 0, expected: 1 });
    expect(h.covered).toBe(167);
    // Monday was a holiday: its 10 working hours of 10 kWh are after-hours energy.
    expect(h.inside).toBe(4 * 10 * 10 - 10);
    const o = heatOption(h.cells, {
      weekdays: ['一', '二', '三', '四', '五', '六', '日'],
      value: '平均用电',
      missing: '缺数据',
      missingMark: '缺',
      unit: 'kWh/h',
      description: 'd',
    }) as { series: { name: string; data: { value: unknown[] }[] }[] };
    expect(o.series[0]?.data).toHaveLength(167);
    expect(o.series[1]?.name).toBe('缺数据');
    expect(o.series[1]?.data.map((d) => d.value)).toEqual([[10, 1, 0]]);
    const tip = (o.series[1] as unknown as { tooltip: { formatter: (p: { value: number[] }) => string } })
      .tooltip;
    expect(tip.formatter({ value: [10, 1, 0] })).toBe('二 10:00–11:00：缺数据');
    const rows = heatRows(h.cells, {
      weekdays: ['一', '二', '三', '四', '五', '六', '日'],
      working: '工作时间',
      after: '非工作时间',
      estimated: '估算',
    });
    expect(rows.find((r) => r.weekday === '二' && r.hour === '10:00–11:00')).toMatchObject({
      kind: '工作时间',
      mean: null,
      hours: '0 / 1',
    });
  });

  it('counts only the hours that have passed, and an hour only when every main meter has it', () => {
    const now = Date.parse('2026-11-23T12:30:00+08:00');
    const a = hours('2026-11-23', 1);
    const b = hours('2026-11-23', 1, (_d, hour) => hour === 3);
    const h = heatOf({ meters: [a, b], from: '2026-11-23', to: '2026-11-23', now, timeZone: tz });
    expect(h.expected).toBe(13);
    expect(h.covered).toBe(12);
    expect(h.cells.find((c) => c.weekday === 1 && c.hour === 3)?.mean).toBeNull();
    expect(h.cells.find((c) => c.weekday === 1 && c.hour === 9)?.mean).toBe(20);
    expect(h.cells.find((c) => c.weekday === 1 && c.hour === 20)).toMatchObject({ mean: null, expected: 0 });
  });
});
