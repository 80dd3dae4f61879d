import { afterEach, describe, expect, it } from 'vitest';
import { type AuthApp, adminPassword, startAuthApp } from './testApp.ts';

let app: AuthApp;
afterEach(() => app?.close());

describe('users', () => {
  it('cannot demote or disable the last enabled admin, and say why', async () => {
    app = await startAuthApp();
    const { cookie, csrf } = await app.login('admin', adminPassword);
    const demote = await app.call('PATCH', '/users/admin', { cookie, csrf, body: { role: 'engineer' } });
    expect(demote.status).toBe(409);
    expect(demote.body.detail).toMatch(/cannot make "admin" engineer: it is the last enabled admin/);
    const disable = await app.call('PATCH', '/users/admin', { cookie, csrf, body: { disabled: true } });
    expect(disable.body.detail).toMatch(/cannot disable "admin": it is the last enabled admin/);
    // with a second admin it may
    await app.call('POST', '/users', {
      cookie,
      csrf,
      body: { name: '局长', role: 'admin', password: 'director password' },
    });
    const ok = await app.call('PATCH', '/users/admin', { cookie, csrf, body: { role: 'engineer' } });
    expect(ok.body).toMatchObject({ name: 'admin', role: 'engineer', disabled: false });
  });

  it('refuse bad bodies naming the field and what is allowed; never show a hash', async () => {
    app = await startAuthApp();
    const { cookie, csrf } = await app.login('admin', adminPassword);
    const bad = await app.call('POST', '/users', {
      cookie,
      csrf,
      body: { name: 'x', role: 'boss', password: 'short' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/role: one of admin, engineer, officer, viewer/);
    expect(bad.body.detail).toMatch(/password: at least 12 characters/);
    const spaced = await app.call('POST', '/users', {
      cookie,
      csrf,
      body: { name: 'a b', role: 'viewer', password: 'long enough pw' },
    });
    expect(spaced.body.detail).toMatch(/user name "a b": 1–64 letters/);
    const made = await app.call('POST', '/users', {
      cookie,
      csrf,
      body: { name: '张工', role: 'engineer', password: 'long enough pw' },
    });
    expect(made.body).toEqual({
      name: '张工',
      role: 'engineer',
      disabled: false,
      created_at: '2026-12-02T10:00:00+08:00',
      created_by: 'admin',
    });
    const twice = await app.call('POST', '/users', {
      cookie,
      csrf,
      body: { name: '张工', role: 'viewer', password: 'long enough pw' },
    });
    expect(twice.status).toBe(409);
    expect((await app.call('PATCH', '/users/张工', { cookie, csrf, body: {} })).body.detail).toBe(
      'nothing to change: give role, disabled or password',
    );
    expect(
      (await app.call('PATCH', '/users/nobody', { cookie, csrf, body: { role: 'viewer' } })).status,
    ).toBe(404);
    const list = await app.call('GET', '/users', { cookie });
    expect(list.body.users.map((u: { name: string }) => u.name)).toEqual(['admin', '张工']);
    expect(JSON.stringify(list.body)).not.toMatch(/argon2|password/);
  });
  it('refuse a look-alike of an existing name (case, full width), and sign it in as the account', async () => {
    app = await startAuthApp();
    const { cookie, csrf } = await app.login('admin', adminPassword);
    const body = (name: string) => ({ name, role: 'admin', password: 'long enough pw' });
    expect((await app.call('POST', '/users', { cookie, csrf, body: body('demo-admin') })).status).toBe(201);
    for (const name of ['DEMO-ADMIN', 'ｄｅｍｏ-admin', 'Demo-Admin']) {
      const twin = await app.call('POST', '/users', { cookie, csrf, body: body(name) });
      expect(twin.status, name).toBe(409);
      expect(twin.body.detail).toContain(`too like the existing account "demo-admin"`);
    }
    const list = await app.call('GET', '/users', { cookie });
    expect(list.body.users.map((u: { name: string }) => u.name)).toEqual(['admin', 'demo-admin']);
    // a login matches the same way, and the session is the account's own name
    const upper = await app.login('ＤＥＭＯ-Admin', 'long enough pw');
    expect(upper.body).toMatchObject({ user: 'demo-admin', role: 'admin' });
    // failures under look-alike names count against one account (no extra guesses by changing case)
    for (const name of ['DEMO-ADMIN', 'demo-ADMIN', 'Demo-admin', 'ｄｅｍｏ-admin', 'demo-admin'])
      await app.call('POST', '/auth/login', { body: { user: name, password: 'a wrong password' } });
    expect((await app.login('demo-admin', 'long enough pw')).status).toBe(423);
  });
});

describe('audit routes', () => {
  it('list newest first with filters and paging, and verify the chain', async () => {
    app = await startAuthApp();
    for (let i = 0; i < 3; i++) await app.login('admin', adminPassword);
    await app.call('POST', '/auth/login', { body: { user: 'admin', password: 'wrong password!' } });
    const { cookie } = await app.login('admin', adminPassword);
    const page = await app.call('GET', '/audit?limit=2', { cookie });
    expect(page.body.entries.map((e: { id: number }) => e.id)).toEqual([5, 4]);
    expect(page.body.next_before).toBe(4);
    expect(page.body.entries[1]).toMatchObject({
      action: 'auth.login',
      outcome: 'failed',
      actor: { user: 'anonymous', address: '127.0.0.1' },
    });
    const next = await app.call('GET', `/audit?before=${page.body.next_before}&action=auth.login`, {
      cookie,
    });
    expect(next.body.entries.map((e: { id: number }) => e.id)).toEqual([3, 2, 1]);
    expect((await app.call('GET', '/audit?limit=0', { cookie })).body.detail).toMatch(/limit: .*1 to 1000/);
    expect((await app.call('GET', '/audit/verify', { cookie })).body).toEqual({ ok: true, entries: 5 });
  });
});
