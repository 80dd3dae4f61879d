import Database from 'better-sqlite3';
import { ownerOnlySqliteFile } from '../../core/audit/auditLog.ts';

const migrations = [
  `CREATE TABLE users (
     name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL, created_by TEXT NOT NULL, updated_at INTEGER NOT NULL);
   CREATE TABLE account_failures (name TEXT NOT NULL, at INTEGER NOT NULL);
   CREATE INDEX account_failures_name ON account_failures (name, at);
   CREATE TABLE address_failures (address TEXT NOT NULL, at INTEGER NOT NULL);
   CREATE INDEX address_failures_address ON address_failures (address, at);
   CREATE TABLE lockouts (name TEXT PRIMARY KEY, until INTEGER NOT NULL);
   CREATE TABLE sessions (
     id_hash TEXT PRIMARY KEY, user TEXT NOT NULL, address TEXT, created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL);
   CREATE INDEX sessions_user ON sessions (user);
   CREATE TABLE tokens (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, scopes TEXT NOT NULL, secret_hash TEXT NOT NULL,
     expires_at INTEGER, created_by TEXT NOT NULL, created_at INTEGER NOT NULL, last_used_at INTEGER, revoked_at INTEGER);`,
];

/**
 * `<data-dir>/auth.db`: users (argon2id hashes), login failures and lockouts, sessions (sha256 of
 * the id only) and API tokens (sha256 of the secret only). Migrations by `user_version`, run in
 * one immediate transaction so two processes opening a new file migrate it once. The file (and
 * its -wal and -shm) are readable by their owner only.
 */
export function openAuthDb(file: string): Database.Database {
  // 0600: password hashes, token and session digests, who failed to log in from where.
  ownerOnlySqliteFile(file);
  const db = new Database(file, { timeout: 10_000 });
  db.pragma('journal_mode = WAL');
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < migrations.length; v++) {
      db.exec(migrations[v] ?? '');
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
  return db;
}
