import { describe, expect, it } from 'vitest';
import {
  allowedPriorities,
  follows,
  holderOf,
  mayRelease,
  overrideBody,
  pointLabel,
  pointRange,
  priorityRows,
  readBackReport,
  wallTimeToInstant,
  writeState,
  zonesOf,
  zoneTable,
} from './model';

const eff = (value: number | null, level: number | null, source: string | null) => ({ value, level, source });

describe('the control screen’s model', () => {
  it('groups writable points into zones and their equipment, named by the devices', () => {
    const zones = zonesOf(
      [
        {
          device: 'ac-1',
          point: 'on_off',
          name: '开关 / On-off',
          unit: null,
          groups: ['office-ac'],
          effective: eff(1, 16, 'schedule:x'),
        },
        {
          device: 'ac-1',
          point: 'cooling_setpoint',
          name: '制冷设定温度 / Cooling setpoint',
          unit: '°C',
          groups: ['office-ac'],
          effective: eff(26, null, 'relinquish_default'),
        },
        {
          device: 'ac-2',
          point: 'on_off',
          name: '开关 / On-off',
          unit: null,
          groups: ['office-ac'],
          effective: eff(null, null, null),
        },
        {
          device: 'lights',
          point: 'relay_1',
          name: '回路1 / Relay 1',
          unit: null,
          groups: [],
          effective: eff(null, null, null),
        },
      ],
      [{ device: 'ac-1', name: '一至三层 办公区 空调', building: null, availability: null }],
    );
    expect(zones.map((z) => z.group)).toEqual(['office-ac', 'ungrouped']);
    expect(zones[0]?.devices.map((d) => [d.device, d.name, d.points.length])).toEqual([
      ['ac-1', '一至三层 办公区 空调', 2],
      ['ac-2', 'ac-2', 1],
    ]);
  });

  it('lays a zone’s equipment side by side: one column per writable point', () => {
    const [zone] = zonesOf(
      [
        {
          device: 'ac-1',
          point: 'on_off',
          name: '开关 / On-off',
          unit: null,
          groups: ['z'],
          effective: eff(1, 16, 's'),
        },
        {
          device: 'ac-1',
          point: 'mode',
          name: '模式 / Mode',
          unit: null,
          groups: ['z'],
          effective: eff(null, null, null),
        },
        {
          device: 'ac-2',
          point: 'on_off',
          name: '开关 / On-off',
          unit: null,
          groups: ['z'],
          effective: eff(0, 16, 's'),
        },
        {
          device: 'ac-2',
          point: 'cooling_setpoint',
          name: '制冷 / Cooling',
          unit: '°C',
          groups: ['z'],
          effective: eff(26, null, 'relinquish_default'),
        },
      ],
      [],
    );
    const table = zoneTable(zone as NonNullable<typeof zone>);
    expect(table.columns.map((c) => c.point)).toEqual(['on_off', 'mode', 'cooling_setpoint']);
    expect(
      table.rows.map((r) => [r.device, r.values.on_off?.value, r.values.cooling_setpoint?.value]),
    ).toEqual([
      ['ac-1', 1, undefined],
      ['ac-2', 0, 26],
    ]);
  });

  it('takes the half of a bilingual point name in the page’s language', () => {
    expect(pointLabel('制冷设定温度 / Cooling setpoint', 'zh-CN')).toBe('制冷设定温度');
    expect(pointLabel('制冷设定温度 / Cooling setpoint', 'en')).toBe('Cooling setpoint');
    expect(pointLabel('Fan', 'en')).toBe('Fan');
  });

  it('lists the 16 levels and the default, with who holds each, until when, and the one in effect', () => {
    const rows = priorityRows({
      device: 'ac-1',
      point: 'cooling_setpoint',
      effective: eff(27, 8, 'user:王工'),
      relinquish_default: 26,
      levels: [
        ...Array.from({ length: 16 }, (_, i) => ({ level: i + 1, value: null })).filter((l) => l.level !== 8),
        {
          level: 8,
          value: 27,
          source: 'user:王工',
          reason: '会议',
          set_at: '2026-12-02T13:10:36.215+08:00',
          expires_at: '2026-12-02T14:10:36.213+08:00',
        },
      ],
    });
    expect(rows).toHaveLength(17);
    expect(rows[7]).toMatchObject({
      level: 8,
      purpose: 'manual',
      value: 27,
      source: 'user:王工',
      expiresAt: '2026-12-02T14:10:36.213+08:00',
      inEffect: true,
    });
    expect(rows[0]).toMatchObject({
      level: 1,
      purpose: 'lifeSafety',
      value: null,
      source: null,
      inEffect: false,
    });
    expect(rows[16]).toMatchObject({ level: 'default', value: 26, inEffect: false });
    expect(rows.filter((r) => r.inEffect)).toHaveLength(1);
    expect(holderOf('user:王工')).toEqual({ kind: 'user', name: '王工' });
  });

  it('offers engineers priorities 8–16 and admins 1–16; officers and viewers none', () => {
    expect(allowedPriorities('engineer')).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(allowedPriorities('admin')).toHaveLength(16);
    expect(allowedPriorities('officer')).toEqual([]);
    expect(allowedPriorities('viewer')).toEqual([]);
    expect(mayRelease('engineer', 5)).toBe(false);
    expect(mayRelease('engineer', 8)).toBe(true);
  });

  it('builds the override body: a reason is required, until is site local time', () => {
    const base = {
      value: 27,
      priority: 8,
      expiry: 'for' as const,
      duration: '1h',
      until: '',
      reason: ' 会议 ',
    };
    expect(overrideBody(base, 'Asia/Shanghai')).toEqual({
      body: { value: 27, priority: 8, for: '1h', reason: '会议' },
    });
    expect(overrideBody({ ...base, reason: '  ' }, 'Asia/Shanghai')).toEqual({ problem: 'reasonRequired' });
    expect(overrideBody({ ...base, value: undefined }, 'Asia/Shanghai')).toEqual({
      problem: 'valueRequired',
    });
    expect(
      overrideBody({ ...base, expiry: 'until', until: '2026-12-02T18:30:00' }, 'Asia/Shanghai').body?.until,
    ).toBe('2026-12-02T10:30:00.000Z');
    expect(overrideBody({ ...base, expiry: 'until', until: '' }, 'Asia/Shanghai')).toEqual({
      problem: 'untilRequired',
    });
    expect(overrideBody({ ...base, expiry: 'permanent' }, 'Asia/Shanghai').body).toEqual({
      value: 27,
      priority: 8,
      reason: '会议',
    });
    expect(new Date(wallTimeToInstant('2026-07-01T00:00', 'Europe/Berlin')).toISOString()).toBe(
      '2026-06-30T22:00:00.000Z',
    );
  });

  it('words the write of an answer: read-back following or not, failed, outranked, or no write', () => {
    const cmd = { value: 27, priority: 8 };
    expect(
      writeState({ effective: eff(27, 8, 'user:王工'), write: { status: 'written', readBack: 27 } }, cmd),
    ).toEqual({ kind: 'written', readBack: 27, following: true });
    expect(
      writeState({ effective: eff(27, 8, 'user:王工'), write: { status: 'written', readBack: 25 } }, cmd),
    ).toEqual({ kind: 'written', readBack: 25, following: false });
    expect(
      writeState({ effective: eff(27, 8, 'u'), write: { status: 'timeout', reason: 'no answer' } }, cmd),
    ).toEqual({
      kind: 'failed',
      status: 'timeout',
      reason: 'no answer',
    });
    expect(writeState({ effective: eff(28, 5, 'user:张管理') }, cmd)).toEqual({
      kind: 'outranked',
      level: 5,
      source: 'user:张管理',
    });
    expect(writeState({ effective: eff(27, 8, 'user:王工') }, cmd)).toEqual({ kind: 'noWrite' });
    expect(
      readBackReport({ kind: 'written', readBack: 27, following: true }, '2026-12-02T06:00:00.000Z'),
    ).toEqual({ value: 27, ts: '2026-12-02T06:00:00.000Z', quality: 'good' });
    expect(readBackReport({ kind: 'noWrite' }, '2026-12-02T06:00:00.000Z')).toBeNull();
    expect(follows(27.001, 27)).toBe(true);
    expect(follows(null, 27)).toBe(false);
  });

  it('gives the allowed range of a point when the API lists one', () => {
    expect(pointRange({ min: 26, max: 30 })).toEqual({ min: 26, max: 30 });
    expect(pointRange({ min: 26 })).toEqual({ min: 26, max: undefined });
    expect(pointRange({})).toBeNull();
  });
});
