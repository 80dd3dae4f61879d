import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../auth/actor.ts';
import { AuditLog, genesisHash } from './auditLog.ts';

const zhang: Actor = { user: '张工', role: 'engineer', via: 'session', scopes: [], address: '10.0.0.7' };
const tz = 'Asia/Shanghai';

function fresh(): { file: string; log: AuditLog } {
  const file = join(mkdtempSync(join(tmpdir(), 'jn-audit-')), 'audit.db');
  return { file, log: new AuditLog({ file, timeZone: tz, now: () => Date.parse('2026-12-02T02:38:00Z') }) };
}

function fill(log: AuditLog, n: number): void {
  for (let i = 1; i <= n; i++)
    log.append({
      actor: zhang,
      action: 'override.set',
      target: `point:ahu_${i}/sp`,
      after: { value: 26 + i },
      outcome: 'ok',
    });
}

/** Opens the file as an attacker would: directly, with the append-only triggers dropped. */
function tamper(file: string, sql: string): void {
  const db = new Database(file);
  db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
  db.exec(sql);
  db.close();
}

describe('AuditLog', () => {
  it('chains every entry to the one before and verifies the chain', () => {
    const { log } = fresh();
    fill(log, 5);
    const [newest, ...rest] = log.list();
    expect(newest?.id).toBe(5);
    expect(newest?.at).toBe('2026-12-02T10:38:00+08:00');
    expect(newest?.actor).toEqual({ user: '张工', role: 'engineer', via: 'session', address: '10.0.0.7' });
    expect(newest?.prevHash).toBe(rest[0]?.hash);
    expect(log.list({ limit: 10 }).at(-1)?.prevHash).toBe(genesisHash);
    expect(log.verify()).toEqual({ ok: true, entries: 5 });
    log.close();
  });

  it('refuses UPDATE and DELETE through the triggers', () => {
    const { file, log } = fresh();
    fill(log, 2);
    const db = new Database(file);
    expect(() => db.exec("UPDATE audit SET actor_user = 'x' WHERE id = 1")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit WHERE id = 2')).toThrow(/append-only/);
    db.close();
    expect(log.verify().ok).toBe(true);
    log.close();
  });

  it('names an edited entry', () => {
    const { file, log } = fresh();
    fill(log, 5);
    tamper(file, `UPDATE audit SET after = '{"value":20}' WHERE id = 3`);
    const verdict = log.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.entries).toBe(2);
    expect(verdict.problem?.id).toBe(3);
    expect(verdict.problem?.reason).toMatch(/changed after it was written/);
    log.close();
  });

  it('detects a deleted entry, in the middle and with the ids renumbered', () => {
    const { file, log } = fresh();
    fill(log, 5);
    tamper(file, 'DELETE FROM audit WHERE id = 2');
    expect(log.verify().problem).toEqual({ id: 3, reason: expect.stringMatching(/entry 2 is missing/) });
    // Renumbered to hide the gap: the chain still breaks at the entry after the deleted one.
    tamper(file, 'UPDATE audit SET id = id - 1 WHERE id > 2');
    expect(log.verify().problem?.id).toBe(2);
    log.close();
  });

  it('detects an inserted entry', () => {
    const { file, log } = fresh();
    fill(log, 3);
    const forged = log.list({ limit: 1 })[0];
    tamper(
      file,
      `UPDATE audit SET id = id + 100 WHERE id >= 2;
       UPDATE audit SET id = id - 99 WHERE id > 100;
       INSERT INTO audit (id, at, actor_user, actor_role, actor_via, action, outcome, prev_hash, hash)
       VALUES (2, '2026-12-02T10:38:00+08:00', '局长', 'admin', 'session', 'user.add', 'ok', '${forged?.prevHash}', '${forged?.hash}')`,
    );
    const verdict = log.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.problem?.id).toBe(2);
    log.close();
  });

  it('keeps one chain when two instances append to the same file alternately', () => {
    const { file, log: a } = fresh();
    const b = new AuditLog({ file, timeZone: tz });
    for (let i = 0; i < 20; i++)
      (i % 2 ? a : b).append({ actor: zhang, action: 'calendar.set', target: `day:${i}`, outcome: 'ok' });
    expect(a.verify()).toEqual({ ok: true, entries: 20 });
    expect(b.list({ limit: 3 }).map((e) => e.target)).toEqual(['day:19', 'day:18', 'day:17']);
    a.close();
    b.close();
  });

  it('stores no secrets, at any depth, but keeps a token id', () => {
    const { file, log } = fresh();
    log.append({
      actor: { ...zhang, via: 'token', tokenId: 'Ab3dEf6hIj9k' },
      action: 'user.add',
      target: 'user:李四',
      after: {
        name: '李四',
        password: 'correct horse battery',
        nested: [{ token: 'jn_x_s3cr3t', token_id: 'Ab3' }],
      },
      before: { headers: { Authorization: 'Bearer abc', 'X-CSRF-Token': 'c5rf' } },
      outcome: 'ok',
    });
    const text = new Database(file).prepare('SELECT * FROM audit').all();
    const dump = JSON.stringify(text);
    for (const secret of ['correct horse', 's3cr3t', 'Bearer abc', 'c5rf'])
      expect(dump).not.toContain(secret);
    const [entry] = log.list();
    expect(entry?.after).toEqual({
      name: '李四',
      password: '[redacted]',
      nested: [{ token: '[redacted]', token_id: 'Ab3' }],
    });
    expect(entry?.actor.tokenId).toBe('Ab3dEf6hIj9k');
    expect(log.verify().ok).toBe(true);
    log.close();
  });

  it('filters and pages newest first', () => {
    const { log } = fresh();
    fill(log, 4);
    log.append({
      actor: { ...zhang, user: 'admin' },
      action: 'user.add',
      target: 'user:x',
      outcome: 'refused',
      detail: 'exists',
    });
    expect(log.list({ user: 'admin' }).map((e) => e.id)).toEqual([5]);
    expect(log.list({ action: 'override.set', before: 3 }).map((e) => e.id)).toEqual([2, 1]);
    expect(log.list({ target: 'point:ahu_4/sp' }).map((e) => e.id)).toEqual([4]);
    expect(log.list({ limit: 2 }).map((e) => e.id)).toEqual([5, 4]);
    log.close();
  });
});
