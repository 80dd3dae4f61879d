import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../api/auth/auth.ts';
import { authenticate } from '../api/auth/middleware.ts';
import { problemHandler } from '../api/problem.ts';
import { scheduleRoutes } from '../api/routes/schedules.ts';
import { ControlService } from '../control/service.ts';
import { ManualClock } from '../core/clock.ts';
import { type LoadedSite, loadSite } from '../core/config/loadSite.ts';
import { pointKey } from '../core/control/points.ts';
import { createLogger } from '../core/log.ts';
import { apiToken } from './helpers/apiAuth.ts';
import { appliedWrites } from './helpers/appliedWrites.ts';

/**
 * Schedules edited through the API, versioned in control.db: the archive room's night setback
 * (priority 16, 28 °C in the demo site) edited to 27 °C reaches the preview and the engine's slot;
 * history, diff and revert; a later change of the site file is flagged and taken by a revert.
 * Real HTTP on 127.0.0.1, real SQLite; the devices are an in-memory stand-in that applies writes.
 */
const ID = 'dangan-archives-setback';
const AC = 'dangan-lou-archives-ac';

/** The schedule routes over HTTP in front of `service` (the lead's startApi adds auth around the same router). */
const audits: unknown[] = [];
// 王工's engineer token, in the auth.db the routes' authentication reads.
const authDir = mkdtempSync(join(tmpdir(), 'jn-sched-versions-auth-'));
const engineer = apiToken(authDir, { role: 'engineer', name: '王工' });

async function serve(service: ControlService, site: LoadedSite) {
  const app = express();
  app.use((_req, res, next) => {
    // What the audit middleware reads once the answer is sent.
    res.on('finish', () => audits.push(res.locals.audit ?? null));
    next();
  });
  // The API's own authentication (api/auth) in front of the schedule routes.
  app.use(
    authenticate(createAuth({ file: join(authDir, 'auth.db'), log: createLogger({ level: 'error' }) })),
  );
  app.use('/api/v1', scheduleRoutes(service, site));
  app.use(problemHandler(createLogger({ level: 'error' })));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const addr = server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/api/v1`;
  return { base, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('schedules versioned in control.db', () => {
  const site = loadSite(join(import.meta.dirname, '../examples/demo-site.yaml'));
  // A workday night: the setback holds from 18:00.
  const clock = new ManualClock(Date.parse('2025-10-15T22:00:00+08:00'));
  const { device, dispatcher } = appliedWrites();
  const dbFile = join(mkdtempSync(join(tmpdir(), 'jn-sched-versions-')), 'control.db');
  const headers = engineer.headers;
  let service: ControlService;
  let http: Awaited<ReturnType<typeof serve>>;
  const night = async () => {
    const r = await fetch(`${http.base}/schedules/preview?from=2025-10-15&to=2025-10-15`);
    const { actions } = (await r.json()) as { actions: { device: string; at: string; value: number }[] };
    return actions.filter((a) => a.device === AC).map((a) => `${a.at.slice(11, 16)} ${a.value}`);
  };
  const slot = () => service.engine.slot(pointKey(AC, 'cooling_setpoint'), 16);
  const revert = (version: number | 'site', reason?: string) =>
    fetch(`${http.base}/schedules/${ID}/revert`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ version, ...(reason ? { reason } : {}) }),
    });

  beforeAll(async () => {
    service = new ControlService({
      site,
      dbFile,
      dispatcher,
      latest: () => undefined,
      clock,
      log: createLogger({ level: 'error' }),
      strategies: { optimalStart: false, sweeps: false, demand: false },
    });
    await service.tick();
    http = await serve(service, site);
  });
  afterAll(async () => {
    await http?.stop();
    service?.close();
  });

  it('edits a site-file schedule: 28 → 27 °C in the preview and on the unit; GET shows version and origin', async () => {
    expect(await night()).toEqual(['07:30 26', '18:00 28']);
    expect(slot()?.value).toBe(28);
    const before = (await (await fetch(`${http.base}/schedules/${ID}`)).json()) as Record<string, unknown>;
    expect(before).toMatchObject({ origin: 'site' });
    expect(before.version).toBeUndefined();

    const schedule = before.schedule as {
      default: number;
      week: { workday: { at: string; value: number }[] };
    };
    const edited = {
      ...schedule,
      default: 27,
      week: {
        ...schedule.week,
        workday: [
          { at: '07:30', value: 26 },
          { at: '18:00', value: 27 },
        ],
      },
    };
    const put = await fetch(`${http.base}/schedules/${ID}?reason=${encodeURIComponent('档案保护 27 °C')}`, {
      method: 'PUT',
      headers,
      body: JSON.stringify(edited),
    });
    expect(put.status).toBe(200);
    expect(audits.at(-1)).toMatchObject({
      target: `schedule:${ID}`,
      before: { default: 28 },
      after: { default: 27 },
    });

    const got = (await (await fetch(`${http.base}/schedules/${ID}`)).json()) as Record<string, unknown>;
    expect(got).toMatchObject({
      origin: 'edited',
      version: 1,
      updated_by: 'token:王工',
      reason: '档案保护 27 °C',
      site_changed_since_edit: false,
      schedule: { default: 27 },
    });
    expect(await night()).toEqual(['07:30 26', '18:00 27']);
    await service.tick();
    expect(slot()).toMatchObject({ value: 27, source: `schedule:${ID}` });
    expect(device.get(`${AC}/cooling_setpoint`)).toBe(27);
  });

  it('shows the history and the diff; reverts to the site file and back to version 1', async () => {
    const diff = (await (await fetch(`${http.base}/schedules/${ID}/diff?from=site&to=1`)).json()) as {
      changes: { path: string; before?: unknown; after?: unknown }[];
    };
    expect(diff.changes).toEqual([
      { path: 'default', before: 28, after: 27 },
      { path: 'week.workday[1].value', before: 28, after: 27 },
    ]);

    expect((await revert('site', '恢复站点文件')).status).toBe(200);
    expect(await night()).toEqual(['07:30 26', '18:00 28']);
    await service.tick();
    expect(slot()?.value).toBe(28);
    expect(((await (await fetch(`${http.base}/schedules/${ID}`)).json()) as { origin: string }).origin).toBe(
      'site',
    );

    expect((await revert(1)).status).toBe(200);
    expect(await night()).toEqual(['07:30 26', '18:00 27']);
    const history = (await (await fetch(`${http.base}/schedules/${ID}/history`)).json()) as {
      in_force: number | string;
      versions: {
        version: number;
        action: string;
        reverted_to?: unknown;
        by: string;
        reason: string | null;
      }[];
    };
    expect(history.in_force).toBe(3);
    expect(history.versions.map((v) => [v.version, v.action, v.reverted_to ?? null, v.reason])).toEqual([
      [1, 'edit', null, '档案保护 27 °C'],
      [2, 'revert', 'site', '恢复站点文件'],
      [3, 'revert', 1, null],
    ]);
    const none = await fetch(`${http.base}/schedules/${ID}/diff?from=1&to=9`);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { detail: string }).detail).toBe(
      `时间表 "${ID}" 没有第 9 版；可用：1 … 3 或 "site"`,
    );
    const en = await fetch(`${http.base}/schedules/${ID}/diff?from=1&to=9`, {
      headers: { 'accept-language': 'en' },
    });
    expect(((await en.json()) as { detail: string }).detail).toBe(
      `schedule "${ID}" has no version 9; allowed: 1 … 3 or "site"`,
    );
    const bad = await fetch(`${http.base}/schedules/${ID}/diff?from=latest&to=1`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toBe(
      'from："latest" 不允许；允许：a version number from the history (1, 2, …) or "site"。',
    );
    const badEn = await fetch(`${http.base}/schedules/${ID}/diff?from=latest&to=1`, {
      headers: { 'accept-language': 'en' },
    });
    expect(((await badEn.json()) as { detail: string }).detail).toMatch(
      /^from: .*allowed: a version number from the history \(1, 2, …\) or "site"$/,
    );
  });

  it('deletes a site-file schedule as a version: gone from preview and slot, back by a revert', async () => {
    const del = await fetch(`${http.base}/schedules/${ID}`, { method: 'DELETE', headers });
    expect(del.status).toBe(204);
    expect(await night()).toEqual([]);
    await service.tick();
    expect(slot()).toBeUndefined();
    const gone = await fetch(`${http.base}/schedules/${ID}`, { headers: { 'accept-language': 'en' } });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { detail: string }).detail).toMatch(
      new RegExp(
        `^schedule "${ID}" was deleted in version 4 by token:王工 at .*revert \\{"version": 3\\} brings it back$`,
      ),
    );
    expect((await revert(3)).status).toBe(200);
    await service.tick();
    expect(slot()?.value).toBe(27);
  });

  it('flags a later change of the site file; the edit stays in force until a revert to "site" takes the new one', async () => {
    const warnings: string[] = [];
    const changed = structuredClone(site);
    const archive = changed.config.control.schedules.find((s) => s.id === ID);
    if (!archive) throw new Error('demo site without the archive setback');
    archive.week.workday = [
      { at: '07:00', value: 26 },
      { at: '18:00', value: 28 },
    ];
    service.close();
    service = new ControlService({
      site: changed,
      dbFile,
      dispatcher,
      latest: () => undefined,
      clock,
      log: createLogger({ level: 'warn', sink: { write: (line) => void warnings.push(line) } }),
      strategies: { optimalStart: false, sweeps: false, demand: false },
    });
    await http.stop();
    http = await serve(service, changed);
    expect(warnings.join('')).toMatch(
      new RegExp(
        `schedule "${ID}": the site file's version changed since control.db's version 5 .*stays in force`,
      ),
    );
    const got = (await (await fetch(`${http.base}/schedules`)).json()) as {
      schedules: {
        schedule: { id: string; default: number };
        origin: string;
        site_changed_since_edit?: boolean;
        site_schedule?: { week: { workday: { at: string }[] } };
        edit_based_on?: { week: { workday: { at: string }[] } };
      }[];
    };
    const entry = got.schedules.find((s) => s.schedule.id === ID);
    expect(entry).toMatchObject({
      origin: 'edited',
      site_changed_since_edit: true,
      schedule: { default: 27 },
    });
    expect(entry?.site_schedule?.week.workday[0]?.at).toBe('07:00');
    expect(entry?.edit_based_on?.week.workday[0]?.at).toBe('07:30');
    expect(await night()).toEqual(['07:30 26', '18:00 27']);

    expect((await revert('site')).status).toBe(200);
    expect(await night()).toEqual(['07:00 26', '18:00 28']);
    const after = (await (await fetch(`${http.base}/schedules/${ID}`)).json()) as Record<string, unknown>;
    expect(after).toMatchObject({ origin: 'site', version: 6 });
    expect(after.site_changed_since_edit).toBeUndefined();
  });
});
