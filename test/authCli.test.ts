import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { genesisHash, rowHash } from '../core/audit/auditLog.ts';
import { runCli } from './helpers/cli.ts';

/** `jieneng ARGS` with `input` on its stdin. */
const jieneng = (args: string[], input = '') => runCli(args, { input });

describe('jieneng user, token and audit', () => {
  it('makes the first admin from stdin, audits it, and audit verify finds an edited row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-authcli-'));
    const d = ['--data-dir', dir];
    const password = 'the first admin password';
    const added = await jieneng(['user', 'add', '张工', '--role', 'admin', ...d], `${password}\n`);
    expect(added).toMatchObject({ code: 0, out: 'user 张工 added (admin)\n' });
    const short = await jieneng(['user', 'add', 'li', '--role', 'viewer', ...d], 'short\n');
    expect(short.code).toBe(1);
    expect(short.err).toContain('at least 12 characters');
    const none = await jieneng(['user', 'add', 'li', '--role', 'viewer', ...d]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('no password on stdin');
    const demote = await jieneng(['user', 'role', '张工', 'viewer', ...d]);
    expect(demote.code).toBe(1);
    expect(demote.err).toContain('last enabled admin');

    const made = await jieneng([
      'token',
      'create',
      '--name',
      'BMS bridge',
      '--role',
      'engineer',
      '--expires',
      '90d',
      ...d,
    ]);
    expect(made.code).toBe(0);
    const token = made.out.trim();
    expect(token).toMatch(/^jn_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(made.err).toContain('This is the only time it is shown');
    const listed = await jieneng(['token', 'list', ...d]);
    expect(listed.out).toContain(token.slice(3, 15));
    expect(listed.out).not.toContain(token.slice(16));
    const auth = readFileSync(join(dir, 'auth.db'));
    for (const secret of [password, token.slice(16)]) expect(auth.includes(Buffer.from(secret))).toBe(false);

    const list = await jieneng(['audit', 'list', ...d]);
    const username = (await import('node:os')).userInfo().username;
    expect(list.out.split('\n')[0]).toMatch(
      new RegExp(
        `^4\\t.*\\tcli:${username} \\(admin, cli\\)\\ttoken\\.create\\ttoken:${token.slice(3, 15)}\\tok`,
      ),
    );
    expect(list.out).toMatch(/user\.role\tuser:张工\trefused\tcannot make "张工" viewer/);
    const ok = await jieneng(['audit', 'verify', ...d]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^4 entries, chain intact\nhead: entry 4 [0-9a-f]{64} — keep it off this machine/);
    const head = /head: entry 4 ([0-9a-f]{64})/.exec(ok.out)?.[1] ?? '';
    expect((await jieneng(['audit', 'verify', '--head', head, ...d])).out).toContain(
      'holds the kept head (entry 4)',
    );

    // An attacker with the file: drops the trigger and rewrites who added the admin.
    const db = new Database(join(dir, 'audit.db'));
    db.exec("DROP TRIGGER audit_no_update; UPDATE audit SET actor_user = '局长' WHERE id = 1");
    db.close();
    const bad = await jieneng(['audit', 'verify', ...d]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('audit log broken at entry 1: entry 1 was changed after it was written');

    // One who also re-chains every entry after the edit passes the bare verify — not the kept head.
    const rewrite = new Database(join(dir, 'audit.db'));
    let prev = genesisHash;
    for (const row of rewrite.prepare('SELECT * FROM audit ORDER BY id').all() as Record<string, unknown>[]) {
      const { hash: _old, ...fields } = row;
      const hash = rowHash({ ...fields, prev_hash: prev } as Parameters<typeof rowHash>[0]);
      rewrite.prepare('UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?').run(prev, hash, row.id);
      prev = hash;
    }
    rewrite.close();
    expect((await jieneng(['audit', 'verify', ...d])).code).toBe(0);
    const caught = await jieneng(['audit', 'verify', '--head', head, ...d]);
    expect(caught.code).toBe(1);
    expect(caught.err).toContain(
      `no entry has the head ${head} kept earlier: the log was rewritten or cut back`,
    );
  });
});
