import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type AuthApp, adminPassword, startAuthApp } from './testApp.ts';

let app: AuthApp;
afterEach(() => app?.close());

const HOUR = 3_600_000;

async function adminSession() {
  return app.login('admin', adminPassword);
}

describe('API tokens', () => {
  it('are shown once, work as Bearer without CSRF, and are listed without their secret', async () => {
    app = await startAuthApp();
    const { cookie, csrf } = await adminSession();
    const made = await app.call('POST', '/tokens', {
      cookie,
      csrf,
      body: { name: 'BMS bridge', role: 'engineer', expires_in: '90d' },
    });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^jn_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(made.body).toMatchObject({
      name: 'BMS bridge',
      role: 'engineer',
      scopes: [],
      expires_at: '2027-03-02T10:00:00+08:00',
    });
    const me = await app.call('GET', '/auth/me', { bearer: made.body.token });
    expect(me.body).toMatchObject({
      user: 'token:BMS bridge',
      role: 'engineer',
      via: 'token',
      token_id: made.body.id,
    });
    const post = await app.call('POST', '/users', {
      bearer: made.body.token,
      body: { name: 'wang', role: 'viewer', password: 'twelve chars!' },
    });
    expect(post.status).toBe(201); // no CSRF token needed (the matrix, not this test app, checks roles)
    const list = await app.call('GET', '/tokens', { cookie });
    expect(JSON.stringify(list.body)).not.toContain(made.body.token.slice(16));
    expect(list.body.tokens[0]).toMatchObject({
      id: made.body.id,
      last_used_at: '2026-12-02T10:00:00+08:00',
      revoked_at: null,
    });
  });

  it('revoked → 401 naming when', async () => {
    app = await startAuthApp();
    const { cookie, csrf } = await adminSession();
    const { body } = await app.call('POST', '/tokens', {
      cookie,
      csrf,
      body: { name: 'meter import', role: 'officer' },
    });
    app.clock.now += HOUR / 3; // within the session's 30 min idle
    const revoked = await app.call('DELETE', `/tokens/${body.id}`, { cookie, csrf });
    expect(revoked.body.revoked_at).toBe('2026-12-02T10:20:00+08:00');
    const r = await app.call('GET', '/auth/me', { bearer: body.token });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({
      code: 'token_revoked',
      detail: 'token revoked on 2026-12-02T10:20:00+08:00',
    });
    expect((await app.call('DELETE', `/tokens/${body.id}`, { cookie, csrf })).status).toBe(409);
    expect((await app.call('DELETE', '/tokens/nosuchtoken1', { cookie, csrf })).status).toBe(404);
  });

  it('expired → 401 naming when; a forged secret → 401', async () => {
    app = await startAuthApp();
    const { cookie, csrf } = await adminSession();
    const { body } = await app.call('POST', '/tokens', {
      cookie,
      csrf,
      body: { name: 'short', role: 'viewer', expires_in: '1h' },
    });
    expect((await app.call('GET', '/auth/me', { bearer: body.token })).status).toBe(200);
    const forged = `${body.token.slice(0, 16)}${'A'.repeat(43)}`;
    expect((await app.call('GET', '/auth/me', { bearer: forged })).body.code).toBe('token_invalid');
    app.clock.now += 2 * HOUR;
    const r = await app.call('GET', '/auth/me', { bearer: body.token });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({
      code: 'token_expired',
      detail: 'token expired on 2026-12-02T11:00:00+08:00',
    });
  });

  it('the safety scope only from an admin; bad bodies name the field', async () => {
    app = await startAuthApp();
    const engineer = { user: 'eng', role: 'engineer' as const, via: 'cli' as const, scopes: [] };
    expect(() =>
      app.auth.createToken({ name: 'x', role: 'engineer', scopes: ['safety'], by: engineer }),
    ).toThrow(/only an admin may create a token with the safety scope/);
    const { cookie, csrf } = await adminSession();
    const ok = await app.call('POST', '/tokens', {
      cookie,
      csrf,
      body: { name: 'fire panel', role: 'engineer', scopes: ['safety'] },
    });
    expect(ok.body.scopes).toEqual(['safety']);
    const bad = await app.call('POST', '/tokens', {
      cookie,
      csrf,
      body: { name: 'x', role: 'boss', scopes: ['root'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/role: one of admin, engineer, officer, viewer/);
    expect(bad.body.detail).toMatch(/scopes\.0: only safety/);
    const both = await app.call('POST', '/tokens', {
      cookie,
      csrf,
      body: { name: 'x', role: 'viewer', expires_in: '1d', expires_at: '2027-01-01T00:00:00+08:00' },
    });
    expect(both.body.detail).toBe('give expires_at or expires_in, not both');
  });
});

describe('at rest', () => {
  it('auth.db holds neither a password nor a token secret; the password is an argon2id hash', async () => {
    app = await startAuthApp();
    const { cookie, csrf } = await adminSession();
    const password = 'Zhang engineer 2026 secret';
    await app.call('POST', '/users', { cookie, csrf, body: { name: '张工', role: 'engineer', password } });
    const { body } = await app.call('POST', '/tokens', {
      cookie,
      csrf,
      body: { name: 'bridge', role: 'viewer' },
    });
    const secret = String(body.token).slice(16);
    const sessionId = cookie.split('=')[1] ?? '';
    const db = new Database(join(app.dir, 'auth.db'), { readonly: true });
    const row = db.prepare('SELECT password_hash FROM users WHERE name = ?').get('张工') as {
      password_hash: string;
    };
    db.close();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // Every file of both database families as they lie on disk while the API runs (the WAL
    // holds recent writes before a checkpoint), then again after close.
    const look = () => {
      for (const file of readdirSync(app.dir)) {
        const bytes = readFileSync(join(app.dir, file));
        for (const s of [password, secret, sessionId, adminPassword])
          expect(bytes.includes(Buffer.from(s)), `a secret in ${file}`).toBe(false);
      }
    };
    look();
    await app.close();
    look();
  });
});
