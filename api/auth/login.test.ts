import { afterEach, describe, expect, it } from 'vitest';
import { type AuthApp, adminPassword, startAuthApp } from './testApp.ts';

let app: AuthApp;
afterEach(() => app?.close());

const MIN = 60_000;

describe('login', () => {
  it('signs in with a cookie session: HttpOnly, SameSite=Strict, local expiry, CSRF token, audited', async () => {
    app = await startAuthApp();
    const r = await app.call('POST', '/auth/login', { body: { user: 'admin', password: adminPassword } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ user: 'admin', role: 'admin', expires_at: '2026-12-02T22:00:00+08:00' });
    const cookie = r.headers.getSetCookie()[0] ?? '';
    expect(cookie).toMatch(/^jn_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    const me = await app.call('GET', '/auth/me', { cookie: cookie.split(';')[0] });
    expect(me.body).toMatchObject({
      user: 'admin',
      role: 'admin',
      via: 'session',
      csrf_token: r.body.csrf_token,
    });
    const [entry] = app.audit.list();
    expect(entry).toMatchObject({
      action: 'auth.login',
      target: 'user:admin',
      outcome: 'ok',
      actor: { user: 'admin' },
    });
  });

  it('marks the cookie Secure when served over TLS', async () => {
    app = await startAuthApp({ secureCookies: true });
    const r = await app.call('POST', '/auth/login', { body: { user: 'admin', password: adminPassword } });
    expect(r.headers.getSetCookie()[0]).toMatch(/; Secure/);
  });

  it('answers a wrong password and an unknown user alike', async () => {
    app = await startAuthApp();
    const wrong = await app.call('POST', '/auth/login', {
      body: { user: 'admin', password: 'not the password' },
    });
    const unknown = await app.call('POST', '/auth/login', {
      body: { user: '无此人', password: 'not the password' },
    });
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ code: 'login_failed', detail: 'wrong user name or password' });
      expect(r.headers.getSetCookie()).toEqual([]);
    }
    expect(app.audit.list().map((e) => [e.action, e.target, e.outcome])).toEqual([
      ['auth.login', 'user:无此人', 'failed'],
      ['auth.login', 'user:admin', 'failed'],
    ]);
  });

  it('locks an account after 5 failures in 15 min, even against the right password, until it unlocks', async () => {
    app = await startAuthApp();
    for (let i = 0; i < 5; i++) {
      const r = await app.call('POST', '/auth/login', {
        body: { user: 'admin', password: `guess number ${i}` },
      });
      expect(r.status).toBe(401);
      app.clock.now += MIN;
    }
    const locked = await app.call('POST', '/auth/login', {
      body: { user: 'admin', password: adminPassword },
    });
    expect(locked.status).toBe(423);
    expect(locked.body.code).toBe('account_locked');
    // locked at the 5th failure (02:04Z = 10:04 local) for 15 min
    expect(locked.body.unlocks_at).toBe('2026-12-02T10:19:00+08:00');
    expect(locked.body.detail).toContain('unlocks at 2026-12-02T10:19:00+08:00');
    expect(Number(locked.headers.get('retry-after'))).toBe(14 * 60);
    const lines = app.audit.list().map((e) => `${e.action} ${e.outcome}`);
    expect(lines.filter((l) => l === 'auth.login failed')).toHaveLength(5);
    expect(lines.filter((l) => l === 'auth.lockout refused')).toHaveLength(1);
    expect(lines[0]).toBe('auth.login refused');
    app.clock.now += 14 * MIN;
    expect(
      (await app.call('POST', '/auth/login', { body: { user: 'admin', password: adminPassword } })).status,
    ).toBe(200);
  });

  it('answers 429 with Retry-After once an address has 20 failures in 15 min', async () => {
    app = await startAuthApp();
    // different names, so no account lock gets in the way
    for (let i = 0; i < 20; i++) {
      const r = await app.call('POST', '/auth/login', {
        body: { user: `user${i}`, password: 'not the password' },
      });
      expect(r.status).toBe(401);
    }
    const r = await app.call('POST', '/auth/login', { body: { user: 'admin', password: adminPassword } });
    expect(r.status).toBe(429);
    expect(r.body.code).toBe('too_many_attempts');
    expect(r.headers.get('retry-after')).toBe(String(15 * 60));
    app.clock.now += 15 * MIN;
    expect(
      (await app.call('POST', '/auth/login', { body: { user: 'admin', password: adminPassword } })).status,
    ).toBe(200);
  });

  it('refuses a malformed body naming the fields', async () => {
    app = await startAuthApp();
    const r = await app.call('POST', '/auth/login', { body: { user: 'admin', pass: 'x' } });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/password/);
    expect(r.body.detail).toMatch(/unknown field\(s\) pass/);
  });
});

describe('sessions', () => {
  it('end after 30 min idle; each request restarts the idle clock', async () => {
    app = await startAuthApp();
    const { cookie } = await app.login('admin', adminPassword);
    for (let i = 0; i < 3; i++) {
      app.clock.now += 29 * MIN;
      expect((await app.call('GET', '/auth/me', { cookie })).status).toBe(200);
    }
    app.clock.now += 30 * MIN;
    const r = await app.call('GET', '/auth/me', { cookie });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({
      code: 'session_expired',
      detail: 'session expired after 30 min idle: sign in again',
    });
    expect(r.headers.getSetCookie()[0]).toMatch(/^jn_session=;/);
    expect((await app.call('GET', '/auth/me', { cookie })).body.code).toBe('session_invalid');
  });

  it('end 12 h after login however busy', async () => {
    app = await startAuthApp();
    const { cookie } = await app.login('admin', adminPassword);
    for (let t = 0; t < 12 * 60 - 20; t += 20) {
      app.clock.now += 20 * MIN;
      expect((await app.call('GET', '/auth/me', { cookie })).status).toBe(200);
    }
    app.clock.now += 20 * MIN;
    const r = await app.call('GET', '/auth/me', { cookie });
    expect(r.status).toBe(401);
    expect(r.body.detail).toBe('session expired after 12 h (the longest a session lasts): sign in again');
  });

  it('need the CSRF token on a mutating request; logout ends the session', async () => {
    app = await startAuthApp();
    const { cookie, csrf } = await app.login('admin', adminPassword);
    const body = { name: '张工', role: 'engineer', password: 'engineer password 1' };
    const without = await app.call('POST', '/users', { cookie, body });
    expect(without.status).toBe(403);
    expect(without.body.code).toBe('csrf_failed');
    const wrong = await app.call('POST', '/users', { cookie, csrf: `${csrf}x`, body });
    expect(wrong.status).toBe(403);
    expect(app.auth.getUser('张工')).toBeUndefined();
    const ok = await app.call('POST', '/users', { cookie, csrf, body });
    expect(ok.status).toBe(201);
    expect((await app.login('张工', 'engineer password 1')).body).toMatchObject({
      user: '张工',
      role: 'engineer',
    });
    expect((await app.call('POST', '/auth/logout', { cookie })).status).toBe(403);
    expect((await app.call('POST', '/auth/logout', { cookie, csrf })).status).toBe(204);
    expect((await app.call('GET', '/auth/me', { cookie })).status).toBe(401);
  });

  it('end when the account is disabled or its password changes', async () => {
    app = await startAuthApp();
    await app.auth.addUser({
      name: 'li',
      role: 'viewer',
      password: 'viewer password 1',
      by: { user: 'admin', role: 'admin', via: 'cli', scopes: [] },
    });
    const li = await app.login('li', 'viewer password 1');
    const admin = await app.login('admin', adminPassword);
    const r = await app.call('PATCH', '/users/li', {
      cookie: admin.cookie,
      csrf: admin.csrf,
      body: { disabled: true },
    });
    expect(r.body).toMatchObject({ name: 'li', disabled: true });
    expect((await app.call('GET', '/auth/me', { cookie: li.cookie })).status).toBe(401);
    const again = await app.call('POST', '/auth/login', {
      body: { user: 'li', password: 'viewer password 1' },
    });
    expect(again.body).toMatchObject({ status: 403, code: 'account_disabled' });
    await app.call('PATCH', '/users/li', {
      cookie: admin.cookie,
      csrf: admin.csrf,
      body: { disabled: false },
    });
    const back = await app.login('li', 'viewer password 1');
    const changed = { password: 'a new viewer password' };
    expect(
      (await app.call('PATCH', '/users/li', { cookie: admin.cookie, csrf: admin.csrf, body: changed }))
        .status,
    ).toBe(200);
    expect((await app.call('GET', '/auth/me', { cookie: back.cookie })).status).toBe(401);
    expect((await app.login('li', 'a new viewer password')).status).toBe(200);
  });

  it('a login with a session cookie ends that session; logout refuses a body', async () => {
    app = await startAuthApp();
    const first = await app.login('admin', adminPassword);
    const again = await app.call('POST', '/auth/login', {
      cookie: first.cookie,
      body: { user: 'admin', password: adminPassword },
    });
    expect(again.status).toBe(200);
    expect((await app.call('GET', '/auth/me', { cookie: first.cookie })).status).toBe(401);
    const second = `${(again.headers.getSetCookie()[0] ?? '').split(';')[0]}`;
    const csrf = again.body.csrf_token;
    const withBody = await app.call('POST', '/auth/logout', { cookie: second, csrf, body: { x: 'y' } });
    expect(withBody.status).toBe(400);
    expect(withBody.body.detail).toMatch(/logout takes no body/);
    expect((await app.call('GET', '/auth/me', { cookie: second })).status).toBe(200);
  });

  it('logout with a Bearer token also ends the session of the cookie sent with it', async () => {
    app = await startAuthApp();
    const { cookie, csrf } = await app.login('admin', adminPassword);
    const made = await app.call('POST', '/tokens', {
      cookie,
      csrf,
      body: { name: 'console', role: 'viewer', expires_in: '90d' },
    });
    const bearer = made.body.token;
    expect((await app.call('POST', '/auth/logout', { bearer, cookie })).status).toBe(204);
    expect((await app.call('GET', '/auth/me', { cookie })).status).toBe(401);
  });

  it('marks the cookie Secure when the request came over HTTPS through a trusted proxy', async () => {
    app = await startAuthApp({ trustProxy: true });
    const login = { user: 'admin', password: adminPassword };
    const https = await app.call('POST', '/auth/login', {
      body: login,
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(https.headers.getSetCookie()[0]).toMatch(/; Secure/);
    const plain = await app.call('POST', '/auth/login', { body: login });
    expect(plain.headers.getSetCookie()[0]).not.toMatch(/Secure/);
  });
});
