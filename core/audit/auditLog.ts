import { createHash } from 'node:crypto';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Actor } from '../auth/actor.ts';
import { localTimestamp } from '../localTime.ts';
import { canonicalJson, redactSecrets } from './redactSecrets.ts';

/** How a mutation ended: done, refused (policy, rights, validation), or failed (an error). */
export type AuditOutcome = 'ok' | 'refused' | 'failed';

/** What a caller appends: who did what to what, before and after (secrets are redacted here). */
export interface AuditInput {
  actor: Actor;
  /** What was done, e.g. `auth.login`, `user.add`, `override.set`, `schedule.delete`. */
  action: string;
  /** What it was done to, e.g. `user:张工`, `token:Ab3…`, `point:ahu_1/supply_temp_sp`. */
  target?: string;
  before?: unknown;
  after?: unknown;
  outcome: AuditOutcome;
  /** Why, in words a person reads (a refusal's reason, a failure's error). */
  detail?: string;
}

/** One stored line of the audit log. */
export interface AuditEntry {
  /** 1, 2, 3 … without gaps: a gap is a deleted entry. */
  id: number;
  /** Local time with the site's offset, e.g. 2026-12-02T10:38:00+08:00. */
  at: string;
  actor: { user: string; role: string; via: string; tokenId?: string; address?: string };
  action: string;
  target?: string;
  before?: unknown;
  after?: unknown;
  outcome: AuditOutcome;
  detail?: string;
  /** Hash of the entry before (64 zeros for the first). */
  prevHash: string;
  /** sha256(prevHash + canonical JSON of this entry's fields), hex. */
  hash: string;
}

/** What `verify` found: the whole chain intact, or the first entry that breaks it and how. */
export interface AuditVerdict {
  ok: boolean;
  /** Entries read. */
  entries: number;
  problem?: { id: number; reason: string };
}

/** Filters and paging of `list`; newest first. */
export interface AuditQuery {
  /** At most this many (default 100, 1–1000). */
  limit?: number;
  /** Only entries with an id below this one (the next page). */
  before?: number;
  user?: string;
  action?: string;
  target?: string;
}

interface Row {
  id: number;
  at: string;
  actor_user: string;
  actor_role: string;
  actor_via: string;
  token_id: string | null;
  address: string | null;
  action: string;
  target: string | null;
  before: string | null;
  after: string | null;
  outcome: string;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

/** The hash the first entry chains to. */
export const genesisHash = '0'.repeat(64);

const migrations = [
  `CREATE TABLE audit (
     id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor_user TEXT NOT NULL, actor_role TEXT NOT NULL,
     actor_via TEXT NOT NULL, token_id TEXT, address TEXT, action TEXT NOT NULL, target TEXT,
     before TEXT, after TEXT, outcome TEXT NOT NULL, detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
   CREATE INDEX audit_user ON audit (actor_user, id);
   CREATE INDEX audit_action ON audit (action, id);
   CREATE INDEX audit_target ON audit (target, id);
   CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be changed'); END;
   CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be deleted'); END;`,
];

/** The hash of a stored row: every field but the hash itself, chained to the one before. */
export function rowHash(row: Omit<Row, 'hash'>): string {
  const { prev_hash, ...fields } = row;
  return createHash('sha256')
    .update(prev_hash + canonicalJson(fields))
    .digest('hex');
}

/**
 * Makes a SQLite file readable by its owner only (0600), whatever the umask: created so before
 * SQLite opens it (SQLite gives its -wal and -shm the main file's mode), and an existing one (and
 * its -wal and -shm) set to 0600. For auth.db and audit.db, which name accounts, addresses and
 * hashes (issue 15 security review: they were 0644 under umask 022).
 */
export function ownerOnlySqliteFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

/**
 * The one append-only audit log of the platform (`<data-dir>/audit.db`): every mutating API
 * request and CLI command, who (the authenticated actor), when, from where, what, before and
 * after. Triggers refuse UPDATE and DELETE, which stops accidents; the hash chain (each entry
 * carries the hash of the one before) makes a deliberate edit, deletion or insertion visible to
 * `verify`. Several processes may append to the same file: each append is one BEGIN IMMEDIATE
 * transaction that reads the last hash and inserts.
 */
export class AuditLog {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly timeZone: string;

  constructor(options: { file: string; timeZone: string; now?: () => number }) {
    ownerOnlySqliteFile(options.file);
    this.db = new Database(options.file, { timeout: 10_000 });
    this.db.pragma('journal_mode = WAL');
    this.now = options.now ?? Date.now;
    this.timeZone = options.timeZone;
    this.migrate();
  }

  private migrate(): void {
    // Immediate, and the version read inside: two processes opening a new file migrate it once.
    this.db
      .transaction(() => {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        for (let v = version; v < migrations.length; v++) {
          this.db.exec(migrations[v] ?? '');
          this.db.pragma(`user_version = ${v + 1}`);
        }
      })
      .immediate();
  }

  close(): void {
    this.db.close();
  }

  /** Appends one entry (secrets in before/after redacted) and returns it as stored. */
  append(input: AuditInput): AuditEntry {
    const json = (v: unknown) => (v === undefined ? null : canonicalJson(redactSecrets(v)));
    const write = this.db.transaction((): Row => {
      const last = this.db.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1').get() as
        | { id: number; hash: string }
        | undefined;
      const fields: Omit<Row, 'hash'> = {
        id: (last?.id ?? 0) + 1,
        at: localTimestamp(this.now(), this.timeZone),
        actor_user: input.actor.user,
        actor_role: input.actor.role,
        actor_via: input.actor.via,
        token_id: input.actor.tokenId ?? null,
        address: input.actor.address ?? null,
        action: input.action,
        target: input.target ?? null,
        before: json(input.before),
        after: json(input.after),
        outcome: input.outcome,
        detail: input.detail ?? null,
        prev_hash: last?.hash ?? genesisHash,
      };
      const row: Row = { ...fields, hash: rowHash(fields) };
      this.db
        .prepare(
          `INSERT INTO audit (id, at, actor_user, actor_role, actor_via, token_id, address, action, target,
             before, after, outcome, detail, prev_hash, hash)
           VALUES (@id, @at, @actor_user, @actor_role, @actor_via, @token_id, @address, @action, @target,
             @before, @after, @outcome, @detail, @prev_hash, @hash)`,
        )
        .run(row);
      return row;
    });
    return toEntry(write.immediate());
  }

  /** Walks the whole chain from the first entry; stops at the first that breaks it. */
  verify(): AuditVerdict {
    let expectedId = 1;
    let prevHash = genesisHash;
    let entries = 0;
    for (const row of this.db.prepare('SELECT * FROM audit ORDER BY id').iterate() as Iterable<Row>) {
      const problem = checkRow(row, expectedId, prevHash);
      if (problem) return { ok: false, entries, problem: { id: row.id, reason: problem } };
      entries++;
      expectedId = row.id + 1;
      prevHash = row.hash;
    }
    return { ok: true, entries };
  }

  /** Entries newest first, filtered by user, action and target; `before` pages on by id. */
  list(query: AuditQuery = {}): AuditEntry[] {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    const filters = {
      before: 'id < @before',
      user: 'actor_user = @user',
      action: 'action = @action',
      target: 'target = @target',
    };
    for (const [key, clause] of Object.entries(filters)) {
      const value = query[key as keyof typeof filters];
      if (value === undefined) continue;
      where.push(clause);
      params[key] = value;
    }
    params.limit = Math.min(Math.max(Math.trunc(query.limit ?? 100), 1), 1000);
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    return (this.db.prepare(sql).all(params) as Row[]).map(toEntry);
  }

  /** The entry whose hash is `hash` (a head kept elsewhere), if the log still holds it. */
  withHash(hash: string): AuditEntry | undefined {
    const row = this.db.prepare('SELECT * FROM audit WHERE hash = ?').get(hash) as Row | undefined;
    return row && toEntry(row);
  }

  /** How many entries the log holds. */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n;
  }
}

/** Why `row` breaks the chain, or undefined when it is the entry expected after `prevHash`. */
function checkRow(row: Row, expectedId: number, prevHash: string): string | undefined {
  if (row.id > expectedId)
    return expectedId === row.id - 1
      ? `entry ${expectedId} is missing (deleted): ids jump from ${expectedId - 1} to ${row.id}`
      : `entries ${expectedId}–${row.id - 1} are missing (deleted): ids jump from ${expectedId - 1} to ${row.id}`;
  if (row.id < expectedId) return `entry ${row.id} is out of order (inserted)`;
  if (row.prev_hash !== prevHash)
    return `entry ${row.id} does not chain to entry ${row.id - 1}: its prev_hash differs from that entry's hash (an entry was deleted, replaced or inserted)`;
  const { hash, ...fields } = row;
  if (rowHash(fields) !== hash)
    return `entry ${row.id} was changed after it was written: its contents do not match its hash`;
  return undefined;
}

function parse(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text; // an edited row may hold anything; verify names it, list still shows it
  }
}

function toEntry(row: Row): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: {
      user: row.actor_user,
      role: row.actor_role,
      via: row.actor_via,
      ...(row.token_id !== null ? { tokenId: row.token_id } : {}),
      ...(row.address !== null ? { address: row.address } : {}),
    },
    action: row.action,
    ...(row.target !== null ? { target: row.target } : {}),
    ...(row.before !== null ? { before: parse(row.before) } : {}),
    ...(row.after !== null ? { after: parse(row.after) } : {}),
    outcome: row.outcome as AuditOutcome,
    ...(row.detail !== null ? { detail: row.detail } : {}),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
