import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type Alarms, startAlarms } from '../alarms/main.ts';
import { type Api, startApi } from '../api/main.ts';
import { type Control, startControl } from '../control/main.ts';
import type { AlarmEvent } from '../core/alarms/model.ts';
import { ManualClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import { topics } from '../core/topics.ts';
import { apiToken } from './helpers/apiAuth.ts';
import { openStream, type SseStream } from './helpers/sse.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * What control publishes reaches the event stream: the real control service on the test
 * Mosquitto publishes a `point` event when an operator override changes a point's value in effect,
 * and an `alarm` when writes keep failing (here: no command key for the gateway, so every write
 * fails; a second failure a minute later is control's write_failing condition, which the real
 * alarm service raises as an alarm in alarms.db and publishes as an AlarmEvent).
 */
describe('GET /api/v1/stream: point and alarm events from control', () => {
  const AC = 'zonghe-lou-f1-3-ac';
  const dir = mkdtempSync(join(tmpdir(), 'jn-stream-control-'));
  const gw = `gw-sc-${process.pid}`;
  const doc = parse(readFileSync(join(import.meta.dirname, '../examples/demo-site.yaml'), 'utf8'));
  doc.site.id = `stream-ctl-${process.pid}`; // topics of its own on the shared broker
  doc.gateways[0].id = gw;
  const file = join(dir, 'site.yaml');
  writeFileSync(file, stringify(doc));
  const site = loadSite(file);
  const clock = new ManualClock(Date.parse('2025-07-15T10:00:00+08:00'));
  const log = createLogger({ level: 'error' });
  const { token } = apiToken(dir, { role: 'viewer' });
  let api: Api;
  let control: Control | undefined;
  let alarms: Alarms | undefined;
  let events: SseStream;

  beforeAll(async () => {
    const store = new SqliteStore(join(dir, 'jieneng.db'));
    await store.open();
    alarms = await startAlarms({
      site,
      mqttUrl: inject('mosquittoUrl'),
      store,
      dbFile: join(dir, 'alarms.db'),
      clock,
      log,
      tickMs: 100,
    });
    api = await startApi({
      store,
      health: async () => ({}),
      log,
      port: 0,
      dataDir: dir,
      site,
      mqttUrl: inject('mosquittoUrl'),
    });
    events = await openStream(`http://127.0.0.1:${api.port}/api/v1/stream?device=${AC}`, {
      authorization: `Bearer ${token}`,
    });
    // The stream's subscriptions are in place once a telemetry publish comes through.
    const pub = await mqtt.connectAsync(inject('mosquittoUrl'));
    let seq = 0;
    await waitFor('the stream to relay telemetry', async () => {
      const batch = {
        gateway: gw,
        seq: ++seq,
        sent_at: new Date().toISOString(),
        readings: [
          {
            device: AC,
            point: 'room_temperature',
            value: 27.5,
            unit: '°C',
            ts: new Date().toISOString(),
            quality: 'good',
          },
        ],
      };
      await pub.publishAsync(topics.telemetry(gw), JSON.stringify(batch), { qos: 1 });
      return events.events.some((e) => e.event === 'reading');
    });
    await pub.endAsync();
    control = await startControl({
      site,
      mqttUrl: inject('mosquittoUrl'),
      dbFile: join(dir, 'control.db'),
      clock,
      log,
      tickMs: 200,
      readyWaitMs: 0,
    });
  });
  afterAll(async () => {
    events?.close();
    await control?.stop();
    await alarms?.stop();
    await api?.stop();
  });

  it('sends a point event with the value in effect, its level, source and local time', async () => {
    const result = await control?.service.command({
      device: AC,
      point: 'cooling_setpoint',
      priority: 8,
      value: 27,
      actor: { user: '王工', role: 'engineer', via: 'session', scopes: [] },
      expiresAt: clock.now() + 3_600_000,
    });
    expect(result?.accepted).toBe(true);
    const overridden = () =>
      events.events
        .filter((e) => e.event === 'point')
        .map((e) => JSON.parse(e.data) as Record<string, unknown>)
        .find((p) => p.point === 'cooling_setpoint' && p.level === 8);
    await waitFor('the point event of the override', () => overridden() !== undefined, {
      seen: () => events.events,
    });
    expect(overridden()).toMatchObject({
      device: AC,
      point: 'cooling_setpoint',
      value: 27,
      level: 8,
      at: '2025-07-15T10:00:00+08:00',
    });
    expect(String(overridden()?.source)).toContain('王工');
  });

  it('sends an alarm event when writes keep failing, and lists the alarm', async () => {
    // The first write failed at once (no key); control retries a minute later on its clock.
    await waitFor('a control cycle (its writes failed)', () => Number(control?.status().detail?.cycles) >= 1);
    clock.set(clock.now() + 61_000);
    const raised = () =>
      events.events
        .filter((e) => e.event === 'alarm')
        .map((e) => JSON.parse(e.data) as AlarmEvent)
        .find((e) => e.transition.action === 'raise' && e.alarm.rule === 'write_failing');
    // The rule's delay (1 s) passes on the site's clock.
    await waitFor(
      'the alarm event',
      () => {
        clock.advance(500);
        return raised() !== undefined;
      },
      { seen: () => events.events.map((e) => e.event) },
    );
    const event = raised() as AlarmEvent;
    expect(event.alarm).toMatchObject({
      device: AC,
      rule: 'write_failing',
      state: 'active',
      list: 'pending',
    });
    expect(event.alarm.message).toMatch(/no command key for gateway/);
    expect(event.alarm.message_zh).toMatch(/连续 \d+ 次失败/);
    expect(event.alarm.raised_at).toMatch(/^2025-07-15T10:01:0\d(\.\d+)?\+08:00$/);
    // The same alarm through the API, from alarms.db.
    const list = (await (
      await fetch(`http://127.0.0.1:${api.port}/api/v1/alarms?rule=write_failing&device=${AC}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { alarms: { id: number }[] };
    expect(list.alarms.map((a) => a.id)).toContain(event.alarm.id);
  });
});
