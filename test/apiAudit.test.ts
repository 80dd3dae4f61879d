import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessMatrix, routeKey } from '../api/access.ts';
import { boundedForAudit, NOTE_MAX_BYTES } from '../api/auditTrail.ts';
import { AuditLog } from '../core/audit/auditLog.ts';
import { canonicalJson } from '../core/audit/redactSecrets.ts';
import type { Role } from '../core/auth/actor.ts';
import { apiToken } from './helpers/apiAuth.ts';
import { type ApiHarness, startApiHarness } from './helpers/apiHarness.ts';
import { type Answer, routeExamples } from './helpers/routeExamples.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * Issue 15: every mutation audited. The test walks every mutating route of the router and asserts
 * that exactly one audit entry is added for the request, naming the authenticated user (not one
 * the caller typed), how they were authenticated and where from, and that the chain still verifies.
 */
let h: ApiHarness;
let audit: AuditLog;
const people: Record<Role, string> = {
  admin: '管理员甲',
  engineer: '王工',
  officer: '李科',
  viewer: '访客丙',
};
const headers = new Map<Role, Record<string, string>>();

beforeAll(async () => {
  h = await startApiHarness();
  for (const [role, name] of Object.entries(people))
    headers.set(role as Role, apiToken(h.dir, { role: role as Role, name }).headers);
  audit = new AuditLog({ file: join(h.dir, 'audit.db'), timeZone: h.site.config.site.timezone });
});
afterAll(async () => {
  audit?.close();
  await h?.stop();
});

async function call(method: string, path: string, body: unknown, role: Role): Promise<Answer> {
  const res = await fetch(h.base + path, {
    method,
    // A caller naming itself in the old header changes nothing: the audit names the token's user.
    headers: {
      ...headers.get(role),
      'x-jieneng-user': encodeURIComponent('局长'),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: () => JSON.parse(text) };
}
const lastId = () => audit.list({ limit: 1 })[0]?.id ?? 0;

describe('the audit of every mutation', () => {
  it('adds exactly one entry per mutating request, with the authenticated user', async () => {
    const examples = routeExamples(h);
    const mutating = h.api.routes.filter(
      (r) => r.method !== 'GET' && routeKey(r) !== 'POST /api/v1/auth/login',
    );
    expect(mutating.length).toBeGreaterThan(15);
    const wrong: string[] = [];
    for (const route of mutating) {
      const key = routeKey(route);
      const access = accessMatrix[key];
      const role = (['engineer', 'officer', 'admin'] as const).find(
        (r) => access !== 'public' && access?.includes(r),
      );
      const example = examples[key] ?? { path: route.path };
      if (!role) throw new Error(`${key}: no role may call it`);
      await example.setup?.((m, p, b) => call(m, p, b, 'admin'));
      const before = lastId();
      const res = await call(route.method, example.path, example.body, role);
      const added = audit.list({ limit: 10 }).filter((e) => e.id > before);
      const one = added[0];
      if (res.status >= 300) wrong.push(`${key}: answered ${res.status} to a valid request`);
      if (added.length !== 1) wrong.push(`${key}: ${added.length} entries (answer ${res.status})`);
      else if (one?.actor.user !== `token:${people[role]}` || one.actor.via !== 'token' || !one.actor.address)
        wrong.push(`${key}: entry by ${JSON.stringify(one?.actor)}, not token:${people[role]}`);
      else if (one.action !== key || res.status < 300 !== (one.outcome === 'ok'))
        wrong.push(`${key}: action ${one.action}, outcome ${one.outcome} for ${res.status}`);
    }
    expect(wrong).toEqual([]);
    expect(audit.verify()).toMatchObject({ ok: true });
  });

  it('keeps an override with before and after, and a refusal with its reason', async () => {
    const examples = routeExamples(h);
    const override = examples['PUT /api/v1/points/:device/:point/override'];
    const before = lastId();
    await call('PUT', override?.path ?? '', { value: 1, for: '30min', reason: '会议室加班' }, 'engineer');
    await call('PUT', override?.path ?? '', { value: 1, priority: 2, for: '30min' }, 'engineer');
    const [refused, done] = audit.list({ limit: 10 }).filter((e) => e.id > before);
    expect(done).toMatchObject({ outcome: 'ok', actor: { user: 'token:王工', role: 'engineer' } });
    expect(done?.at).toMatch(/\+08:00$/);
    // Before: the operator level as it was; after: as the command left it, with the result.
    expect(done?.target).toMatch(/^point:.+\/on_off@8$/);
    expect(done?.before).toHaveProperty('slot');
    expect(done?.after).toMatchObject({
      slot: { level: 8, value: 1, reason: '会议室加班' },
      result: { accepted: true },
    });
    expect(refused).toMatchObject({ outcome: 'refused', actor: { user: 'token:王工' } });
    expect(refused?.detail).toMatch(/^403: .*(priority|优先级) 2/); // the refusal is Chinese by default
  });

  it('audits a change whose caller hung up before the answer', async () => {
    const path = routeExamples(h)['PUT /api/v1/points/:device/:point/override']?.path ?? '';
    const body = JSON.stringify({ value: 1, for: '45min', reason: '挂断测试' });
    const before = lastId();
    const socket = connect(h.api.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.end(
      `PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${headers.get('engineer')?.authorization}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    socket.destroy(); // gone before any answer
    await waitFor('the hung-up override in the audit', () => lastId() > before, 20_000);
    const [entry] = audit.list({ limit: 1 });
    expect(entry).toMatchObject({
      action: 'PUT /api/v1/points/:device/:point/override',
      actor: { user: 'token:王工' },
    });
    expect(JSON.stringify(entry?.after)).toContain('挂断测试');
  });

  it('audits a refusal by the role matrix: a viewer’s override is one refused entry naming the viewer', async () => {
    const path = routeExamples(h)['PUT /api/v1/points/:device/:point/override']?.path ?? '';
    const before = lastId();
    const res = await call('PUT', path, { value: 1, for: '30min', reason: '访客试图加班' }, 'viewer');
    expect(res.status).toBe(403);
    const added = audit.list({ limit: 10 }).filter((e) => e.id > before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      action: 'PUT /api/v1/points/:device/:point/override',
      outcome: 'refused',
      actor: { user: 'token:访客丙', role: 'viewer', via: 'token' },
    });
    expect(added[0]?.detail).toMatch(/^403: /);
    // Anonymous refusals (401) stay out of the audit.
    const anonymous = await fetch(h.base + path, { method: 'PUT' });
    expect(anonymous.status).toBe(401);
    expect(lastId()).toBe(added[0]?.id);
  });

  it('keeps a 1 MB body as a bounded excerpt with its sha256 and length', async () => {
    const body = { note: '大'.repeat(300_000) }; // ~900 kB of UTF-8
    const whole = canonicalJson(body);
    const before = lastId();
    const res = await call('POST', '/api/v1/auth/logout', body, 'viewer');
    expect(res.status).toBe(400); // logout takes no body
    const [entry] = audit.list({ limit: 10 }).filter((e) => e.id > before);
    expect(entry).toMatchObject({ action: 'POST /api/v1/auth/logout', outcome: 'refused' });
    expect(JSON.stringify(entry).length).toBeLessThan(8 * 1024);
    expect(entry?.after).toMatchObject({
      request: {
        bytes: Buffer.byteLength(whole),
        sha256: createHash('sha256').update(whole).digest('hex'),
        excerpt: whole.slice(0, 2048),
      },
    });
    expect(JSON.stringify(entry?.after)).toMatch(/kept the first 2048 characters of \d+ bytes/);
  });

  it('keeps a before/after note above 16 KB as an excerpt with its hash, and a small one whole', () => {
    const small = { slot: { level: 8, value: 1 } };
    expect(boundedForAudit(small, NOTE_MAX_BYTES)).toBe(small);
    const big = { rows: Array.from({ length: 2000 }, (_, i) => ({ i, password: 'never kept' })) };
    const kept = boundedForAudit(big, NOTE_MAX_BYTES) as { bytes: number; sha256: string; excerpt: string };
    expect(kept.bytes).toBeGreaterThan(NOTE_MAX_BYTES);
    expect(kept.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(kept.excerpt.length).toBeLessThanOrEqual(2048);
    expect(kept.excerpt).not.toContain('never kept'); // redacted before it is cut
  });

  // Last in this file: it breaks the audit file on purpose.
  it('says in health when an audit line cannot be written', async () => {
    const db = new Database(join(h.dir, 'audit.db'));
    db.exec('ALTER TABLE audit RENAME TO audit_gone');
    db.close();
    const path = routeExamples(h)['PUT /api/v1/points/:device/:point/override']?.path ?? '';
    await call('PUT', path, { value: 1, for: '20min' }, 'engineer');
    const health = await fetch(`${h.base}/api/v1/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { services: Record<string, unknown> }).services.api).toEqual({
      state: 'degraded',
      detail: { audit_failures: 1 },
    });
  });
});
