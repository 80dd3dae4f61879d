import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemHandler } from '../api/problem.ts';
import { controlRoutes } from '../api/routes/control.ts';
import { ControlService } from '../control/service.ts';
import type { Actor } from '../core/auth/actor.ts';
import { ManualClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { appliedWrites } from './helpers/appliedWrites.ts';

/**
 * Command priorities as a privilege, through the override routes over HTTP: the actor is what the
 * authentication middleware puts on res.locals.actor (here from a test header, as the lead's
 * middleware will from a session or token). Real HTTP on 127.0.0.1, real control.db.
 */
const AC = 'zonghe-lou-f4-8-ac';
const engineer: Actor = { user: '王工', role: 'engineer', via: 'session', scopes: [] };
const admin: Actor = { user: '刘局', role: 'admin', via: 'session', scopes: [] };
const safety: Actor = {
  user: 'fire-panel',
  role: 'engineer',
  via: 'token',
  scopes: ['safety'],
  tokenId: 'tk1',
};
const officer: Actor = { user: '李明', role: 'officer', via: 'session', scopes: [] };
const viewer: Actor = { user: '访客', role: 'viewer', via: 'session', scopes: [] };

describe('command privileges over the API', () => {
  const site = loadSite(join(import.meta.dirname, '../examples/demo-site.yaml'));
  const clock = new ManualClock(Date.parse('2025-10-15T10:00:00+08:00'));
  const { device, dispatcher } = appliedWrites();
  let service: ControlService;
  let server: Server;
  let base: string;
  const audits: unknown[] = [];

  beforeAll(async () => {
    service = new ControlService({
      site,
      dbFile: join(mkdtempSync(join(tmpdir(), 'jn-privileges-')), 'control.db'),
      dispatcher,
      latest: () => undefined,
      clock,
      log: createLogger({ level: 'error' }),
      strategies: { optimalStart: false, sweeps: false, demand: false },
    });
    await service.tick();
    const app = express();
    app.use((req, res, next) => {
      const actor = req.get('x-test-actor');
      if (actor) res.locals.actor = JSON.parse(decodeURIComponent(actor));
      next();
    });
    app.use((_req, res, next) => {
      res.on('finish', () => audits.push(res.locals.audit ?? null)); // what the audit middleware reads
      next();
    });
    app.use('/api/v1', controlRoutes(service, site));
    app.use(problemHandler(createLogger({ level: 'error' })));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/api/v1`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
    service?.close();
  });

  const headers = (actor: Actor, lang = 'en') => ({
    'content-type': 'application/json',
    'accept-language': lang,
    'x-test-actor': encodeURIComponent(JSON.stringify(actor)),
  });
  const override = async (actor: Actor, body: Record<string, unknown>) => {
    const res = await fetch(`${base}/points/${AC}/cooling_setpoint/override`, {
      method: 'PUT',
      headers: headers(actor),
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as { code?: string; detail?: string; rule?: string },
    };
  };
  const relinquish = async (actor: Actor, priority: number) =>
    (
      await fetch(`${base}/points/${AC}/cooling_setpoint/override?priority=${priority}`, {
        method: 'DELETE',
        headers: headers(actor),
      })
    ).status;

  it('refuses an engineer priority 1–7 and a permanent override, with the rule, audited as rejected', async () => {
    const p1 = await override(engineer, { value: 27, priority: 1, for: '1h', reason: '演练' });
    expect(p1.status).toBe(403);
    expect(p1.body).toMatchObject({
      code: 'priority_not_allowed',
      rule: 'command_privileges.levels[0]',
      detail:
        'priority 1 (life safety) needs a token with the "safety" scope or an admin with a reason and an expiry; 王工 is an engineer: take priority 8–16',
    });
    const zh = await fetch(`${base}/points/${AC}/cooling_setpoint/override`, {
      method: 'PUT',
      headers: headers(engineer, 'zh-CN'),
      body: JSON.stringify({ value: 27, priority: 1, for: '1h', reason: '演练' }),
    });
    expect(((await zh.json()) as { detail: string }).detail).toBe(
      '优先级 1（生命安全）需要带 "safety" 权限范围的令牌或管理员，并须填写原因和到期时间；王工 的角色是工程师：可使用优先级 8–16',
    );
    const permanent = await override(engineer, { value: 27, priority: 9, reason: '长期' });
    expect(permanent.status).toBe(403);
    expect(permanent.body.rule).toBe('command_privileges.permanent');
    const audit = service.audit({ device: AC, source: 'user:王工' });
    expect(audit.slice(0, 3).map((e) => [e.priority, e.outcome])).toEqual([
      [9, 'rejected'],
      [1, 'rejected'],
      [1, 'rejected'],
    ]);
    expect(audit[1]?.reason).toMatch(/needs a token with the "safety" scope/);
    expect(device.get(`${AC}/cooling_setpoint`)).not.toBe(27);
    expect((await override(engineer, { value: 27, priority: 8, for: '2h' })).status).toBe(200);
    expect(device.get(`${AC}/cooling_setpoint`)).toBe(27);
  });

  it('lets a token with the safety scope take priority 3 with a reason and an expiry', async () => {
    const r = await override(safety, { value: 28, priority: 3, for: '30min', reason: '消防联动' });
    expect(r.status).toBe(200);
    expect(device.get(`${AC}/cooling_setpoint`)).toBe(28);
    expect((await override(safety, { value: 28, priority: 3, for: '30min' })).body.detail).toBe(
      'priority 3 (safety band, unassigned) needs a reason: give "reason" (and an expiry)',
    );
  });

  it('relinquishing a level needs the privilege of setting it', async () => {
    expect(await relinquish(engineer, 3)).toBe(403);
    const zh = await fetch(`${base}/points/${AC}/cooling_setpoint/override?priority=3`, {
      method: 'DELETE',
      headers: headers(engineer, 'zh-CN'),
    });
    expect(((await zh.json()) as { detail: string }).detail).toBe(
      '释放优先级 3（安全级，未分配）需要带 "safety" 权限范围的令牌或管理员；王工 的角色是工程师：可释放优先级 8–16',
    );
    expect(device.get(`${AC}/cooling_setpoint`)).toBe(28);
    expect(await relinquish(safety, 3)).toBe(200);
    expect(device.get(`${AC}/cooling_setpoint`)).toBe(27); // the engineer's 8 again
    expect(await relinquish(viewer, 8)).toBe(403);
    expect(await relinquish(engineer, 8)).toBe(200);
  });

  it('lets an admin set a permanent override only with a reason', async () => {
    const none = await override(admin, { value: 27, priority: 8 });
    expect(none.status).toBe(403);
    expect(none.body.detail).toMatch(
      /^a permanent override \(no expiry\) at priority 8 \(manual operator\) needs a reason/,
    );
    const ok = await override(admin, { value: 27, priority: 8, reason: '局办公会决定：西晒房间常设 27 °C' });
    expect(ok.status).toBe(200);
    const array = (await (await fetch(`${base}/points/${AC}/cooling_setpoint`)).json()) as {
      levels: { level: number; source?: string; expires_at?: string | null }[];
    };
    expect(array.levels[7]).toMatchObject({ source: 'user:刘局', expires_at: null });
  });

  it('refuses viewers and officers any command, after-hours requests included', async () => {
    for (const actor of [viewer, officer]) {
      const r = await override(actor, { value: 27, priority: 12, for: '1h' });
      expect(r.status).toBe(403);
      expect(r.body.rule).toBe('command_privileges.no_command');
    }
    const overtime = await fetch(`${base}/overtime`, {
      method: 'POST',
      headers: headers(officer),
      body: JSON.stringify({ group: 'zonghe-office-ac', until: '21:00' }),
    });
    expect(overtime.status).toBe(403);
    expect(((await overtime.json()) as { detail: string }).detail).toBe(
      '李明 is an officer: viewers and officers may not command equipment; an engineer takes priority 8–16',
    );
    const refused = service.audit({ source: 'user:李明', limit: 10 });
    expect(refused.filter((e) => e.point === 'on_off').map((e) => [e.device, e.outcome])).toEqual([
      ['zonghe-lou-f4-8-ac', 'rejected'],
      ['zonghe-lou-f1-3-ac', 'rejected'],
    ]);
  });

  it('a calendar override change leaves its before and after for the audit trail', async () => {
    const put = await fetch(`${base}/calendar/overrides/2025-10-16`, {
      method: 'PUT',
      headers: headers(engineer),
      body: JSON.stringify({ type: 'holiday', note: '台风停工' }),
    });
    expect(put.status).toBe(200);
    expect(audits.at(-1)).toMatchObject({
      target: 'calendar:2025-10-16',
      before: { date: '2025-10-16', type: 'workday' },
      after: { date: '2025-10-16', type: 'holiday', override_by: '王工' },
    });
    const del = await fetch(`${base}/calendar/overrides/2025-10-16`, {
      method: 'DELETE',
      headers: headers(engineer),
    });
    expect(del.status).toBe(204);
    expect(audits.at(-1)).toMatchObject({
      target: 'calendar:2025-10-16',
      before: { type: 'holiday' },
      after: { type: 'workday' },
    });
  });
});
