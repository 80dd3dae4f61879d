import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../api/auth/auth.ts';
import { authenticate } from '../api/auth/middleware.ts';
import { startApi } from '../api/main.ts';
import { problemHandler } from '../api/problem.ts';
import { scheduleRoutes } from '../api/routes/schedules.ts';
import { ControlService } from '../control/service.ts';
import { ManualClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { apiToken } from './helpers/apiAuth.ts';

/**
 * `jieneng schedules edit|list|history|diff|revert` as an engineer runs them against the running
 * API (real HTTP on 127.0.0.1, real control.db), the editor being a small script (sed -i).
 */
const ID = 'dangan-archives-setback';

/** The engineer's token every run sends unless `env` says otherwise (set in beforeAll). */
let defaultToken = '';

/** Runs `bin/jieneng.js args` with `env` added; its exit code and output. */
async function jieneng(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['bin/jieneng.js', ...args], {
    env: { ...process.env, JIENENG_TOKEN: defaultToken, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, out, err };
}

describe('jieneng schedules (against the running API)', () => {
  const site = loadSite(join(import.meta.dirname, '../examples/demo-site.yaml'));
  const dir = mkdtempSync(join(tmpdir(), 'jn-schedules-cli-'));
  const requests: { auth?: string }[] = [];
  // 王工's engineer token in the auth.db the API's authentication reads (as jieneng token create makes it).
  const token = apiToken(dir, { role: 'engineer', name: '王工' }).token;
  defaultToken = token;
  let service: ControlService;
  let server: Server;
  let api: string;

  /** An editor that runs `sed -i EXPR` on the file it is given. */
  const editor = (name: string, expr: string) => {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\nexec sed -i '${expr}' "$1"\n`);
    chmodSync(file, 0o755);
    return file;
  };

  beforeAll(async () => {
    service = new ControlService({
      site,
      dbFile: join(dir, 'control.db'),
      dispatcher: { write: async (c) => ({ status: 'written', readBack: c.value }) },
      latest: () => undefined,
      clock: new ManualClock(Date.parse('2025-10-15T22:00:00+08:00')),
      log: createLogger({ level: 'error' }),
      strategies: { optimalStart: false, sweeps: false, demand: false },
    });
    const app = express();
    app.use((req, _res, next) => {
      requests.push({ auth: req.get('authorization') });
      next();
    });
    // The API's own authentication (api/auth) in front of the schedule routes.
    app.use(authenticate(createAuth({ file: join(dir, 'auth.db'), log: createLogger({ level: 'error' }) })));
    app.use('/api/v1', scheduleRoutes(service, site));
    app.use(problemHandler(createLogger({ level: 'error' })));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const addr = server.address();
    api = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
    service?.close();
  });

  it('edits the archive setback in $EDITOR: 28 → 27 °C is version 1, in the preview; sends the token', async () => {
    const env = {
      EDITOR: editor('to27.sh', 's/value: 28/value: 27/; s/^default: 28/default: 27/'),
      JIENENG_TOKEN: token,
    };
    const r = await jieneng(['schedules', 'edit', ID, '--api', api, '--reason', '档案保护'], env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^${ID}  edited v1  p16  dangan-archives-ac/cooling_setpoint`));
    expect(requests.at(-1)).toEqual({ auth: `Bearer ${token}` });
    const night = service
      .preview(Date.parse('2025-10-15T00:00:00+08:00'), Date.parse('2025-10-16T00:00:00+08:00'))
      .filter((a) => a.schedule === ID)
      .map((a) => a.value);
    expect(night).toEqual([26, 27]);

    const history = await jieneng(['schedules', 'history', ID, '--api', api], env);
    expect(history.out).toMatch(/^v1 {2}\S+ {2}token:王工 {2}edit {2}档案保护 {2}\(in force\)\n$/);
    const diff = await jieneng(['schedules', 'diff', ID, 'site', '1', '--api', api], env);
    expect(diff.out).toBe('default: 28 → 27\nweek.workday[1].value: 28 → 27\n');
    const show = await jieneng(['schedules', 'show', ID, '--api', api], env);
    expect(show.out).toMatch(new RegExp(`^# ${ID}  edited v1 .*\\n[^]*^default: 27$`, 'm'));
    const list = await jieneng(['schedules', 'list', '--api', api], env);
    expect(list.out).toMatch(new RegExp(`^${ID}  edited v1 `, 'm'));
    expect(list.out).toMatch(/^zonghe-office-ac {2}site {2}p16 /m);
  });

  it('prints the problems of a refused edit (path: message), keeps the file, exits 1; edit --file sends it fixed', async () => {
    const r = await jieneng(['schedules', 'edit', ID, '--api', api], {
      EDITOR: editor('to24.sh', 's/value: 26/value: 24/'),
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^时间表有 1 处问题\n {2}week\.workday\[0\]\.value: .*below the policy minimum 26 °C/,
    );
    const kept = /文件已保留：(\S+\.yaml)；改好后运行：jieneng schedules edit (\S+) --file (\S+)\n$/.exec(
      r.err,
    );
    expect(kept?.[1] && existsSync(kept[1])).toBe(true);
    expect(kept?.slice(2)).toEqual([ID, kept?.[1]]);
    expect(service.schedule(ID).version).toBe(1); // nothing half-written
    // The command the message names takes the kept file: fixed (24 → 26 °C), it is version 2.
    const file = kept?.[1] ?? '';
    writeFileSync(file, readFileSync(file, 'utf8').replace('value: 24', 'value: 26'));
    const again = await jieneng(['schedules', 'edit', ID, '--file', file, '--api', api]);
    expect(again).toMatchObject({ code: 0, err: '' });
    expect(again.out).toMatch(new RegExp(`^${ID}  edited v2 `));
  });

  it('says on a 401 to set JIENENG_TOKEN or --token-file (the real API, its authentication in front)', async () => {
    const apiDir = mkdtempSync(join(tmpdir(), 'jn-schedules-cli-auth-'));
    const real = await startApi({
      dataDir: apiDir,
      store: undefined as never,
      health: async () => ({}),
      log: createLogger({ level: 'error' }),
      port: 0,
      site,
      control: service,
    });
    try {
      const url = `http://127.0.0.1:${real.port}`;
      const none = await jieneng(['schedules', 'list', '--api', url], { JIENENG_TOKEN: '' });
      expect(none.code).toBe(1);
      expect(none.err).toMatch(
        /^API 拒绝了请求（401 \w+，没有令牌）：请把 API 令牌放进环境变量 JIENENG_TOKEN，或用 --token-file FILE 指定令牌文件/,
      );
      expect(none.err).not.toContain('auth/login');
      const wrong = await jieneng(['schedules', 'list', '--api', url], { JIENENG_TOKEN: 'jn_not_a_token' });
      expect(wrong.err).toMatch(/^API 拒绝了请求（401 \w+，JIENENG_TOKEN 中的令牌）/);
      const { token } = apiToken(apiDir, { role: 'engineer', name: '王工' });
      const tokenFile = join(apiDir, 'token');
      writeFileSync(tokenFile, `${token}\n`);
      const ok = await jieneng(['schedules', 'list', '--api', url, '--token-file', tokenFile], {
        JIENENG_TOKEN: '',
      });
      expect(ok).toMatchObject({ code: 0, err: '' });
      expect(ok.out).toMatch(new RegExp(`^${ID}  edited v2 `, 'm'));
    } finally {
      await real.stop();
    }
  });

  it('reverts to the site file; a wrong version is named; preview stays the default subcommand', async () => {
    const r = await jieneng(['schedules', 'revert', ID, 'site', '--api', api, '--reason', '恢复']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^${ID}  site v3 `));
    const bad = await jieneng(['schedules', 'revert', ID, '7', '--api', api]);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(`时间表 "${ID}" 没有第 7 版；可用：1 … 3 或 "site"\n`);
    const preview = await jieneng(['schedules', '--from', '2025-10-15', '--days', '1', '--data-dir', dir]);
    expect(preview.code).toBe(0);
    expect(preview.out).toMatch(
      /dangan-lou-archives-ac\/cooling_setpoint ← 28 \(p16\) {2}dangan-archives-setback/,
    );
    const down = await jieneng(['schedules', 'list', '--api', 'http://127.0.0.1:9']);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/^cannot reach the API at http:\/\/127\.0\.0\.1:9 .*--api URL says where\n$/);
  });
});
