import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Api, startApi } from '../api/main.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import type { TelemetryBatch } from '../core/telemetry.ts';
import { topics } from '../core/topics.ts';
import { apiToken } from './helpers/apiAuth.ts';
import { writeTestSite } from './helpers/site.ts';
import { openStream, type SseEvent, type SseStream } from './helpers/sse.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * The live event stream over real HTTP, fed by real publishes on the test Mosquitto: a gateway's
 * telemetry becomes `reading` events, a client that was away gets exactly what it missed with
 * Last-Event-ID (or a `reset` when it is no longer kept), the availability a gateway publishes is an
 * event, and the API serves at most 50 streams at once and 5 to one viewer.
 */
describe('GET /api/v1/stream', () => {
  const gw = `gw-stream-${process.pid}`;
  const { file } = writeTestSite({ modbusPort: 1, gatewayId: gw, devices: ['m1', 'm2'] });
  const site = loadSite(file);
  let api: Api;
  let base: string;
  let pub: MqttClient;
  let seq = 0;
  const open: SseStream[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'jn-stream-'));
  // A viewer may read the stream (api/access.ts): the least role there is.
  const { token } = apiToken(dir, { role: 'viewer' });
  const stream = async (query = '', headers: Record<string, string> = {}) => {
    const s = await openStream(`${base}/stream${query}`, { authorization: `Bearer ${token}`, ...headers });
    open.push(s);
    return s;
  };
  /** Publishes one telemetry batch as a gateway does: one reading per device given. */
  const publish = (values: Record<string, number>) => {
    const batch: TelemetryBatch = {
      gateway: gw,
      epoch: 'e1',
      seq: ++seq,
      sent_at: new Date().toISOString(),
      readings: Object.entries(values).map(([device, value]) => ({
        device,
        point: 'active_power',
        value,
        unit: 'W',
        ts: '2026-12-02T02:38:00.250Z',
        quality: 'good' as const,
      })),
    };
    return pub.publishAsync(topics.telemetry(gw), JSON.stringify(batch), { qos: 1 });
  };
  const readingsOf = (s: SseStream) =>
    s.events
      .filter((e) => e.event === 'reading')
      .map((e) => JSON.parse(e.data) as { device: string; readings: { value: number; ts: string }[] });

  beforeAll(async () => {
    const store = new SqliteStore(join(dir, 'jieneng.db'));
    await store.open();
    api = await startApi({
      store,
      health: async () => ({}),
      log: createLogger({ level: 'error' }),
      port: 0,
      dataDir: dir,
      site,
      mqttUrl: inject('mosquittoUrl'),
    });
    base = `http://127.0.0.1:${api.port}/api/v1`;
    pub = await mqtt.connectAsync(inject('mosquittoUrl'), { clientId: `jn-test-stream-${process.pid}` });
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await pub?.publishAsync(topics.availability(gw), '', { qos: 1, retain: true });
    await pub?.endAsync();
    await api?.stop();
  });

  it('relays telemetry as reading events, and replays exactly the missed ones after Last-Event-ID', async () => {
    const watcher = await stream();
    expect(watcher.status).toBe(200);
    expect(watcher.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // The API subscribes as it starts: until then a publish reaches nobody, so publish until one does.
    await waitFor('the API to relay telemetry', async () => {
      await publish({ m2: -1 });
      return readingsOf(watcher).length > 0;
    });

    const first = await stream('?device=m1');
    await publish({ m1: 1 });
    await waitFor('the reading of m1', () => readingsOf(first).length === 1, { seen: () => first.events });
    const [event] = first.events.filter((e) => e.event === 'reading') as [SseEvent];
    expect(JSON.parse(event.data)).toEqual({
      gateway: gw,
      device: 'm1',
      readings: [
        { point: 'active_power', value: 1, unit: 'W', ts: '2026-12-02T10:38:00.250+08:00', quality: 'good' },
      ],
    });
    first.close();

    // Away: three readings of m1 and one of m2 that the filter leaves out.
    await publish({ m1: 2 });
    await publish({ m2: 99 });
    await publish({ m1: 3, m2: 98 });
    await publish({ m1: 4 });
    await waitFor('the API to have the last of them', () =>
      readingsOf(watcher).some((r) => r.device === 'm1' && r.readings[0]?.value === 4),
    );

    const again = await stream('?device=m1', { 'last-event-id': event.id as string });
    await publish({ m1: 5 });
    await waitFor('the replay and the next live reading', () => readingsOf(again).length >= 4, {
      seen: () => again.events,
    });
    expect(readingsOf(again).map((r) => [r.device, r.readings[0]?.value])).toEqual([
      ['m1', 2],
      ['m1', 3],
      ['m1', 4],
      ['m1', 5],
    ]);
    const ids = again.events.map((e) => Number(e.id));
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] as number))).toBe(true);
    expect(ids[0]).toBeGreaterThan(Number(event.id));
  });

  it('sends one reset event to a client whose Last-Event-ID is older than what is kept', async () => {
    const s = await stream('', { 'last-event-id': '1' });
    await waitFor('the reset event', () => s.events.length > 0);
    expect(s.events[0]?.event).toBe('reset');
    expect(JSON.parse(s.events[0]?.data ?? '{}')).toMatchObject({ last_event_id: '1' });
  });

  it('relays an availability change, with the site’s offset, and not the retained state', async () => {
    const s = await stream('?device=m2');
    await pub.publishAsync(
      topics.availability(gw),
      JSON.stringify({ state: 'offline', since: '2026-12-02T03:00:00.000Z' }),
      { qos: 1, retain: true },
    );
    await waitFor('the availability event', () => s.events.some((e) => e.event === 'availability'));
    expect(JSON.parse(s.events.find((e) => e.event === 'availability')?.data ?? '{}')).toEqual({
      gateway: gw,
      device: null,
      state: 'offline',
      since: '2026-12-02T11:00:00+08:00',
    });
  });

  it('relays the alarm service’s AlarmEvents of this site as they came, not those of another site’s devices', async () => {
    const s = await stream(); // no ?device=: the site's own filter is what keeps the other site's out
    const event = (id: number, device: string) => ({
      transition: {
        seq: id,
        alarm_id: id,
        at: '2026-12-02T11:00:00+08:00',
        action: 'raise',
        by: 'alarm-service',
        note: null,
      },
      alarm: {
        id,
        rule: 'device_offline',
        key: device,
        building: null,
        device,
        gateway: null,
        message_zh: '设备离线',
      },
    });
    // One topic for every site on the broker: the other site's first, then this site's (QoS 1, in order).
    await pub.publishAsync(topics.alarmEvents, JSON.stringify(event(900, 'another-site-meter')), { qos: 1 });
    await pub.publishAsync(topics.alarmEvents, JSON.stringify(event(901, 'm1')), { qos: 1 });
    await waitFor('the alarm event', () => s.events.some((e) => e.event === 'alarm'), {
      seen: () => s.events,
    });
    const alarms = s.events.filter((e) => e.event === 'alarm').map((e) => JSON.parse(e.data));
    expect(alarms).toEqual([event(901, 'm1')]);
  });

  it('refuses a device the site does not have, naming those it has', async () => {
    const s = await stream('?device=m1,nope', { 'accept-language': 'en' });
    expect(s.status).toBe(404);
    expect((s.body as { detail: string }).detail).toBe('no device "nope" in the site; devices are: m1, m2');
  });

  /** Opens a stream as viewer `name` (its own token): the per-user limit counts by account. */
  const tokens = new Map<string, string>();
  const streamAs = async (name: string, headers: Record<string, string> = {}) => {
    const t = tokens.get(name) ?? apiToken(dir, { role: 'viewer', name }).token;
    tokens.set(name, t);
    const s = await openStream(`${base}/stream`, { authorization: `Bearer ${t}`, ...headers });
    open.push(s);
    return s;
  };

  it('serves at most 5 streams to one viewer, so one cannot take them all', async () => {
    const mine = await Promise.all(Array.from({ length: 5 }, () => streamAs('tab-hoarder')));
    expect(mine.every((s) => s.status === 200)).toBe(true);
    const sixth = await streamAs('tab-hoarder', { 'accept-language': 'en' });
    expect(sixth.status).toBe(503);
    expect(sixth.headers.get('retry-after')).toBe('10');
    expect((sixth.body as { code: string }).code).toBe('stream_limit');
    expect((sixth.body as { detail: string }).detail).toMatch(
      /"token:tab-hoarder" has 5 live streams open, the most one user or token may hold \(5\)/,
    );
    // Another viewer is not held up by the first one's streams.
    expect((await streamAs('someone-else')).status).toBe(200);
    mine[0]?.close();
    await waitFor('a stream of the first viewer to be free again', async () => {
      const s = await streamAs('tab-hoarder');
      if (s.status === 200) s.close();
      return s.status === 200;
    });
    for (const s of open) s.close();
  });

  it('serves at most 50 streams at once: the next is a 503 with Retry-After until one closes', async () => {
    const viewers = Array.from({ length: 10 }, (_, i) => `viewer-${i}`);
    // A closed stream is let go when its connection closes, and the earlier ones may still be
    // going: each of the 50 is opened as soon as there is room for it.
    const many: SseStream[] = [];
    for (const v of viewers)
      for (let i = 0; i < 5; i++)
        await waitFor(`stream ${many.length + 1} of 50`, async () => {
          const s = await streamAs(v);
          if (s.status === 200) many.push(s);
          return s.status === 200;
        });
    const refused = await streamAs('viewer-late', { 'accept-language': 'en' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect((refused.body as { code: string; detail: string }).code).toBe('stream_limit');
    expect((refused.body as { detail: string }).detail).toMatch(/50 live streams are open/);
    many[0]?.close();
    await waitFor('a stream to be free again', async () => {
      const s = await streamAs('viewer-late');
      if (s.status === 200) s.close();
      return s.status === 200;
    });
  });
});
