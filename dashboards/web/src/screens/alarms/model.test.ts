import { describe, expect, it } from 'vitest';
import {
  type Alarm,
  actionsFor,
  alertText,
  exportQuery,
  isoIn,
  listQuery,
  localNote,
  newAlarmOf,
  noFilters,
  type SitePages,
  severityTag,
  shelveShortcuts,
  subjectLinks,
  subjectOf,
  tomorrowAt8,
} from './model';

const alarm = (over: Partial<Alarm> = {}): Alarm => ({
  id: 1,
  rule: 'device_offline',
  key: 'ac-1',
  severity: 'major',
  state: 'active',
  acknowledged: false,
  message: 'ac-1 offline',
  message_zh: 'ac-1 离线',
  building: 'office',
  device: 'ac-1',
  point: null,
  gateway: null,
  value: null,
  raised_at: '2026-12-02T09:00:00+08:00',
  last_raised_at: '2026-12-02T09:00:00+08:00',
  cleared_at: null,
  acknowledged_at: null,
  acknowledged_by: null,
  ack_note: null,
  closed_at: null,
  closed_by: null,
  shelved_until: null,
  shelved_by: null,
  shelve_reason: null,
  count: 1,
  affected: 0,
  affected_keys: [],
  list: 'pending',
  ...over,
});

describe('the 报警 screen’s row actions', () => {
  it('gives engineers and admins every action the alarm’s state allows', () => {
    expect(actionsFor('engineer', alarm())).toEqual(['acknowledge', 'shelve']);
    expect(actionsFor('admin', alarm({ acknowledged: true, state: 'cleared' }))).toEqual(['shelve', 'close']);
    expect(actionsFor('engineer', alarm({ shelved_until: '2026-12-02T10:00:00+08:00' }))).toEqual([
      'acknowledge',
      'unshelve',
    ]);
    expect(actionsFor('admin', alarm({ state: 'closed', acknowledged: true, list: 'done' }))).toEqual([]);
  });

  it('gives an energy officer 确认 / 关闭 on the data rules only, never 搁置', () => {
    expect(actionsFor('officer', alarm())).toEqual([]);
    expect(actionsFor('officer', alarm({ rule: 'night_flow' }))).toEqual(['acknowledge']);
    expect(actionsFor('officer', alarm({ rule: 'meter_balance', state: 'cleared' }))).toEqual([
      'acknowledge',
      'close',
    ]);
  });

  it('gives a viewer none, and nobody signed in none', () => {
    expect(actionsFor('viewer', alarm({ rule: 'night_flow', state: 'cleared' }))).toEqual([]);
    expect(actionsFor(undefined, alarm())).toEqual([]);
  });
});

describe('the 报警 screen’s list query', () => {
  it('asks for one list, leaving empty filters out', () => {
    expect(listQuery('pending', noFilters())).toEqual({ list: 'pending', status: 'open', limit: '200' });
    expect(
      listQuery('done', {
        severity: 'critical',
        rule: 'stale',
        building: 'lib',
        range: ['2026-12-01', '2026-12-02'],
      }),
    ).toEqual({
      list: 'done',
      status: 'closed',
      limit: '200',
      severity: 'critical',
      rule: 'stale',
      building: 'lib',
      from: '2026-12-01',
      to: '2026-12-02',
    });
  });
});

describe('the 报警 screen’s words and times', () => {
  it('colours severities red, orange, orange outlined, grey (never the theme’s green)', () => {
    expect(['critical', 'major', 'minor', 'warning', 'other'].map(severityTag)).toEqual([
      { type: 'danger', effect: 'dark' },
      { type: 'warning', effect: 'dark' },
      { type: 'warning', effect: 'plain' },
      { type: 'info', effect: 'plain' },
      { type: 'info', effect: 'plain' },
    ]);
  });

  it('writes the instants in a transition’s note as local times', () => {
    const local = (iso: string) => `<${iso.slice(11, 16)}>`;
    expect(localNote('until 2026-12-03T03:06:12+08:00: 电表更换中', local)).toBe('until <03:06>: 电表更换中');
    expect(localNote('cleared at 2026-12-02T19:06:12.5Z', local)).toBe('cleared at <19:06>');
    expect(localNote(null, local)).toBe('');
  });

  it('names the subject by device/point, device, gateway, else the key', () => {
    expect(subjectOf({ device: 'ac-1', point: 'setpoint', gateway: 'gw-1', key: 'x' })).toBe('ac-1/setpoint');
    expect(subjectOf({ device: 'ac-1', point: null, gateway: 'gw-1', key: 'x' })).toBe('ac-1');
    expect(subjectOf({ device: null, point: null, gateway: 'gw-1', key: 'x' })).toBe('gw-1');
    expect(subjectOf({ device: null, point: null, gateway: null, key: 'office' })).toBe('office');
  });

  it('writes the shelving end in the site’s local time with its offset', () => {
    expect(isoIn(Date.parse('2026-12-02T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-12-03T00:30:00+08:00');
    expect(isoIn(Date.parse('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toBe('2026-07-01T14:00:00+02:00');
  });

  it('takes 明天 08:00 as the site’s next local day, also late in the evening and past midnight UTC', () => {
    // 23:30 in Shanghai is 15:30 UTC the same day: tomorrow is the 3rd there.
    expect(tomorrowAt8(Date.parse('2026-12-02T15:30:00Z'), 'Asia/Shanghai')).toBe(
      Date.parse('2026-12-03T08:00:00+08:00'),
    );
    // 00:30 on the 3rd in Shanghai (16:30 UTC on the 2nd): tomorrow is the 4th.
    expect(tomorrowAt8(Date.parse('2026-12-02T16:30:00Z'), 'Asia/Shanghai')).toBe(
      Date.parse('2026-12-04T08:00:00+08:00'),
    );
    // Across the end of summer time: 08:00 of the next day is at that day's offset.
    expect(tomorrowAt8(Date.parse('2026-10-24T20:00:00Z'), 'Europe/Berlin')).toBe(
      Date.parse('2026-10-25T08:00:00+01:00'),
    );
    const now = Date.parse('2026-12-02T02:00:00Z');
    expect(shelveShortcuts(now, 'Asia/Shanghai').map((s) => [s.key, s.at - now])).toEqual([
      ['h1', 3_600_000],
      ['h4', 14_400_000],
      ['tomorrow8', Date.parse('2026-12-03T08:00:00+08:00') - now],
    ]);
  });
});

describe('the pages of an alarm’s subject', () => {
  const site: SitePages = {
    devices: new Map([
      ['ac-1', '一层空调'],
      ['main-meter', null],
    ]),
    meters: new Map([['main', '综合办公楼总表']]),
    buildings: new Map([['office', '综合办公楼']]),
  };
  it('links a device to its 实时监测 page and the building to its node of 建筑与区域', () => {
    expect(subjectLinks(alarm(), site)).toEqual({
      device: { kind: 'device', id: 'ac-1', to: '/monitoring/devices/ac-1' },
      building: { kind: 'building', id: 'office', to: '/buildings?node=building%3Aoffice' },
    });
  });
  it('links a meter alarm’s meter (its key) to the meter’s node, beside its device', () => {
    const links = subjectLinks(
      alarm({ rule: 'meter_reset', key: 'main', device: 'main-meter', building: null }),
      site,
    );
    expect(links.meter).toEqual({ kind: 'meter', id: 'main', to: '/buildings?node=meter%3Amain' });
    expect(links.device?.to).toBe('/monitoring/devices/main-meter');
    expect(links.building).toBeUndefined();
  });
  it('links nothing the console has no page of: a gateway, an unknown device, a key that is not a meter', () => {
    expect(
      subjectLinks(alarm({ rule: 'gateway_offline', key: 'gw-1', device: null, building: null }), site),
    ).toEqual({});
    expect(subjectLinks(alarm({ device: 'gone', building: 'elsewhere' }), site)).toEqual({});
    // A device alarm whose key happens to be a meter id is the device's, not the meter's.
    expect(
      subjectLinks(alarm({ rule: 'stale', key: 'main', device: 'main-meter' }), site).meter,
    ).toBeUndefined();
  });
});

describe('the alert of a new alarm', () => {
  const event = (action: string, seq = 10, over: Partial<Alarm> = {}) => ({
    transition: { seq, alarm_id: 1, action },
    alarm: alarm(over),
  });
  it('is a first raise newer than the last one alerted, not shelved', () => {
    expect(newAlarmOf(event('raise'), 9)?.alarm.id).toBe(1);
    for (const action of ['re_raise', 'acknowledge', 'clear', 'close', 'affect', 'update'])
      expect(newAlarmOf(event(action), 9)).toBeUndefined();
    // Replayed after a reconnect, or already alerted by another tab.
    expect(newAlarmOf(event('raise', 9), 9)).toBeUndefined();
    expect(newAlarmOf(event('raise', 10, { shelved_until: '2026-12-02T10:00:00+08:00' }), 9)).toBeUndefined();
    expect(newAlarmOf(null, 0)).toBeUndefined();
    expect(newAlarmOf({ transition: { action: 'raise' } }, 0)).toBeUndefined();
  });
  it('says the severity, rule, building and message in the page’s language', () => {
    const words = {
      title: (n: { severity: string; rule: string }) => `新报警：${n.severity} · ${n.rule}`,
      severity: (s: string) => (s === 'major' ? '重要' : s),
      rule: (r: string) => (r === 'device_offline' ? '设备离线' : r),
      building: (id: string) => (id === 'office' ? '综合办公楼' : id),
    };
    expect(alertText(alarm(), words, 'zh-CN')).toEqual({
      title: '新报警：重要 · 设备离线',
      body: '综合办公楼：ac-1 离线',
    });
    expect(alertText(alarm({ building: null }), words, 'en')).toEqual({
      title: '新报警：重要 · 设备离线',
      body: 'ac-1 offline',
    });
  });
});

describe('the export of a list', () => {
  it('is the list’s query with the filters and the format, without the page size', () => {
    expect(
      exportQuery(
        'done',
        { severity: 'critical', rule: '', building: 'office', range: ['2026-12-01', '2026-12-03'] },
        'xlsx',
      ),
    ).toBe(
      'list=done&status=closed&severity=critical&building=office&from=2026-12-01&to=2026-12-03&format=xlsx',
    );
    expect(exportQuery('pending', noFilters(), 'csv')).toBe('list=pending&status=open&format=csv');
  });
});
