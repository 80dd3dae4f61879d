import { describe, expect, it } from 'vitest';
import { messages } from './messages';
import {
  applyAvailability,
  applyReading,
  applyReadings,
  type DeviceSummary,
  displayValue,
  gatewaysOf,
  type LatestReading,
  matches,
  type OnlineState,
  passes,
  pointName,
  primaryOf,
  qualityOf,
  reasonText,
  relaysOf,
  rowsOf,
  STALE_AFTER_MS,
} from './model';

const device = (id: string, over: Partial<DeviceSummary> = {}): DeviceSummary => ({
  device: id,
  name: null,
  gateway: 'gw-a',
  connection: 'meter-room',
  protocol: 'modbus_tcp',
  profile: 'modbus/eastron/sdm630',
  building: 'zonghe-lou',
  availability: { state: 'online', since: '2026-12-02T13:00:00+08:00', gateway: 'gw-a' },
  last_reading_at: '2026-12-02T13:10:00+08:00',
  age_s: 1,
  point_count: 2,
  readings: { good: 2, stale: 0, bad: 0 },
  ...over,
});
const reading = (d: string, point: string, value: number | null, over: Partial<LatestReading> = {}) =>
  ({
    device: d,
    point,
    value,
    unit: 'W',
    ts: '2026-12-02T13:10:00+08:00',
    quality: 'good',
    ...over,
  }) as LatestReading;
const t0 = Date.parse('2026-12-02T13:10:00+08:00');

describe('the device rows of 实时监测', () => {
  it('joins the devices with their latest readings and shows the power as kW', () => {
    const rows = rowsOf(
      [device('main'), device('water', { availability: null })],
      [reading('main', 'voltage_l1', 230, { unit: 'V' }), reading('main', 'active_power', 306_400)],
    );
    expect(rows.map((r) => [r.device, r.state])).toEqual([
      ['main', 'online'],
      ['water', 'unknown'],
    ]);
    const p = primaryOf(rows[0] as (typeof rows)[0]);
    expect(p?.point).toBe('active_power');
    expect(displayValue(p as NonNullable<typeof p>)).toEqual({ value: 306.4, unit: 'kW' });
    expect(primaryOf(rows[1] as (typeof rows)[0])).toBeUndefined();
    expect(displayValue({ value: 2.5, unit: 'm³/h' })).toEqual({ value: 2.5, unit: 'm³/h' });
    expect(displayValue({ value: null, unit: 'W' })).toEqual({ value: null, unit: 'kW' });
  });

  it('filters offline as the API says, stale by quality or by the age of the newest reading, bad by quality', () => {
    const rows = rowsOf(
      [
        device('up'),
        device('down', {
          availability: { state: 'offline', since: null, reason: 'timeout', gateway: 'gw-a' },
        }),
        device('doubt'),
        device('broken'),
        device('never', { last_reading_at: null }),
      ],
      [
        reading('up', 'active_power', 1),
        reading('down', 'active_power', 1),
        reading('doubt', 'active_power', 1, { quality: 'uncertain' }),
        reading('broken', 'active_power', null, { quality: 'bad' }),
      ],
    );
    const ids = (f: 'all' | 'offline' | 'stale' | 'bad', now = t0) =>
      rows.filter((r) => passes(r, f, now)).map((r) => r.device);
    expect(ids('all')).toHaveLength(5);
    expect(ids('offline')).toEqual(['down']);
    expect(ids('stale')).toEqual(['doubt', 'never']);
    expect(ids('bad')).toEqual(['broken']);
    // 15 minutes without a new reading make every device stale.
    expect(ids('stale', t0 + STALE_AFTER_MS + 1)).toHaveLength(5);
    expect(qualityOf(rows[3] as (typeof rows)[0])).toEqual({ good: 0, stale: 0, bad: 1 });
  });

  it('searches id, name, gateway, building id and name, every word', () => {
    const [row] = rowsOf([device('zonghe-main', { name: '综合楼总表' })], []);
    const r = row as NonNullable<typeof row>;
    const names = (id: string) => (id === 'zonghe-lou' ? '综合办公楼' : id);
    expect(matches(r, '', names)).toBe(true);
    expect(matches(r, 'ZONGHE', names)).toBe(true);
    expect(matches(r, '总表', names)).toBe(true);
    expect(matches(r, '综合办公楼 gw-a', names)).toBe(true);
    expect(matches(r, 'fuwu', names)).toBe(false);
  });

  it('applies a live reading, but never an older one over a newer', () => {
    const rows = rowsOf([device('main')], [reading('main', 'active_power', 1000)]);
    expect(
      applyReading(rows, {
        gateway: 'gw-a',
        device: 'main',
        readings: [
          { point: 'active_power', value: 2000, unit: 'W', ts: '2026-12-02T13:10:02+08:00', quality: 'good' },
        ],
      }),
    ).toBe(true);
    expect(rows[0]?.points.active_power?.value).toBe(2000);
    expect(rows[0]?.lastAt).toBe(t0 + 2000);
    applyReading(rows, {
      gateway: 'gw-a',
      device: 'main',
      readings: [
        { point: 'active_power', value: 5, unit: 'W', ts: '2026-12-02T13:09:00+08:00', quality: 'good' },
      ],
    });
    expect(rows[0]?.points.active_power?.value).toBe(2000);
    expect(applyReading(rows, { gateway: 'gw-a', device: 'other', readings: [] })).toBe(false);
  });

  it('applies the readings that came while GET /devices was in flight to its answer, by timestamp', () => {
    // The answer (as of 13:10:00) and what the stream brought meanwhile: one newer, one older.
    const answer = rowsOf([device('main'), device('b')], [reading('main', 'active_power', 1000)]);
    const at = (s: string) => `2026-12-02T13:${s}+08:00`;
    const next = applyReadings(answer, [
      {
        gateway: 'gw-a',
        device: 'main',
        readings: [{ point: 'active_power', value: 1500, unit: 'W', ts: at('10:03'), quality: 'good' }],
      },
      {
        gateway: 'gw-a',
        device: 'main',
        readings: [{ point: 'active_power', value: 900, unit: 'W', ts: at('09:58'), quality: 'good' }],
      },
      {
        gateway: 'gw-a',
        device: 'b',
        readings: [{ point: 'active_power', value: 7, unit: 'W', ts: at('10:01'), quality: 'good' }],
      },
    ]);
    expect(next?.[0]?.points.active_power?.value).toBe(1500);
    expect(next?.[0]?.lastAt).toBe(t0 + 3000);
    expect(next?.[1]?.points.active_power?.value).toBe(7);
    // The rows changed are new objects (a render), the answer is untouched.
    expect(answer[0]?.points.active_power?.value).toBe(1000);
    expect(applyReadings(answer, [{ gateway: 'gw-a', device: 'nobody', readings: [] }])).toBeUndefined();
  });

  it('takes a device offline and back; a gateway offline takes its devices, and back online asks for a reload', () => {
    const rows = rowsOf([device('a'), device('b'), device('c', { gateway: 'gw-b' })], []);
    const said = new Map<string, OnlineState>();
    expect(
      applyAvailability(rows, said, {
        gateway: 'gw-a',
        device: 'a',
        state: 'offline',
        since: '2026-12-02T13:11:00+08:00',
        reason: 'timeout',
      }),
    ).toBe('changed');
    expect(rows.map((r) => r.state)).toEqual(['offline', 'online', 'online']);
    expect(rows[0]?.reason).toBe('timeout');
    expect(
      applyAvailability(rows, said, { gateway: 'gw-a', device: null, state: 'offline', since: null }),
    ).toBe('changed');
    expect(rows.map((r) => r.state)).toEqual(['offline', 'offline', 'online']);
    expect(gatewaysOf(rows, said).map((g) => [g.gateway, g.state, g.online, g.devices])).toEqual([
      ['gw-a', 'offline', 0, 2],
      ['gw-b', 'online', 1, 1],
    ]);
    // A device reporting online while its gateway is offline stays offline (as the API says).
    applyAvailability(rows, said, { gateway: 'gw-a', device: 'b', state: 'online', since: null });
    expect(rows[1]?.state).toBe('offline');
    expect(
      applyAvailability(rows, said, { gateway: 'gw-a', device: null, state: 'online', since: null }),
    ).toBe('reload');
  });

  it('calls a gateway offline when the API shows all its devices offline because of it', () => {
    const gone = {
      state: 'offline' as const,
      since: null,
      reason: 'gateway "gw-a" is offline',
      gateway: 'gw-a',
    };
    const rows = rowsOf([device('a', { availability: gone }), device('b', { availability: null })], []);
    expect(gatewaysOf(rows.slice(0, 1), new Map())[0]?.state).toBe('offline');
    expect(gatewaysOf(rows.slice(1), new Map())[0]?.state).toBe('unknown');
  });

  it('says a gateway’s outage in the page’s language; any other reason as the API gives it', () => {
    const t = (lang: 'zh-CN' | 'en') => (key: string, named?: Record<string, unknown>) =>
      key === 'monitoring.gatewayOffline'
        ? messages[lang].gatewayOffline.replace('{gateway}', String(named?.gateway))
        : key;
    expect(reasonText('gateway "gw-a" is offline', t('zh-CN'))).toBe('网关 gw-a 离线');
    expect(reasonText('gateway "gw-a" is offline', t('en'))).toBe('gateway gw-a is offline');
    expect(reasonText('连接超时', t('zh-CN'))).toBe('连接超时');
    expect(reasonText(undefined, t('zh-CN'))).toBeUndefined();
  });

  it('says a relay module as circuits on of all', () => {
    const [row] = rowsOf(
      [device('lights')],
      [reading('lights', 'relay_1', 1), reading('lights', 'relay_2', 0), reading('lights', 'relay_3', 1)],
    );
    expect(relaysOf(row as NonNullable<typeof row>)).toEqual({ on: 2, total: 3 });
    const [meter] = rowsOf([device('m')], [reading('m', 'active_power', 1)]);
    expect(relaysOf(meter as NonNullable<typeof meter>)).toBeUndefined();
  });

  it('names a point in the page language from the profile’s “中文 / English”', () => {
    expect(pointName('A相电压 / Phase 1 voltage', 'zh-CN', 'v')).toBe('A相电压');
    expect(pointName('A相电压 / Phase 1 voltage', 'en', 'v')).toBe('Phase 1 voltage');
    expect(pointName('开关', 'en', 'on_off')).toBe('开关');
    expect(pointName(null, 'en', 'on_off')).toBe('on_off');
  });
});
