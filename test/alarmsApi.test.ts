import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlarmDb } from '../core/alarms/db.ts';
import type { Alarm, AlarmRule } from '../core/alarms/model.ts';
import type { Role } from '../core/auth/actor.ts';
import { apiToken } from './helpers/apiAuth.ts';
import { type ApiHarness, startApiHarness } from './helpers/apiHarness.ts';

/**
 * Issue 17, the alarms through the API: the lists the console shows (待处理 / 处理中 / 已处理),
 * filters by local dates, one alarm with its trail and notifications, and what people do with
 * alarms — acknowledge, shelve, unshelve, close — by role, audited, refused with the reason. The
 * alarms are put in the harness's alarms.db as the alarm service would (AlarmDb.observe); what the
 * API does there is what the alarm service then reads (`since`) to publish and notify.
 */
let h: ApiHarness;
let db: AlarmDb;
const tokens = new Map<Role, Record<string, string>>();
/** The harness's clock: 2025-09-29 17:30 (+08:00). */
const NOW = Date.parse('2025-09-29T17:30:00+08:00');

beforeAll(async () => {
  h = await startApiHarness();
  db = new AlarmDb(join(h.dir, 'alarms.db'), 'Asia/Shanghai');
  for (const role of ['admin', 'engineer', 'officer', 'viewer'] as const)
    tokens.set(role, apiToken(h.dir, { role, name: `alarm-${role}` }).headers);
});
afterAll(async () => {
  db?.close();
  await h?.stop();
});

let n = 0;
/** An alarm raised at `at` (ms) as the alarm service raises it; `cleared` clears it 10 minutes on. */
function raise(rule: AlarmRule, o: { at?: number; cleared?: boolean; device?: string } = {}): Alarm {
  const at = o.at ?? NOW - 3_600_000;
  const key = `${o.device ?? 'test'}-${++n}`;
  const c = {
    rule,
    key,
    at: new Date(at).toISOString(),
    message: `${rule} of ${key}`,
    message_zh: `${key} 的报警`,
    ...(o.device ? { device: o.device } : {}),
  };
  const raised = db.observe({ ...c, active: true }, { now: at, severity: 'major', holdOffMs: 0 })[0];
  if (o.cleared) db.observe({ ...c, active: false }, { now: at + 600_000, severity: 'major', holdOffMs: 0 });
  return db.get(raised?.alarm.id ?? 0) as Alarm;
}

async function call(
  method: string,
  path: string,
  options: { role?: Role; body?: unknown; lang?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(h.base + path, {
    method,
    headers: {
      ...tokens.get(options.role ?? 'admin'),
      ...(options.lang ? { 'accept-language': options.lang } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const ids = (r: { body: Record<string, unknown> }) => (r.body.alarms as Alarm[]).map((a) => a.id);

describe('GET /api/v1/alarms', () => {
  it('gives the console’s three lists and the counts, newest first, in local time', async () => {
    const pending = raise('device_offline', { device: 'zonghe-lou-main-meter' });
    const inProgress = raise('stale');
    db.acknowledge(inProgress.id, '王工', '在查', NOW - 60_000);
    const clearedUnacked = raise('stuck', { cleared: true });
    const done = raise('comm_errors', { cleared: true });
    db.acknowledge(done.id, '王工', undefined, NOW - 60_000);
    const open = await call('GET', '/api/v1/alarms?limit=1000');
    expect(open.status).toBe(200);
    expect(ids(open)).toEqual(expect.arrayContaining([pending.id, inProgress.id, clearedUnacked.id]));
    expect(ids(open)).not.toContain(done.id);
    expect(ids(open)).toEqual([...ids(open)].sort((a, b) => b - a));
    const list = async (l: string) => ids(await call('GET', `/api/v1/alarms?list=${l}&limit=1000`));
    expect(await list('pending')).toEqual(expect.arrayContaining([pending.id, clearedUnacked.id]));
    expect(await list('pending')).not.toContain(inProgress.id);
    expect(await list('in_progress')).toContain(inProgress.id);
    expect(await list('done')).toContain(done.id);
    expect(ids(await call('GET', '/api/v1/alarms?status=closed'))).toContain(done.id);
    const first = (open.body.alarms as Alarm[]).find((a) => a.id === pending.id);
    expect(first).toMatchObject({
      rule: 'device_offline',
      device: 'zonghe-lou-main-meter',
      state: 'active',
      list: 'pending',
      raised_at: '2025-09-29T16:30:00+08:00',
    });
    const counts = (await call('GET', '/api/v1/alarms/counts')).body;
    expect(counts).toEqual(open.body.counts);
    expect(counts).toEqual(db.counts());
    const device = await call('GET', '/api/v1/alarms?device=zonghe-lou-main-meter&rule=device_offline');
    expect(ids(device)).toEqual([pending.id]);
  });

  it('takes from and to as local dates, both included', async () => {
    // 07:30 in Beijing on the 29th is 23:30 UTC on the 28th: by UTC days it would be the 28th's.
    const early = raise('gateway_offline', { at: Date.parse('2025-09-29T07:30:00+08:00') });
    const q = async (query: string) => ids(await call('GET', `/api/v1/alarms?rule=gateway_offline&${query}`));
    expect(await q('from=2025-09-29&to=2025-09-29')).toEqual([early.id]);
    expect(await q('to=2025-09-28')).toEqual([]);
    expect(await q('from=2025-09-30')).toEqual([]);
  });

  it('refuses a bad query naming the parameter and what is allowed, in both languages', async () => {
    const bad = await call('GET', '/api/v1/alarms?status=active', { lang: 'en' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toBe(
      'status: "active" is not allowed; allowed: open (not closed), closed, all (default open; with list=done, closed)',
    );
    const zh = await call('GET', '/api/v1/alarms?severity=high');
    expect(zh.body.detail).toMatch(
      /^severity："high" 不允许；允许：a severity: critical, major, minor, warning/,
    );
    const date = await call('GET', '/api/v1/alarms?from=2025-02-30', { lang: 'en' });
    expect(date.body.detail).toMatch(/^from: "2025-02-30" is not a calendar date/);
    const order = await call('GET', '/api/v1/alarms?from=2025-09-29&to=2025-09-01', { lang: 'en' });
    expect(order.body.detail).toMatch(/^to: "2025-09-01" is before from "2025-09-29"/);
    expect((await call('GET', '/api/v1/alarms?rule=leak', { lang: 'en' })).body.detail).toMatch(
      /^rule: "leak" is not allowed; allowed: a rule: broker_unreachable, gateway_offline, /,
    );
  });
});

describe('GET /api/v1/alarms/:id and /alarms/notifications', () => {
  it('shows an alarm with its transitions and its notifications, failed ones with their error', async () => {
    const a = raise('night_flow', { cleared: true });
    const failedAt = NOW - 1_800_000;
    db.handle
      .prepare(
        `INSERT INTO notifications (alarm_id, channel, route, kind, status, attempts, created_at, error, body)
         VALUES (?, 'wecom-ops', 'ops', 'raise', 'failed', 5, ?, 'HTTP 500 from the robot webhook', '{}')`,
      )
      .run(a.id, failedAt);
    const one = await call('GET', `/api/v1/alarms/${a.id}`);
    expect(one.status).toBe(200);
    expect((one.body.alarm as Alarm).id).toBe(a.id);
    expect((one.body.transitions as { action: string }[]).map((t) => t.action)).toEqual(['raise', 'clear']);
    expect(one.body.notifications).toEqual([
      expect.objectContaining({
        alarm_id: a.id,
        channel: 'wecom-ops',
        status: 'failed',
        attempts: 5,
        error: 'HTTP 500 from the robot webhook',
        created_at: '2025-09-29T17:00:00+08:00',
        sent_at: null,
      }),
    ]);
    const failed = await call('GET', '/api/v1/alarms/notifications?status=failed');
    expect((failed.body.notifications as { alarm_id: number }[]).map((d) => d.alarm_id)).toContain(a.id);
    expect((await call('GET', '/api/v1/alarms/notifications?status=sent')).body.notifications).toEqual([]);
  });

  it('answers 404 for an unknown alarm and 400 for an id that is not one', async () => {
    const none = await call('GET', '/api/v1/alarms/999999', { lang: 'en' });
    expect(none.status).toBe(404);
    expect(none.body.detail).toBe('no alarm 999999; GET /api/v1/alarms?status=all lists them');
    const word = await call('GET', '/api/v1/alarms/abc', { lang: 'en' });
    expect(word.status).toBe(400);
    expect(word.body.detail).toBe('id: "abc" is not an alarm id; allowed: a whole number from 1');
    expect((await call('POST', '/api/v1/alarms/999999/acknowledge', { body: {} })).status).toBe(404);
  });
});

describe('acting on an alarm', () => {
  it('acknowledges by the caller with a note, audited, and the alarm service can read the transition', async () => {
    const a = raise('not_following');
    const seq = db.lastSeq();
    const ack = await call('POST', `/api/v1/alarms/${a.id}/acknowledge`, {
      role: 'engineer',
      body: { note: '已派人到现场' },
    });
    expect(ack.status).toBe(200);
    expect(ack.body.alarm).toMatchObject({
      id: a.id,
      acknowledged: true,
      acknowledged_by: 'token:alarm-engineer',
      ack_note: '已派人到现场',
      acknowledged_at: '2025-09-29T17:30:00+08:00',
      list: 'in_progress',
    });
    // What the alarm service polls (db.since) to publish and notify.
    expect(db.since(seq).map((e) => [e.alarm.id, e.transition.action, e.transition.by])).toEqual([
      [a.id, 'acknowledge', 'token:alarm-engineer'],
    ]);
    const audit = await call('GET', `/api/v1/audit?target=alarm:${a.id}`);
    const entry = (
      audit.body.entries as { action: string; outcome: string; before: Alarm; after: Alarm }[]
    )[0];
    expect(entry).toMatchObject({ action: 'POST /api/v1/alarms/:id/acknowledge', outcome: 'ok' });
    expect([entry?.before.acknowledged, entry?.after.acknowledged]).toEqual([false, true]);
  });

  it('closes only a cleared alarm; refuses with 409 and the reason in both languages', async () => {
    const active = raise('write_failing');
    const zh = await call('POST', `/api/v1/alarms/${active.id}/close`, { body: {} });
    expect(zh.status).toBe(409);
    expect(zh.body).toMatchObject({ code: 'conflict', reason: 'not_cleared' });
    expect(zh.body.detail).toBe(`报警 ${active.id} 仍在持续：条件恢复后才能关闭（可先确认）`);
    const en = await call('POST', `/api/v1/alarms/${active.id}/close`, { body: {}, lang: 'en' });
    expect(en.body.detail).toMatch(/is still active: it closes once its condition clears/);
    const cleared = raise('write_failing', { cleared: true });
    const closed = await call('POST', `/api/v1/alarms/${cleared.id}/close`, { body: { note: '网关已修复' } });
    expect(closed.status).toBe(200);
    expect(closed.body.alarm).toMatchObject({
      state: 'closed',
      list: 'done',
      closed_by: 'token:alarm-admin',
    });
    const again = await call('POST', `/api/v1/alarms/${cleared.id}/acknowledge`, { body: {}, lang: 'en' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ reason: 'closed' });
    expect(again.body.detail).toMatch(
      new RegExp(`^alarm ${cleared.id} is closed \\(2025-09-29T17:30:00\\+08:00\\)`),
    );
  });

  it('shelves until a time in the next 30 days with a reason, and unshelves', async () => {
    const a = raise('stale');
    const past = await call('POST', `/api/v1/alarms/${a.id}/shelve`, {
      body: { until: '2025-09-29T08:00:00+08:00', reason: '检修' },
      lang: 'en',
    });
    expect(past.status).toBe(400);
    expect(past.body.detail).toMatch(/^until: "2025-09-29T08:00:00\+08:00" is not in the future/);
    const far = await call('POST', `/api/v1/alarms/${a.id}/shelve`, {
      body: { until: '2025-12-01T08:00:00+08:00', reason: '检修' },
      lang: 'en',
    });
    expect(far.body.detail).toMatch(/is more than 30 days ahead/);
    const noReason = await call('POST', `/api/v1/alarms/${a.id}/shelve`, {
      body: { until: '2025-09-30T08:00:00+08:00' },
      lang: 'en',
    });
    expect([noReason.status, noReason.body.detail]).toEqual([400, expect.stringMatching(/^reason: /)]);
    const before = (await call('GET', '/api/v1/alarms/counts')).body.shelved as number;
    const ok = await call('POST', `/api/v1/alarms/${a.id}/shelve`, {
      body: { until: '2025-09-30T00:00:00Z', reason: '空调检修' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.alarm).toMatchObject({
      shelved_until: '2025-09-30T08:00:00+08:00',
      shelved_by: 'token:alarm-admin',
      shelve_reason: '空调检修',
    });
    expect((await call('GET', '/api/v1/alarms/counts')).body.shelved).toBe(before + 1);
    const back = await call('POST', `/api/v1/alarms/${a.id}/unshelve`, { body: {} });
    expect((back.body.alarm as Alarm).shelved_until).toBeNull();
    const twice = await call('POST', `/api/v1/alarms/${a.id}/unshelve`, { body: {} });
    expect([twice.status, twice.body.reason]).toEqual([409, 'not_shelved']);
  });

  it('lets an officer acknowledge and close the data rules’ alarms only; a viewer reads', async () => {
    const device = raise('device_offline');
    const balance = raise('meter_balance', { cleared: true });
    const refused = await call('POST', `/api/v1/alarms/${device.id}/acknowledge`, {
      role: 'officer',
      body: {},
      lang: 'en',
    });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toBe(
      `alarm ${device.id} is a device_offline alarm: an officer may acknowledge or close only alarms of meter_balance, after_hours, night_flow, target_trend, quota; ask an engineer`,
    );
    expect((db.get(device.id) as Alarm).acknowledged).toBe(false);
    const ok = await call('POST', `/api/v1/alarms/${balance.id}/acknowledge`, { role: 'officer', body: {} });
    expect(ok.status).toBe(200);
    expect(ok.body.alarm).toMatchObject({ state: 'closed', acknowledged_by: 'token:alarm-officer' });
    const shelve = await call('POST', `/api/v1/alarms/${device.id}/shelve`, {
      role: 'officer',
      body: { until: '2025-09-30T08:00:00+08:00', reason: 'x' },
    });
    expect(shelve.status).toBe(403);
    expect(
      (await call('POST', `/api/v1/alarms/${device.id}/acknowledge`, { role: 'viewer', body: {} })).status,
    ).toBe(403);
    expect((await call('GET', `/api/v1/alarms/${device.id}`, { role: 'viewer' })).status).toBe(200);
  });
});
