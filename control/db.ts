import Database from 'better-sqlite3';
import type { DayType } from '../core/calendar.ts';
import type { Slot } from '../core/control/priority.ts';
import type { Schedule } from '../core/control/schema.ts';
import { ScheduleVersions } from './scheduleStore.ts';

/** One line of the command audit log. */
export interface AuditEntry {
  id: number;
  /** ISO instant. */
  at: string;
  /** Who or what asked: `user:张工`, `schedule:office-hvac`, `strategy:demand-limit`, `expiry`. */
  source: string;
  device: string;
  point: string;
  priority: number | null;
  /** set, relinquish, expire, write */
  action: string;
  /** accepted, rejected, written, failed, timeout, not_following, released */
  outcome: string;
  requested: number | null;
  effective: number | null;
  read_back: number | null;
  reason: string | null;
  correlation_id: string | null;
}

const migrations = [
  `CREATE TABLE slots (
     device TEXT NOT NULL, point TEXT NOT NULL, level INTEGER NOT NULL,
     value REAL NOT NULL, source TEXT NOT NULL, reason TEXT, set_at INTEGER NOT NULL, expires_at INTEGER,
     PRIMARY KEY (device, point, level));
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, source TEXT NOT NULL,
     device TEXT NOT NULL, point TEXT NOT NULL, priority INTEGER, action TEXT NOT NULL, outcome TEXT NOT NULL,
     requested REAL, effective REAL, read_back REAL, reason TEXT, correlation_id TEXT);
   CREATE INDEX audit_point ON audit (device, point, id);
   CREATE TABLE schedules (id TEXT PRIMARY KEY, body TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);
   CREATE TABLE writes (device TEXT NOT NULL, point TEXT NOT NULL, value REAL NOT NULL, at INTEGER NOT NULL);
   CREATE INDEX writes_point ON writes (device, point, at);
   CREATE TABLE learned (key TEXT PRIMARY KEY, value REAL NOT NULL, samples INTEGER NOT NULL, updated_at INTEGER NOT NULL);`,
  `CREATE TABLE calendar_overrides (date TEXT PRIMARY KEY, type TEXT NOT NULL, note TEXT, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);`,
  // Schedules versioned (issue 15): every change through the API is a new version, a deletion too
  // (body NULL); site_body is the site file's version the change was based on.
  `CREATE TABLE schedule_versions (
     id TEXT NOT NULL, version INTEGER NOT NULL, at TEXT NOT NULL, by TEXT NOT NULL, reason TEXT,
     action TEXT NOT NULL, body TEXT, site_body TEXT, follows_site INTEGER NOT NULL DEFAULT 0, reverted_to TEXT,
     PRIMARY KEY (id, version));
   INSERT INTO schedule_versions (id, version, at, by, action, body)
     SELECT id, 1, updated_at, updated_by, 'create', body FROM schedules;
   DROP TABLE schedules;`,
  // A write that found the device already at its value does not start a new minimum on/off time.
  `ALTER TABLE writes ADD COLUMN switched INTEGER NOT NULL DEFAULT 1;`,
];

/**
 * Control's state in `<data-dir>/control.db` (SQLite): the priority slots, the command audit log,
 * the versions of schedules changed through the API, the calendar overrides made through it, recent writes (minimum on/off times, write rates) and
 * learned zone rates. Migrations by `user_version`.
 */
export class ControlDb {
  private readonly db: Database.Database;
  /** The versions of schedules changed through the API. */
  readonly versions: ScheduleVersions;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < migrations.length; v++) {
      this.db.transaction(() => {
        this.db.exec(migrations[v] ?? '');
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
    this.versions = new ScheduleVersions(this.db);
  }

  close(): void {
    this.db.close();
  }

  slots(): { device: string; point: string; level: number; slot: Slot }[] {
    const rows = this.db.prepare('SELECT * FROM slots').all() as {
      device: string;
      point: string;
      level: number;
      value: number;
      source: string;
      reason: string | null;
      set_at: number;
      expires_at: number | null;
    }[];
    return rows.map((r) => ({
      device: r.device,
      point: r.point,
      level: r.level,
      slot: {
        value: r.value,
        source: r.source,
        reason: r.reason ?? undefined,
        setAt: r.set_at,
        expiresAt: r.expires_at ?? undefined,
      },
    }));
  }

  setSlot(device: string, point: string, level: number, slot: Slot | undefined): void {
    if (!slot) {
      this.db
        .prepare('DELETE FROM slots WHERE device = ? AND point = ? AND level = ?')
        .run(device, point, level);
      return;
    }
    this.db
      .prepare(
        `INSERT INTO slots (device, point, level, value, source, reason, set_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (device, point, level) DO UPDATE SET value = excluded.value, source = excluded.source,
           reason = excluded.reason, set_at = excluded.set_at, expires_at = excluded.expires_at`,
      )
      .run(
        device,
        point,
        level,
        slot.value,
        slot.source,
        slot.reason ?? null,
        slot.setAt,
        slot.expiresAt ?? null,
      );
  }

  audit(entry: Omit<AuditEntry, 'id'>): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO audit (at, source, device, point, priority, action, outcome, requested, effective, read_back, reason, correlation_id)
           VALUES (@at, @source, @device, @point, @priority, @action, @outcome, @requested, @effective, @read_back, @reason, @correlation_id)`,
        )
        .run(entry).lastInsertRowid,
    );
  }

  auditLog(filter: {
    device?: string;
    point?: string;
    source?: string;
    limit?: number;
    before?: number;
  }): AuditEntry[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.device) where.push('device = ?') && args.push(filter.device);
    if (filter.point) where.push('point = ?') && args.push(filter.point);
    if (filter.source) where.push('source LIKE ?') && args.push(`${filter.source}%`);
    if (filter.before) where.push('id < ?') && args.push(filter.before);
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.db.prepare(sql).all(...args, filter.limit ?? 100) as AuditEntry[];
  }

  /**
   * A write of `value` at `at`; `switched` is false when the device already read that value before
   * it (a write that holds its state, as control's first write after a start often is).
   */
  recordWrite(device: string, point: string, value: number, at: number, switched = true): void {
    this.db
      .prepare('INSERT INTO writes (device, point, value, at, switched) VALUES (?, ?, ?, ?, ?)')
      .run(device, point, value, at, switched ? 1 : 0);
    // Only the last hour, the last write and the last one that switched the point matter.
    this.db
      .prepare(
        `DELETE FROM writes WHERE device = ? AND point = ? AND at < ?
           AND rowid <> (SELECT max(rowid) FROM writes WHERE device = ? AND point = ?)
           AND rowid <> (SELECT coalesce(max(rowid), -1) FROM writes WHERE device = ? AND point = ? AND switched = 1)`,
      )
      .run(device, point, at - 3_600_000, device, point, device, point);
  }

  writes(device: string, point: string): { value: number; at: number; switched: boolean }[] {
    return (
      this.db
        .prepare('SELECT value, at, switched FROM writes WHERE device = ? AND point = ? ORDER BY at, rowid')
        .all(device, point) as { value: number; at: number; switched: number }[]
    ).map((w) => ({ value: w.value, at: w.at, switched: w.switched === 1 }));
  }

  /** Stores `s` as the next version of a schedule that is not in the site file (a migration, a test). */
  putSchedule(s: Schedule, at: string, by: string): number {
    const exists = this.versions.of(s.id).length > 0;
    return this.versions.add({
      id: s.id,
      at,
      by,
      reason: null,
      action: exists ? 'edit' : 'create',
      schedule: s,
      siteSchedule: null,
      followsSite: false,
      revertedTo: null,
    });
  }

  /** Deletes a schedule that is not in the site file, as a version; false when none is in force. */
  deleteSchedule(id: string, at = new Date().toISOString(), by = 'system'): boolean {
    const last = this.versions.of(id).at(-1);
    if (!last?.schedule) return false;
    this.versions.add({
      id,
      at,
      by,
      reason: null,
      action: 'delete',
      schedule: null,
      siteSchedule: null,
      followsSite: false,
      revertedTo: null,
    });
    return true;
  }

  calendarOverrides(): {
    date: string;
    type: DayType;
    note: string | null;
    updated_at: string;
    updated_by: string;
  }[] {
    return this.db.prepare('SELECT * FROM calendar_overrides ORDER BY date').all() as {
      date: string;
      type: DayType;
      note: string | null;
      updated_at: string;
      updated_by: string;
    }[];
  }

  putCalendarOverride(
    o: { date: string; type: DayType; note?: string | undefined },
    at: string,
    by: string,
  ): void {
    this.db
      .prepare(
        `INSERT INTO calendar_overrides (date, type, note, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (date) DO UPDATE SET type = excluded.type, note = excluded.note, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run(o.date, o.type, o.note ?? null, at, by);
  }

  deleteCalendarOverride(date: string): boolean {
    return this.db.prepare('DELETE FROM calendar_overrides WHERE date = ?').run(date).changes > 0;
  }

  learned(key: string): { value: number; samples: number } | undefined {
    return this.db.prepare('SELECT value, samples FROM learned WHERE key = ?').get(key) as
      | { value: number; samples: number }
      | undefined;
  }

  putLearned(key: string, value: number, samples: number, at: number): void {
    this.db
      .prepare(
        `INSERT INTO learned (key, value, samples, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, samples = excluded.samples, updated_at = excluded.updated_at`,
      )
      .run(key, value, samples, at);
  }
}
