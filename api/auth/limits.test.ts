import { afterEach, describe, expect, it } from 'vitest';
import { RefusalLog } from './refusalLog.ts';
import { type AuthApp, adminPassword, startAuthApp } from './testApp.ts';

let app: AuthApp;
afterEach(() => app?.close());

const MIN = 60_000;
const login = (user: string, password: string) =>
  app.call('POST', '/auth/login', { body: { user, password } });
const statuses = (rs: { status: number }[]) => {
  const n: Record<number, number> = {};
  for (const r of rs) n[r.status] = (n[r.status] ?? 0) + 1;
  return n;
};

describe('login limits under parallel guesses', () => {
  it('checks at most 5 passwords of one account however many guesses arrive at once', async () => {
    app = await startAuthApp();
    const rs = await Promise.all(Array.from({ length: 80 }, (_, i) => login('admin', `parallel guess ${i}`)));
    // 401 is a password that was checked; the rest were refused before any check.
    expect(statuses(rs)).toEqual({ 401: 5, 423: 75 });
    expect((await login('admin', adminPassword)).status).toBe(423);
  });

  it('checks at most 20 passwords from one address however many arrive at once', async () => {
    app = await startAuthApp();
    const rs = await Promise.all(Array.from({ length: 80 }, (_, i) => login(`name${i}`, 'not the password')));
    expect(statuses(rs)).toEqual({ 401: 20, 429: 60 });
  });

  it('does not count a right password among the failures', async () => {
    app = await startAuthApp();
    for (let i = 0; i < 4; i++) expect((await login('admin', `guess ${i}`)).status).toBe(401);
    expect((await login('admin', adminPassword)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login('admin', `guess ${i}`)).status).toBe(401);
    expect((await login('admin', adminPassword)).status).toBe(200);
  });
});

describe('the audit of refused logins', () => {
  it('writes one line per failed check and lockout, and one per window for refusals by the limits', async () => {
    app = await startAuthApp();
    for (let i = 0; i < 80; i++) await login('admin', `guess ${i}`);
    const lines = app.audit.list().map((e) => `${e.action} ${e.outcome}`);
    expect(lines.filter((l) => l === 'auth.login failed')).toHaveLength(5);
    expect(lines.filter((l) => l === 'auth.lockout refused')).toHaveLength(1);
    expect(lines.filter((l) => l === 'auth.login refused')).toHaveLength(1);
    expect(lines).toHaveLength(7);
    // A window later the 74 held back are counted in a summary line, not lost.
    app.clock.now += 16 * MIN;
    expect((await login('admin', adminPassword)).status).toBe(200);
    const details = app.audit.list().map((e) => e.detail ?? '');
    expect(details.some((d) => /^74 more account_locked refusals since .* held back/.test(d))).toBe(true);
    expect(app.audit.list()).toHaveLength(9);
  });

  it('writes one 429 line per address and window; the count held back follows', async () => {
    app = await startAuthApp();
    for (let i = 0; i < 80; i++) await login(`name${i}`, 'not the password');
    expect(app.audit.list()).toHaveLength(21);
    app.clock.now += 10 * MIN;
    const r = await login('admin', 'not the password');
    expect(r.status).toBe(429);
    expect(r.body.detail).toMatch(/the limit ends by itself in 300 s; try again then/);
    expect(app.audit.list()).toHaveLength(21);
    app.clock.now += 6 * MIN;
    expect((await login('admin', 'not the password')).status).toBe(401);
    const [failed, summary] = app.audit.list({ limit: 2 });
    expect(failed).toMatchObject({ action: 'auth.login', outcome: 'failed' });
    expect(summary?.detail).toMatch(/^60 more too_many_attempts refusals since .* held back/);
  });
});

describe('RefusalLog', () => {
  it('admits the first of a key per window and hands the count held back to the next', () => {
    const clock = { now: 0 };
    const log = new RefusalLog(() => clock.now, 15 * MIN);
    expect(log.admit('k')).toEqual({ write: true, heldBack: 0 });
    for (let i = 0; i < 3; i++) expect(log.admit('k')).toEqual({ write: false });
    expect(log.admit('other')).toEqual({ write: true, heldBack: 0 });
    clock.now += MIN;
    expect(log.admit('other')).toEqual({ write: false });
    clock.now += 14 * MIN;
    expect(log.admit('k')).toEqual({ write: true, heldBack: 3 });
    // 'other' was quiet for a window: its count comes back once, as a summary line's
    expect(log.sweep()).toEqual([{ key: 'other', count: 1, since: 0 }]);
    expect(log.sweep()).toEqual([]);
  });
});

describe('an admin unlocks a locked account', () => {
  const lock = async () => {
    for (let i = 0; i < 5; i++) await login('li', `guess ${i}`);
    const r = await login('li', 'viewer password 1');
    expect(r.status).toBe(423);
    return r;
  };
  const admin = { user: 'admin', role: 'admin', via: 'cli', scopes: [] } as const;

  it('the 423 says how, and PATCH with a password or disabled:false lifts the lock', async () => {
    app = await startAuthApp();
    await app.auth.addUser({ name: 'li', role: 'viewer', password: 'viewer password 1', by: admin });
    const locked = await lock();
    expect(locked.body.detail).toContain('or an admin can unlock it now (jieneng user unlock li)');
    const s = await app.login('admin', adminPassword);
    const patch = (body: unknown) => app.call('PATCH', '/users/li', { cookie: s.cookie, csrf: s.csrf, body });
    expect((await patch({ disabled: false })).status).toBe(200);
    expect((await login('li', 'viewer password 1')).status).toBe(200);
    await lock();
    expect((await patch({ password: 'a new viewer password' })).status).toBe(200);
    expect((await login('li', 'a new viewer password')).status).toBe(200);
  });

  it('unlock clears the lock and the failures counted so far', async () => {
    app = await startAuthApp();
    await app.auth.addUser({ name: 'li', role: 'viewer', password: 'viewer password 1', by: admin });
    await lock();
    expect(app.auth.unlock('li').wasLockedUntil).toBe(app.clock.now + 15 * MIN);
    expect(app.auth.lockedUntil('li')).toBeUndefined();
    for (let i = 0; i < 4; i++) expect((await login('li', `guess ${i}`)).status).toBe(401);
    expect((await login('li', 'viewer password 1')).status).toBe(200);
    expect(() => app.auth.unlock('无此人')).toThrow('user "无此人" does not exist');
  });
});
