import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Api, startApi } from '../api/main.ts';
import { ManualClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import type { StoredReading } from '../core/store/store.ts';
import { topics } from '../core/topics.ts';
import { apiToken } from './helpers/apiAuth.ts';
import { writeTestSite } from './helpers/site.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * Readings history and the device list over real HTTP, on a real embedded store with a known
 * series, and device availability from a retained topic on the test Mosquitto. Every timestamp the
 * routes answer is local with the site's offset (+08:00), never `Z`.
 */
describe('GET /api/v1/readings/history and /api/v1/devices', () => {
  const gw = `gw-history-${process.pid}`;
  const { file } = writeTestSite({ modbusPort: 1, gatewayId: gw, devices: ['m1', 'm2'] });
  const site = loadSite(file);
  const dir = mkdtempSync(join(tmpdir(), 'jn-history-'));
  const { token } = apiToken(dir, { role: 'viewer' });
  const at = (local: string) => Date.parse(`2026-12-01T${local}+08:00`);
  const clock = new ManualClock(at('12:20:00'));
  let api: Api;
  let base: string;
  const get = async (path: string, lang = 'en') => {
    const res = await fetch(`${base}${path}`, {
      headers: { authorization: `Bearer ${token}`, 'accept-language': lang },
    });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
  };
  const reading = (point: string, ts: number, value: number | null, extra: Partial<StoredReading> = {}) =>
    ({
      site: 'test-site',
      building: 'b1',
      device: 'm1',
      point,
      ts,
      value,
      unit: 'W',
      quality: 'good',
      ...extra,
    }) as StoredReading;

  beforeAll(async () => {
    const store = new SqliteStore(join(dir, 'jieneng.db'));
    await store.open();
    await store.writeReadings([
      reading('active_power', at('07:30:00'), 1), // 30 November in UTC, 1 December locally
      reading('active_power', at('10:00:00'), 10),
      reading('active_power', at('10:30:00'), 20),
      reading('active_power', at('12:15:00'), 5),
      reading('active_power', Date.parse('2026-12-02T00:30:00+08:00'), 40), // 1 December in UTC
      reading('frequency', at('12:19:00'), 50, { unit: 'Hz', quality: 'uncertain', reason: 'stale' }),
      reading('voltage_l1', at('12:19:30'), null, {
        unit: 'V',
        quality: 'bad',
        reason: 'timeout after 5000 ms',
      }),
    ]);
    const pub = await mqtt.connectAsync(inject('mosquittoUrl'), {
      clientId: `jn-test-history-${process.pid}`,
    });
    await pub.publishAsync(
      topics.deviceAvailability(gw, 'm1'),
      JSON.stringify({
        state: 'offline',
        since: '2026-12-01T04:19:45.000Z',
        reason: 'timeout after 5000 ms',
      }),
      { qos: 1, retain: true },
    );
    await pub.endAsync();
    api = await startApi({
      store,
      health: async () => ({}),
      log: createLogger({ level: 'error' }),
      port: 0,
      dataDir: dir,
      site,
      clock,
      mqttUrl: inject('mosquittoUrl'),
    });
    base = `http://127.0.0.1:${api.port}/api/v1`;
  });
  afterAll(async () => {
    const pub = await mqtt.connectAsync(inject('mosquittoUrl'));
    await pub.publishAsync(topics.deviceAvailability(gw, 'm1'), '', { qos: 1, retain: true });
    await pub.endAsync();
    await api?.stop();
  });

  it('gives hourly min/max/avg/count with a gap as count 0 and nulls, starts at local time', async () => {
    const from = encodeURIComponent('2026-12-01T10:00:00+08:00');
    const to = encodeURIComponent('2026-12-01T13:00:00+08:00');
    const { status, body, text } = await get(
      `/readings/history?device=m1&point=active_power&from=${from}&to=${to}&interval=1h`,
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      device: 'm1',
      point: 'active_power',
      unit: 'W',
      interval: '1h',
      from: '2026-12-01T10:00:00+08:00',
      to: '2026-12-01T13:00:00+08:00',
      timezone: 'Asia/Shanghai',
      buckets: [
        { start: '2026-12-01T10:00:00+08:00', min: 10, max: 20, avg: 15, count: 2 },
        { start: '2026-12-01T11:00:00+08:00', min: null, max: null, avg: null, count: 0 },
        { start: '2026-12-01T12:00:00+08:00', min: 5, max: 5, avg: 5, count: 1 },
      ],
    });
    expect(text).not.toMatch(/\d{2}Z"/);
  });

  it('makes local days of dates, `to` included, and chooses the interval from the range', async () => {
    const days = await get(
      '/readings/history?device=m1&point=active_power&from=2026-12-01&to=2026-12-02&interval=1d',
    );
    expect(days.body.buckets).toEqual([
      { start: '2026-12-01T00:00:00+08:00', min: 1, max: 20, avg: 36 / 4, count: 4 },
      { start: '2026-12-02T00:00:00+08:00', min: 40, max: 40, avg: 40, count: 1 },
    ]);
    const oneDay = await get('/readings/history?device=m1&point=active_power&from=2026-12-01&to=2026-12-01');
    expect(oneDay.body.interval).toBe('5min');
    expect(oneDay.body.buckets).toHaveLength(288);
  });

  it('refuses an unknown device or point naming what exists, and too many buckets naming the limit', async () => {
    const device = await get('/readings/history?device=nope&point=active_power');
    expect(device.status).toBe(404);
    expect(device.body.detail).toBe('no device "nope" in the site; devices are: m1, m2');
    const zh = await get('/readings/history?device=nope&point=active_power', 'zh-CN');
    expect(zh.body.detail).toBe('没有设备 "nope"；现有设备：m1, m2');
    const point = await get('/readings/history?device=m1&point=power');
    expect(point.status).toBe(404);
    expect(point.body.detail).toMatch(
      /^device "m1" has no point "power"; its points are: voltage_l1, .*active_power/,
    );
    const many = await get(
      '/readings/history?device=m1&point=active_power&from=2026-11-01&to=2026-11-30&interval=1min',
    );
    expect(many.status).toBe(400);
    expect(many.body.detail).toMatch(/interval: 43200 buckets .* at most 5000 buckets per request/);
    const odd = await get('/readings/history?device=m1&point=active_power&interval=7min');
    expect(odd.status).toBe(400);
    expect(odd.body.detail).toMatch(
      /^interval: "7min" is not an interval; allowed: an interval that divides a day/,
    );
  });

  it('lists every device with gateway, protocol, building, availability, last reading and quality counts', async () => {
    await waitFor('the retained availability of m1', async () => {
      const { body } = await get('/devices/m1');
      return (body.availability as { state?: string } | null)?.state === 'offline';
    });
    const { status, body, text } = await get('/devices');
    expect(status).toBe(200);
    const list = body as unknown as Record<string, unknown>[];
    expect(list.map((d) => d.device)).toEqual(['m1', 'm2']);
    expect(list[0]).toEqual({
      device: 'm1',
      name: null,
      gateway: gw,
      connection: 'bus-1',
      protocol: 'modbus_tcp',
      profile: 'modbus/eastron/sdm630',
      building: 'b1',
      availability: {
        state: 'offline',
        since: '2026-12-01T12:19:45+08:00',
        reason: 'timeout after 5000 ms',
        gateway: gw,
      },
      last_reading_at: '2026-12-02T00:30:00+08:00',
      age_s: (at('12:20:00') - Date.parse('2026-12-02T00:30:00+08:00')) / 1000,
      point_count: expect.any(Number),
      readings: { good: 1, stale: 1, bad: 1 },
    });
    expect(list[1]).toMatchObject({
      device: 'm2',
      availability: null,
      last_reading_at: null,
      readings: { good: 0, stale: 0, bad: 0 },
    });
    expect(text).not.toMatch(/\d{2}Z"/);
  });

  it('shows one device with every point of its profile and each point’s latest reading', async () => {
    const { body } = await get('/devices/m1');
    const points = body.points as { point: string; unit: string; latest: Record<string, unknown> | null }[];
    expect(points.length).toBe(body.point_count);
    expect(points.find((p) => p.point === 'frequency')).toMatchObject({
      unit: 'Hz',
      latest: {
        value: 50,
        ts: '2026-12-01T12:19:00+08:00',
        age_s: 60,
        quality: 'uncertain',
        reason: 'stale',
      },
    });
    expect(points.find((p) => p.point === 'voltage_l1')?.latest).toMatchObject({
      value: null,
      quality: 'bad',
    });
    expect(points.find((p) => p.point === 'import_energy')?.latest).toBeNull();
    const missing = await get('/devices/m3');
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toBe('no device "m3" in the site; devices are: m1, m2');
  });
});
