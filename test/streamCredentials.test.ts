import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Auth, createAuth } from '../api/auth/auth.ts';
import { authenticate } from '../api/auth/middleware.ts';
import { jsonBody } from '../api/problem.ts';
import { authRoutes } from '../api/routes/auth.ts';
import { type StreamRoutes, streamRoutes } from '../api/routes/stream.ts';
import { AuditLog } from '../core/audit/auditLog.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { writeTestSite } from './helpers/site.ts';
import { openStream } from './helpers/sse.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * An open event stream ends once its credentials do: a revoked token, an ended or expired session
 * (issue 15 security review: a revoked integration kept reading the building). Real HTTP, real
 * auth.db, the test Mosquitto behind the stream; a 100 ms heartbeat, at which the stream re-checks.
 */
describe('the event stream and its credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jn-stream-auth-'));
  const site = loadSite(
    writeTestSite({ modbusPort: 1, gatewayId: `gw-sa-${process.pid}`, devices: ['m1'] }).file,
  );
  const log = createLogger({ level: 'error' });
  const clock = { now: Date.now() };
  let auth: Auth;
  let audit: AuditLog;
  let stream: StreamRoutes;
  let server: Server;
  let base = '';
  const by = { user: 'cli:test', role: 'admin', via: 'cli', scopes: [] } as const;

  beforeAll(async () => {
    auth = createAuth({ file: join(dir, 'auth.db'), log, now: () => clock.now });
    audit = new AuditLog({ file: join(dir, 'audit.db'), timeZone: 'Asia/Shanghai' });
    await auth.addUser({ name: 'li', role: 'viewer', password: 'viewer password 1', by });
    stream = streamRoutes({ mqttUrl: inject('mosquittoUrl'), site, log, heartbeatMs: 100 });
    const app = express();
    app.use(jsonBody());
    app.use('/api/v1', authenticate(auth), authRoutes(auth, audit), stream.router);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });
  afterAll(async () => {
    await stream?.stop();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    auth?.close();
    audit?.close();
  });

  const heartbeats = (s: { comments: string[] }) => s.comments.filter((c) => c.includes('heartbeat')).length;

  it('ends a token’s stream once the token is revoked; the token’s next stream is 401', async () => {
    const { token, info } = auth.createToken({ name: 'bms-link', role: 'viewer', by });
    const authorization = `Bearer ${token}`;
    const s = await openStream(`${base}/stream`, { authorization });
    expect(s.status).toBe(200);
    await waitFor('a heartbeat', () => heartbeats(s) >= 2, 10_000);
    expect(s.ended).toBe(false);
    auth.revokeToken(info.id);
    await waitFor('the stream to end after the revocation', () => s.ended, 10_000);
    expect(s.comments.at(-1)).toContain('credentials no longer valid');
    const again = await openStream(`${base}/stream`, { authorization });
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ code: 'token_revoked' });
  });

  it('ends a session’s stream at logout, and at its idle expiry though the stream stays open', async () => {
    const signIn = async () => {
      const r = await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'li', password: 'viewer password 1' }),
      });
      expect(r.status).toBe(200);
      const { csrf_token } = (await r.json()) as { csrf_token: string };
      return { cookie: (r.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '', csrf: csrf_token };
    };
    const first = await signIn();
    const s = await openStream(`${base}/stream`, { cookie: first.cookie });
    await waitFor('a heartbeat', () => heartbeats(s) >= 1, 10_000);
    const out = await fetch(`${base}/auth/logout`, {
      method: 'POST',
      headers: { cookie: first.cookie, 'x-csrf-token': first.csrf },
    });
    expect(out.status).toBe(204);
    await waitFor('the stream to end after logout', () => s.ended, 10_000);

    const second = await signIn();
    const idle = await openStream(`${base}/stream`, { cookie: second.cookie });
    // Heartbeats do not count as use: the open stream alone does not keep the session alive.
    await waitFor('heartbeats', () => heartbeats(idle) >= 3, 10_000);
    expect(idle.ended).toBe(false);
    clock.now += 31 * 60_000;
    await waitFor('the stream to end at the idle expiry', () => idle.ended, 10_000);
  });
});
