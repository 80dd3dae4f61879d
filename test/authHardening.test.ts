import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createAuth } from '../api/auth/auth.ts';
import { AuditLog } from '../core/audit/auditLog.ts';
import { createLogger } from '../core/log.ts';
import { type CliProcess, runCli, spawnCli } from './helpers/cli.ts';
import { writeTestSite } from './helpers/site.ts';
import { waitFor } from './helpers/wait.ts';

/** `jieneng ARGS` with `input` on its stdin. */
const jieneng = (args: string[], input = '') => runCli(args, { input });

const log = createLogger({ level: 'error' });
const password = 'viewer password 1';

/** Five wrong passwords lock 李工 (as from a browser); then the right one is refused with 423. */
async function lockOut(dataDir: string): Promise<string> {
  const auth = createAuth({ file: join(dataDir, 'auth.db'), log });
  try {
    for (let i = 0; i < 5; i++)
      await auth.verifyLogin({ name: '李工', password: `guess ${i}`, address: '10.0.0.9' });
    const r = await auth.verifyLogin({ name: '李工', password, address: '10.0.0.9' });
    expect(r).toMatchObject({ ok: false, reason: 'account_locked' });
    return r.ok ? '' : typeof r.detail === 'string' ? r.detail : r.detail.en;
  } finally {
    auth.close();
  }
}
async function canLogIn(dataDir: string, pw = password): Promise<boolean> {
  const auth = createAuth({ file: join(dataDir, 'auth.db'), log });
  try {
    return (await auth.verifyLogin({ name: '李工', password: pw, address: '10.0.0.9' })).ok;
  } finally {
    auth.close();
  }
}

describe('jieneng user unlock, enable and passwd on a locked account', () => {
  it('each lifts the lock and says so; the 423 names the command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-unlock-'));
    const d = ['--data-dir', dir];
    expect(
      (await jieneng(['user', 'add', 'root', '--role', 'admin', ...d], 'the first admin password\n')).code,
    ).toBe(0);
    expect((await jieneng(['user', 'add', '李工', '--role', 'viewer', ...d], `${password}\n`)).code).toBe(0);

    expect(await lockOut(dir)).toContain('an admin can unlock it now (jieneng user unlock 李工)');
    const unlock = await jieneng(['user', 'unlock', '李工', ...d]);
    expect(unlock.code).toBe(0);
    expect(unlock.out).toMatch(/^李工: was locked after failed logins until .*\+08:00, now unlocked\n$/);
    expect(await canLogIn(dir)).toBe(true);
    expect((await jieneng(['user', 'unlock', '李工', ...d])).out).toBe('李工 was not locked\n');

    await lockOut(dir);
    const enable = await jieneng(['user', 'enable', '李工', ...d]);
    expect(enable.out).toMatch(/^李工 enabled; it was locked after failed logins until .*, now unlocked\n$/);
    expect(await canLogIn(dir)).toBe(true);

    await lockOut(dir);
    const passwd = await jieneng(['user', 'passwd', '李工', ...d], 'a brand new password\n');
    expect(passwd.out).toMatch(
      /^password of 李工 changed; its sessions were ended; it was locked .*now unlocked\n$/,
    );
    expect(await canLogIn(dir, 'a brand new password')).toBe(true);

    const audit = new AuditLog({ file: join(dir, 'audit.db'), timeZone: 'Asia/Shanghai' });
    expect(audit.list({ limit: 20 }).map((e) => e.action)).toContain('user.unlock');
    audit.close();
    const unknown = await jieneng(['user', 'unlock', '无此人', ...d]);
    expect(unknown).toMatchObject({ code: 1, err: 'jieneng user unlock: user "无此人" does not exist\n' });
  });

  it('jieneng user unblock ADDRESS lifts the 429 of an address that reached its limit, for every account there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-unblock-'));
    const d = ['--data-dir', dir];
    expect((await jieneng(['user', 'add', '李工', '--role', 'viewer', ...d], `${password}\n`)).code).toBe(0);
    const auth = createAuth({ file: join(dir, 'auth.db'), log });
    try {
      // 20 failures from one address, spread over names that do not exist (a spray).
      for (let i = 0; i < 20; i++)
        await auth.verifyLogin({ name: `nobody-${i}`, password: 'x', address: '10.0.0.7' });
      const refused = await auth.verifyLogin({ name: '李工', password, address: '10.0.0.7' });
      expect(refused).toMatchObject({ ok: false, reason: 'too_many_attempts' });
      expect(
        refused.ok ? '' : typeof refused.detail === 'string' ? refused.detail : refused.detail.en,
      ).toContain('an admin can lift it now (jieneng user unblock 10.0.0.7)');
    } finally {
      auth.close();
    }
    const unblock = await jieneng(['user', 'unblock', '10.0.0.7', ...d]);
    expect(unblock).toMatchObject({
      code: 0,
      out: '10.0.0.7: 20 failed login(s) cleared; logins from it are no longer refused\n',
    });
    const again = createAuth({ file: join(dir, 'auth.db'), log });
    try {
      expect((await again.verifyLogin({ name: '李工', password, address: '10.0.0.7' })).ok).toBe(true);
    } finally {
      again.close();
    }
    const audit = new AuditLog({ file: join(dir, 'audit.db'), timeZone: 'Asia/Shanghai' });
    expect(audit.list({ limit: 5 }).map((e) => [e.action, e.target])).toContainEqual([
      'user.unblock',
      'address:10.0.0.7',
    ]);
    audit.close();
  });

  it('keeps auth.db and audit.db (and their -wal, -shm) readable by their owner only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-modes-'));
    const made = await jieneng([
      'token',
      'create',
      '--name',
      'bms-link',
      '--role',
      'viewer',
      '--data-dir',
      dir,
    ]);
    expect(made.code).toBe(0);
    expect(made.err).toContain('expires never (until revoked)');
    expect((await jieneng(['token', 'list', '--data-dir', dir])).out).toContain('\texpires never\t');
    // An API process holds them open: the -wal and -shm exist meanwhile.
    const auth = createAuth({ file: join(dir, 'auth.db'), log });
    const audit = new AuditLog({ file: join(dir, 'audit.db'), timeZone: 'Asia/Shanghai' });
    audit.append({
      actor: { user: 'x', role: 'admin', via: 'cli', scopes: [] },
      action: 'test',
      outcome: 'ok',
    });
    try {
      for (const db of ['auth.db', 'audit.db'])
        for (const f of [db, `${db}-wal`, `${db}-shm`])
          expect(`${f} ${(statSync(join(dir, f)).mode & 0o777).toString(8)}`).toBe(`${f} 600`);
    } finally {
      auth.close();
      audit.close();
    }
  });
});

describe('--trust-proxy', () => {
  let api: CliProcess | undefined;
  afterAll(async () => {
    await api?.stop();
  });

  it('refuses "true" and what is no proxy address, naming what is allowed', async () => {
    const r = await jieneng(['api', '--config', 'examples/demo-site.yaml', '--trust-proxy', 'true']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--trust-proxy true: "true" is not loopback, linklocal, uniquelocal');
    const bad = await jieneng(['start', '--trust-proxy', '10.0.0.0/33']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('"10.0.0.0/33" is not');
  });

  it('jieneng api behind a proxy on loopback: the login limits and the audit see the forwarded address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-proxy-'));
    const { file } = writeTestSite({ modbusPort: 1, gatewayId: `gw-proxy-${process.pid}`, devices: ['m1'] });
    const args = [
      'api',
      '--config',
      file,
      '--mqtt-url',
      inject('mosquittoUrl'),
      '--data-dir',
      dir,
      '--port',
      '0',
    ];
    api = spawnCli([...args, '--trust-proxy', 'loopback']);
    await waitFor(
      'jieneng api to print its address',
      () => /API: +http:\/\/127\.0\.0\.1:\d+/.test(api?.stdout() ?? ''),
      {
        timeoutMs: 60_000,
        seen: () => `${api?.stdout()}${api?.stderr()}`,
      },
    );
    const base = /API: +(http:\/\/127\.0\.0\.1:\d+)/.exec(api.stdout())?.[1];
    const r = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
      body: JSON.stringify({ user: '无此人', password: 'not the password' }),
    });
    expect(r.status).toBe(401);
    const audit = new AuditLog({ file: join(dir, 'audit.db'), timeZone: 'Asia/Shanghai' });
    const [entry] = audit.list({ limit: 1 });
    audit.close();
    expect(entry).toMatchObject({
      action: 'auth.login',
      outcome: 'failed',
      actor: { address: '203.0.113.7' },
    });
  }, 90_000);
});
