import Database from 'better-sqlite3';
import type { DayType } from '../core/calendar.ts';
import type { Slot } from '../core/control/priority.ts';
import type { Schedule } from '../core/control/schema.ts';

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
];

/**
 * Control's state in `<data-dir>/control.db` (SQLite): the priority slots, the command audit log,
 * the schedules and calendar overrides made through the API, recent writes (minimum on/off times, write rates) and
 * learned zone rates. Migrations by `user_version`.
 */
export class ControlDb {
  private readonly db: Database.Database;

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

  recordWrite(device: string, point: string, value: number, at: number): void {
    this.db
      .prepare('INSERT INTO writes (device, point, value, at) VALUES (?, ?, ?, ?)')
      .run(device, point, value, at);
    // Only the last hour and the last write per point matter.
    this.db
      .prepare(
        `DELETE FROM writes WHERE device = ? AND point = ? AND at < ? AND rowid <> (SELECT max(rowid) FROM writes WHERE device = ? AND point = ?)`,
      )
      .run(device, point, at - 3_600_000, device, point);
  }

  writes(device: string, point: string): { value: number; at: number }[] {
    return this.db
      .prepare('SELECT value, at FROM writes WHERE device = ? AND point = ? ORDER BY at')
      .all(device, point) as { value: number; at: number }[];
  }

  schedules(): { schedule: Schedule; updatedAt: string; updatedBy: string }[] {
    const rows = this.db.prepare('SELECT * FROM schedules ORDER BY id').all() as {
      body: string;
      updated_at: string;
      updated_by: string;
    }[];
    return rows.map((r) => ({
      schedule: JSON.parse(r.body) as Schedule,
      updatedAt: r.updated_at,
      updatedBy: r.updated_by,
    }));
  }

  putSchedule(s: Schedule, at: string, by: string): void {
    this.db
      .prepare(
        `INSERT INTO schedules (id, body, updated_at, updated_by) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run(s.id, JSON.stringify(s), at, by);
  }

  deleteSchedule(id: string): boolean {
    return this.db.prepare('DELETE FROM schedules WHERE id = ?').run(id).changes > 0;
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
