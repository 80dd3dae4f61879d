import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { AuditLog } from '../../core/audit/auditLog.ts';
import type { Actor } from '../../core/auth/actor.ts';
import { createLogger } from '../../core/log.ts';
import { jsonBody, problemHandler } from '../problem.ts';
import { auditRoutes } from '../routes/audit.ts';
import { authRoutes } from '../routes/auth.ts';
import { tokenRoutes } from '../routes/tokens.ts';
import { userRoutes } from '../routes/users.ts';
import { type Auth, createAuth } from './auth.ts';
import { authenticate } from './middleware.ts';

/** The first admin, as `jieneng user add` makes it. */
export const cliActor: Actor = { user: 'cli:root', role: 'admin', via: 'cli', scopes: [] };
export const adminPassword = 'admin password 2026';

// biome-ignore lint/suspicious/noExplicitAny: answers of many shapes, read field by field by the tests
type Json = any;

/** A real HTTP server on 127.0.0.1:0 with the authentication middleware and the auth, user, token and audit routes. */
export interface AuthApp {
  url: string;
  dir: string;
  auth: Auth;
  audit: AuditLog;
  /** The injected clock: advance it to expire sessions, locks and tokens. */
  clock: { now: number };
  /** fetch against the app; `cookie` and `csrf` of a session, `bearer` of a token. */
  call(
    method: string,
    path: string,
    options?: {
      body?: unknown;
      cookie?: string;
      csrf?: string;
      bearer?: string;
      headers?: Record<string, string>;
    },
  ): Promise<{ status: number; body: Json; headers: Headers }>;
  /** Logs in; the session's cookie (`jn_session=…`) and CSRF token. */
  login(
    user: string,
    password: string,
  ): Promise<{ cookie: string; csrf: string; status: number; body: Json }>;
  close(): Promise<void>;
}

export async function startAuthApp({
  trustProxy,
  ...options
}: {
  sessionIdleMs?: number;
  secureCookies?: boolean;
  trustProxy?: boolean;
} = {}): Promise<AuthApp> {
  const dir = mkdtempSync(join(tmpdir(), 'jn-auth-'));
  const clock = { now: Date.parse('2026-12-02T02:00:00Z') };
  const now = () => clock.now;
  const log = createLogger({ level: 'error' });
  const auth = createAuth({ file: join(dir, 'auth.db'), now, log, ...options });
  const audit = new AuditLog({ file: join(dir, 'audit.db'), timeZone: 'Asia/Shanghai', now });
  await auth.addUser({ name: 'admin', role: 'admin', password: adminPassword, by: cliActor });
  const app = express();
  if (trustProxy) app.set('trust proxy', true); // as `jieneng start --trust-proxy`
  app.use(jsonBody());
  app.use(
    '/api/v1',
    authenticate(auth),
    authRoutes(auth, audit),
    userRoutes(auth),
    tokenRoutes(auth),
    auditRoutes(audit),
  );
  app.use(problemHandler(log));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  const call: AuthApp['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { 'accept-language': 'en', ...o.headers };
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    if (o.cookie) headers.cookie = o.cookie;
    if (o.csrf) headers['x-csrf-token'] = o.csrf;
    if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
    const res = await fetch(url + path, {
      method,
      headers,
      ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  return {
    url,
    dir,
    auth,
    audit,
    clock,
    call,
    login: async (user, password) => {
      const r = await call('POST', '/auth/login', { body: { user, password } });
      const cookie = (r.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
      return { cookie, csrf: r.body?.csrf_token, status: r.status, body: r.body };
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      auth.close();
      audit.close();
    },
  };
}
