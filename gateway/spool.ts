import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../core/log.ts';
import { toRanges } from '../core/ranges.ts';

export interface SpoolLimits {
  /** Largest total payload kept, bytes. */
  maxBytes: number;
  /** Oldest batch kept, ms. */
  maxAgeMs: number;
}

export interface SpooledBatch {
  seq: number;
  payload: string;
}

/**
 * The gateway's store-and-forward spool: every telemetry batch is written here (with its
 * sequence number, in one transaction) before it is published, marked once the broker has
 * acknowledged it, and removed only once a collector confirms it stored it (end to end: a broker
 * that acknowledged a batch may still lose it — restarted without its subscribers, or a queue
 * over its limit). It survives a crash or restart and is replayed in order. When a limit is hit
 * the oldest batches are dropped — counted and logged, never silently.
 */
export class Spool {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly del: Database.Statement;
  /** Payload bytes held, kept as rows come and go (a SUM over the table on every append stalled the poll loop). */
  private bytes: number;
  dropped = 0;

  constructor(
    file: string,
    private limits: SpoolLimits,
    private readonly log: Logger,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL'); // a batch counted as spooled must survive a power cut
    this.db.exec(`CREATE TABLE IF NOT EXISTS batches (seq INTEGER PRIMARY KEY, payload TEXT NOT NULL, created INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);`);
    // When the broker acknowledged the batch (ms); null: still to be sent.
    const columns = this.db.prepare('PRAGMA table_info(batches)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'acked'))
      this.db.exec('ALTER TABLE batches ADD COLUMN acked INTEGER');
    this.db.exec('CREATE INDEX IF NOT EXISTS batches_acked ON batches (acked)');
    this.db.exec('CREATE INDEX IF NOT EXISTS batches_created ON batches (created)');
    // Batches a limit dropped before a collector confirmed them: told in the progress mark, so
    // collectors can name them as lost (a broker outage must not hide them).
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS dropped (from_seq INTEGER NOT NULL, to_seq INTEGER NOT NULL, at INTEGER NOT NULL)',
    );
    // A restart sends again whatever no collector confirmed: it may not have reached one.
    this.db.exec('UPDATE batches SET acked = NULL');
    this.insert = this.db.prepare('INSERT INTO batches (seq, payload, created) VALUES (?, ?, ?)');
    this.del = this.db.prepare(
      'DELETE FROM batches WHERE seq = ? RETURNING LENGTH(CAST(payload AS BLOB)) AS n',
    );
    this.bytes = (
      this.db.prepare('SELECT COALESCE(SUM(LENGTH(CAST(payload AS BLOB))), 0) AS n FROM batches').get() as {
        n: number;
      }
    ).n;
  }

  /** New bounds (config reload); they apply from the next batch on. */
  setLimits(limits: SpoolLimits): void {
    this.limits = limits;
  }

  /**
   * This spool's identity, made when the spool file is first created (base-36 creation time): a new
   * spool numbers its batches from 1 again, and the epoch keeps those apart from the old ones.
   */
  epoch(): string {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'epoch'").get() as
      | { value: number }
      | undefined;
    if (row) return row.value.toString(36);
    // Creation time in ms with three random digits: two spools made in the same ms still differ.
    const created = Date.now() * 1000 + Math.floor(Math.random() * 1000);
    this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('epoch', ?)").run(created);
    return this.epoch();
  }

  /**
   * The high-water mark: every batch up to this seq has left the spool (confirmed by a collector,
   * or dropped by a limit — then it is missing downstream, which is what a gap report is for).
   */
  doneUpTo(): number {
    const row = this.db.prepare('SELECT MIN(seq) AS first FROM batches').get() as { first: number | null };
    return row.first === null ? this.lastSeq() : row.first - 1;
  }

  /** The last sequence number handed out (0 on a new spool). */
  lastSeq(): number {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'seq'").get() as
      | { value: number }
      | undefined;
    return row?.value ?? 0;
  }

  /** Takes the next sequence number and stores the batch `build(seq)` under it, atomically. */
  append(build: (seq: number) => string, now: number): number {
    const seq = this.db.transaction(() => {
      const next = this.lastSeq() + 1;
      this.db
        .prepare(
          "INSERT INTO meta (key, value) VALUES ('seq', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .run(next);
      const payload = build(next);
      this.insert.run(next, payload, now);
      this.bytes += Buffer.byteLength(payload);
      return next;
    })();
    this.enforce(now);
    return seq;
  }

  /** Up to `limit` batches still to be sent after `afterSeq`, oldest first. */
  next(afterSeq: number, limit: number): SpooledBatch[] {
    return this.db
      .prepare('SELECT seq, payload FROM batches WHERE seq > ? AND acked IS NULL ORDER BY seq LIMIT ?')
      .all(afterSeq, limit) as SpooledBatch[];
  }

  /** The broker acknowledged the batch: kept until a collector confirms it. */
  acked(seq: number, now: number): void {
    this.db.prepare('UPDATE batches SET acked = ? WHERE seq = ?').run(now, seq);
  }

  /** A collector stored these batches: they leave the spool. */
  confirm(ranges: readonly (readonly [number, number])[]): number {
    // Only batches the broker acknowledged: a confirmation of one never sent is not believed.
    const del = this.db.prepare(
      'DELETE FROM batches WHERE seq BETWEEN ? AND ? AND acked IS NOT NULL RETURNING LENGTH(CAST(payload AS BLOB)) AS n',
    );
    return this.db.transaction(() =>
      ranges.reduce((count, [from, to]) => count + this.released(del.all(from, to) as { n: number }[]), 0),
    )();
  }

  /**
   * Batches the broker acknowledged before `olderThan` and no collector confirmed: up to `limit` of
   * them, oldest first, are marked to be sent again; returns the lowest such seq (or undefined).
   */
  requeue(olderThan: number, limit: number): number | undefined {
    const rows = this.db
      .prepare('SELECT seq FROM batches WHERE acked IS NOT NULL AND acked < ? ORDER BY seq LIMIT ?')
      .all(olderThan, limit) as { seq: number }[];
    if (rows.length === 0) return undefined;
    const first = rows[0]?.seq as number;
    const last = rows.at(-1)?.seq as number;
    this.db
      .prepare(
        'UPDATE batches SET acked = NULL WHERE acked IS NOT NULL AND acked < ? AND seq BETWEEN ? AND ?',
      )
      .run(olderThan, first, last);
    return first;
  }

  /** Batches not yet acknowledged by the broker (what a clean stop waits for). */
  unsent(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM batches WHERE acked IS NULL').get() as { n: number })
      .n;
  }

  remove(seq: number): void {
    this.released(this.del.all(seq) as { n: number }[]);
  }

  /** Rows deleted: their bytes leave the running total; returns how many. */
  private released(rows: { n: number }[]): number {
    for (const r of rows) this.bytes -= r.n;
    return rows.length;
  }

  /**
   * Batches held (`unsent` of them not yet acknowledged by the broker, the rest waiting for a
   * collector's confirmation), their payload bytes, and batches dropped by a limit so far.
   */
  stats(): { batches: number; unsent: number; bytes: number; dropped: number } {
    const row = this.db
      .prepare('SELECT COUNT(*) AS n, COUNT(*) - COUNT(acked) AS unsent FROM batches')
      .get() as {
      n: number;
      unsent: number;
    };
    return { batches: row.n, unsent: row.unsent, bytes: this.bytes, dropped: this.dropped };
  }

  /** The latest ranges of batches a limit dropped (at most 100), oldest first. */
  droppedRanges(): [number, number][] {
    const rows = this.db
      .prepare('SELECT from_seq, to_seq FROM dropped ORDER BY rowid DESC LIMIT 100')
      .all() as { from_seq: number; to_seq: number }[];
    return rows.reverse().map((r) => [r.from_seq, r.to_seq]);
  }

  private enforce(now: number): void {
    const gone: { seq: number; n: number }[] = [];
    const byAge = this.db
      .prepare('DELETE FROM batches WHERE created < ? RETURNING seq, LENGTH(CAST(payload AS BLOB)) AS n')
      .all(now - this.limits.maxAgeMs) as { seq: number; n: number }[];
    gone.push(...byAge);
    const oldest = this.db.prepare(
      'DELETE FROM batches WHERE seq = (SELECT MIN(seq) FROM batches) RETURNING seq, LENGTH(CAST(payload AS BLOB)) AS n',
    );
    let over = 0;
    let freed = byAge.reduce((a, g) => a + g.n, 0);
    while (this.bytes - freed > this.limits.maxBytes) {
      const rows = oldest.all() as { seq: number; n: number }[];
      if (rows.length === 0) break;
      gone.push(...rows);
      freed += rows.reduce((a, g) => a + g.n, 0);
      over += rows.length;
    }
    if (gone.length === 0) return;
    this.released(gone);
    this.dropped += gone.length;
    const ranges = toRanges(gone.map((g) => g.seq));
    const insert = this.db.prepare('INSERT INTO dropped (from_seq, to_seq, at) VALUES (?, ?, ?)');
    for (const [from, to] of ranges) insert.run(from, to, now);
    this.db.prepare('DELETE FROM dropped WHERE at < ?').run(now - this.limits.maxAgeMs);
    this.unsaid.push(...ranges);
    this.unsaidCount += gone.length;
    this.unsaidByAge += byAge.length;
    this.unsaidBySize += over;
    // The first drop at once, then at most a line a minute (one per batch in an outage was a flood).
    if (now - this.lastSaid >= 60_000) this.sayDropped(now);
  }

  private unsaid: [number, number][] = [];
  private unsaidCount = 0;
  private unsaidByAge = 0;
  private unsaidBySize = 0;
  private lastSaid = Number.NEGATIVE_INFINITY;

  private sayDropped(now: number): void {
    if (this.unsaidCount === 0) return;
    this.lastSaid = now;
    this.log.error('spool limit reached: oldest telemetry dropped', {
      seqs: toRanges(this.unsaid.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i)))
        .map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`))
        .join(','),
      dropped_now: this.unsaidCount,
      dropped_total: this.dropped,
      by_age: this.unsaidByAge,
      by_size: this.unsaidBySize,
    });
    this.unsaid = [];
    this.unsaidCount = 0;
    this.unsaidByAge = 0;
    this.unsaidBySize = 0;
  }

  close(): void {
    this.sayDropped(Date.now());
    this.db.close();
  }
}
