import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startApi } from '../api/main.ts';
import { ControlService } from '../control/service.ts';
import { ManualClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { apiToken, authedFetch } from './helpers/apiAuth.ts';
import { appliedWrites } from './helpers/appliedWrites.ts';

/**
 * The control routes over HTTP against the control service. The devices here are an in-memory
 * stand-in that applies every write (the gateway path is tested in controlSafety.test.ts).
 */
describe('control API', () => {
  const site = loadSite(join(import.meta.dirname, '../examples/demo-site.yaml'));
  const clock = new ManualClock(Date.parse('2025-09-29T17:30:00+08:00'));
  const { device, dispatcher } = appliedWrites();
  let service: ControlService;
  let api: Api;
  let base: string;
  // An engineer's API token: the API refuses anonymous calls, and audits the token's user.
  const apiDir = mkdtempSync(join(tmpdir(), 'jn-control-api-auth-'));
  const engineer = apiToken(apiDir, { role: 'engineer', name: '王工' });
  const user = engineer.headers;
  const authed = authedFetch(engineer);

  beforeAll(async () => {
    service = new ControlService({
      site,
      dbFile: join(mkdtempSync(join(tmpdir(), 'jn-control-api-')), 'control.db'),
      dispatcher,
      latest: () => undefined,
      clock,
      log: createLogger({ level: 'error' }),
    });
    await service.tick();
    api = await startApi({
      dataDir: apiDir,
      store: undefined as never,
      health: async () => ({}),
      log: createLogger({ level: 'error' }),
      port: 0,
      site,
      control: service,
    });
    base = `http://127.0.0.1:${api.port}/api/v1`;
  });
  afterAll(async () => {
    await api?.stop();
    service?.close();
  });

  it('previews every action over a range, on the working calendar', async () => {
    const res = await authed(`${base}/schedules/preview?from=2025-09-27&to=2025-10-01`);
    expect(res.status).toBe(200);
    const { to, actions } = (await res.json()) as {
      to: string;
      actions: { at: string; device: string; value: number; schedule: string; because: string }[];
    };
    expect(to).toBe('2025-10-02T00:00:00+08:00'); // to is the last day, included; local time with its offset
    const office = actions.filter((a) => a.device === 'zonghe-lou-f1-3-ac');
    expect(office.map((a) => `${a.at} ${a.value}`)).toEqual([
      '2025-09-28T08:00:00+08:00 1',
      '2025-09-28T18:00:00+08:00 0',
      '2025-09-29T08:00:00+08:00 1',
      '2025-09-29T18:00:00+08:00 0',
      '2025-09-30T08:00:00+08:00 1',
      '2025-09-30T18:00:00+08:00 0',
    ]);
    expect(office[0]?.because).toBe('workday (补班 国庆节)');
    const bad = await authed(`${base}/schedules/preview?from=yesterday`, {
      headers: { 'accept-language': 'en' },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toBe(
      'from: "yesterday" is not a date; allowed: a local date YYYY-MM-DD (Asia/Shanghai) from 2000-01-01 to 2100-12-31, or an ISO-8601 instant with offset in those years (default now)',
    );
    // Chinese by default: the sentence's frame is Chinese, the parameter and the allowed values as written.
    const badZh = await authed(`${base}/schedules/preview?from=yesterday`);
    expect(((await badZh.json()) as { detail: string }).detail).toMatch(
      /^from："yesterday" 不是日期；允许：/,
    );
  });

  it('creates, validates, updates and deletes a schedule; a site file’s deleted comes back by a revert', async () => {
    const body = {
      id: 'meeting-precool',
      name: '会议中心 周三 预冷',
      group: 'dangan-office-ac',
      point: 'cooling_setpoint',
      priority: 15,
      week: {
        workday: [
          { at: '07:30', value: 26 },
          { at: '09:00', value: null },
        ],
      },
    };
    const invalid = await authed(`${base}/schedules/validate`, {
      method: 'POST',
      headers: user,
      body: JSON.stringify({ ...body, week: { workday: [{ at: '7:30', value: 22 }] } }),
    });
    expect(invalid.status).toBe(422);
    const problems = ((await invalid.json()) as { problems: { path: string; message: string }[] }).problems;
    expect(problems.map((p) => p.path)).toEqual(['week.workday.0.at']);
    const created = await authed(`${base}/schedules`, {
      method: 'POST',
      headers: user,
      body: JSON.stringify(body),
    });
    expect(created.status).toBe(201);
    const list = (await (await authed(`${base}/schedules`)).json()) as {
      schedules: { schedule: { id: string }; origin: string; updated_by?: string }[];
    };
    expect(list.schedules.find((s) => s.schedule.id === 'meeting-precool')).toMatchObject({
      origin: 'api',
      updated_by: 'token:王工',
    });
    const updated = await authed(`${base}/schedules/meeting-precool`, {
      method: 'PUT',
      headers: user,
      body: JSON.stringify({ ...body, week: { workday: [{ at: '07:00', value: 24 }] } }),
    });
    expect(updated.status).toBe(422);
    const refused = (await updated.json()) as { detail: string; problems: { message: string }[] };
    expect(refused.detail).toBe('时间表有 1 处问题');
    expect(refused.problems[0]?.message).toMatch(/below the policy minimum 26 °C/);
    // A site-file schedule is deletable too (a version in control.db), and the site file's comes back by a revert.
    const siteOwned = await authed(`${base}/schedules/zonghe-office-ac`, { method: 'DELETE', headers: user });
    expect(siteOwned.status).toBe(204);
    const back = await authed(`${base}/schedules/zonghe-office-ac/revert`, {
      method: 'POST',
      headers: user,
      body: JSON.stringify({ version: 'site', reason: '误删' }),
    });
    expect(back.status).toBe(200);
    expect(
      (await authed(`${base}/schedules/meeting-precool`, { method: 'DELETE', headers: user })).status,
    ).toBe(204);
    expect(
      (await authed(`${base}/schedules/meeting-precool`, { method: 'DELETE', headers: user })).status,
    ).toBe(404);
  });

  it('sets an operator override with an expiry, shows the priority array, relinquishes it', async () => {
    const noExpiry = await authed(`${base}/points/zonghe-lou-f4-8-ac/cooling_setpoint/override`, {
      method: 'PUT',
      headers: user,
      body: JSON.stringify({ value: 27 }),
    });
    expect(noExpiry.status).toBe(403); // command_privileges: only an admin with a reason sets one without
    expect(((await noExpiry.json()) as { detail: string }).detail).toMatch(
      /^优先级 8（人工操作）需要到期时间/,
    );
    const put = await authed(`${base}/points/zonghe-lou-f4-8-ac/cooling_setpoint/override`, {
      method: 'PUT',
      headers: user,
      body: JSON.stringify({ value: 27, for: '2h', reason: '西晒' }),
    });
    expect(put.status).toBe(200);
    expect(device.get('zonghe-lou-f4-8-ac/cooling_setpoint')).toBe(27);
    const array = (await (await authed(`${base}/points/zonghe-lou-f4-8-ac/cooling_setpoint`)).json()) as {
      effective: { value: number; level: number };
      levels: { level: number; value: number | null; source?: string; expires_at?: string }[];
    };
    expect(array.effective).toMatchObject({ value: 27, level: 8 });
    expect(array.levels[7]).toMatchObject({
      level: 8,
      value: 27,
      source: 'user:token:王工',
      expires_at: '2025-09-29T19:30:00+08:00',
    });
    const del = await authed(`${base}/points/zonghe-lou-f4-8-ac/cooling_setpoint/override?priority=8`, {
      method: 'DELETE',
      headers: user,
    });
    expect(del.status).toBe(200);
    expect(device.get('zonghe-lou-f4-8-ac/cooling_setpoint')).toBe(26);
    const unknown = await authed(`${base}/points/zonghe-lou-f4-8-ac/nope/override`, {
      method: 'PUT',
      headers: user,
      body: JSON.stringify({ value: 1, for: '1h' }),
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { detail: string }).detail).toMatch(
      /^设备 "zonghe-lou-f4-8-ac" 没有可写点位 "nope"；它的可写点位有：on_off, mode, cooling_setpoint/,
    );
    const unknownEn = await authed(`${base}/points/zonghe-lou-f4-8-ac/nope/override`, {
      method: 'PUT',
      headers: { ...user, 'accept-language': 'en' },
      body: JSON.stringify({ value: 1, for: '1h' }),
    });
    expect(((await unknownEn.json()) as { detail: string }).detail).toMatch(
      /has no writable point "nope"; its writable points are: on_off, mode, cooling_setpoint/,
    );
  });

  it('explains a bad override in Chinese by default, in English on request: the body, for, a past until', async () => {
    const url = `${base}/points/zonghe-lou-f4-8-ac/cooling_setpoint/override`;
    const ask = async (body: unknown, lang?: string) => {
      const res = await authed(url, {
        method: 'PUT',
        headers: { ...user, ...(lang ? { 'accept-language': lang } : {}) },
        body: JSON.stringify(body),
      });
      return { status: res.status, detail: ((await res.json()) as { detail: string }).detail };
    };
    const allowed =
      'a duration from 1ms to 7d (the longest override, command_privileges.max_expiry), e.g. "30min" or "2h"';
    expect(await ask({ value: 27, for: 'soon' }, 'en')).toEqual({
      status: 400,
      detail: `for: "soon" is not a duration; allowed: ${allowed}`,
    });
    expect(await ask({ value: 27, for: 'soon' })).toEqual({
      status: 400,
      detail: expect.stringMatching(/^for："soon" 不是时长；允许：1ms 至 7d 之间的时长/),
    });
    // A typo far past any override is a bad request naming the range, not a refusal "4166666666666667008.0 天".
    expect(await ask({ value: 27, for: '99999999999999999999h' }, 'en')).toEqual({
      status: 400,
      detail: `for: "99999999999999999999h" is not a duration; allowed: ${allowed}`,
    });
    expect(await ask({ value: 27, for: '8d' }, 'en')).toEqual({
      status: 400,
      detail: `for: "8d" is longer than the longest override; allowed: ${allowed}`,
    });
    // A past expiry in the site's time with its offset, as the person typed it.
    const past = { value: 27, until: '2020-01-01T00:00:00+08:00' };
    expect(await ask(past, 'en')).toEqual({
      status: 422,
      detail: 'expiry 2020-01-01T00:00:00+08:00 is not in the future',
    });
    expect(await ask(past)).toEqual({
      status: 422,
      detail: '到期时间 2020-01-01T00:00:00+08:00 已经过去，须晚于现在',
    });
    // zod's own messages in Chinese (its zh-CN locale), English as before.
    expect(await ask({ value: 'x', colour: 1 }, 'en')).toEqual({
      status: 400,
      detail: 'value: Invalid input: expected number, received string; unknown field(s) colour',
    });
    expect(await ask({ value: 'x', colour: 1 })).toEqual({
      status: 400,
      detail: 'value：无效输入：期望 数字，实际接收 string；未知字段 colour',
    });
    expect(device.get('zonghe-lou-f4-8-ac/cooling_setpoint')).not.toBe(27);
  });

  it('keeps a zone conditioned after hours (加班) until the time asked, then the schedule switches it off', async () => {
    const res = await authed(`${base}/overtime`, {
      method: 'POST',
      headers: user,
      body: JSON.stringify({ group: 'zonghe-office-ac', until: '21:00', reason: '迎检材料' }),
    });
    expect(res.status).toBe(200);
    clock.set(Date.parse('2025-09-29T18:05:00+08:00'));
    await service.tick();
    expect(device.get('zonghe-lou-f1-3-ac/on_off')).toBe(1);
    clock.set(Date.parse('2025-09-29T21:01:00+08:00'));
    await service.tick();
    expect(device.get('zonghe-lou-f1-3-ac/on_off')).toBe(0);
    const tooLong = await authed(`${base}/overtime`, {
      method: 'POST',
      headers: user,
      body: JSON.stringify({ group: 'zonghe-office-ac', until: '2025-09-30T08:00:00+08:00' }),
    });
    expect(tooLong.status).toBe(422);
    expect(((await tooLong.json()) as { detail: string }).detail).toMatch(/at most 6 h/);
    const audit = (await (
      await authed(`${base}/control/audit?device=zonghe-lou-f1-3-ac&point=on_off`)
    ).json()) as {
      entries: { source: string; action: string; reason: string | null }[];
    };
    expect(audit.entries.find((e) => e.action === 'set' && e.source === 'user:token:王工')?.reason).toMatch(
      /加班 after-hours: 迎检材料/,
    );
    expect(audit.entries.some((e) => e.action === 'expire' && e.source === 'user:token:王工')).toBe(true);
  });

  it('closes a day through the calendar API (台风停工): the preview drops its actions, the next day keeps them', async () => {
    const before = (await (
      await authed(`${base}/schedules/preview?from=2025-10-09&to=2025-10-11`)
    ).json()) as { actions: { at: string; device: string }[] };
    const on9 = (a: { actions: { at: string; device: string }[] }) =>
      a.actions.filter((x) => x.at.startsWith('2025-10-09') && x.device === 'zonghe-lou-f1-3-ac');
    expect(on9(before)).toHaveLength(2);
    const put = await authed(`${base}/calendar/overrides/2025-10-09`, {
      method: 'PUT',
      headers: user,
      body: JSON.stringify({ type: 'holiday', note: '台风停工' }),
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { days: unknown[] }).days[0]).toMatchObject({
      date: '2025-10-09',
      type: 'holiday',
      working: false,
      source: 'override',
      holiday: '台风停工',
      override_by: 'token:王工',
    });
    const after = (await (
      await authed(`${base}/schedules/preview?from=2025-10-09&to=2025-10-11`)
    ).json()) as {
      actions: { at: string; device: string }[];
    };
    expect(on9(after)).toEqual([]);
    expect(after.actions.some((a) => a.at.startsWith('2025-10-10'))).toBe(true);
    // 2025-10-11 is a 补班 Saturday in the package data.
    const days = (
      (await (await authed(`${base}/calendar?from=2025-10-10&to=2025-10-11`)).json()) as {
        days: { date: string; type: string }[];
      }
    ).days;
    expect(days.map((d) => d.type)).toEqual(['workday', 'makeup_workday']);
    const bad = await authed(`${base}/calendar/overrides/2025-10-09`, {
      method: 'PUT',
      headers: user,
      body: JSON.stringify({ type: 'typhoon' }),
    });
    expect(bad.status).toBe(400);
    expect(
      (await authed(`${base}/calendar/overrides/2025-10-09`, { method: 'DELETE', headers: user })).status,
    ).toBe(204);
    const restored = (await (
      await authed(`${base}/schedules/preview?from=2025-10-09&to=2025-10-11`)
    ).json()) as { actions: { at: string; device: string }[] };
    expect(on9(restored)).toHaveLength(2);
  });
});
