import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ControlDb } from './db.ts';

describe('schedule versions in control.db', () => {
  it('a control.db from before versions keeps its API schedules, as version 1 of each', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jn-sched-store-')), 'control.db');
    // The schema of control.db at user_version 2 (before issue 15), with one schedule made through the API.
    const old = new Database(file);
    old.exec(`CREATE TABLE schedules (id TEXT PRIMARY KEY, body TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);
      CREATE TABLE slots (device TEXT, point TEXT, level INTEGER, value REAL, source TEXT, reason TEXT, set_at INTEGER, expires_at INTEGER, PRIMARY KEY (device, point, level));
      CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, source TEXT, device TEXT, point TEXT, priority INTEGER, action TEXT, outcome TEXT, requested REAL, effective REAL, read_back REAL, reason TEXT, correlation_id TEXT);
      CREATE TABLE writes (device TEXT, point TEXT, value REAL, at INTEGER);
      CREATE TABLE learned (key TEXT PRIMARY KEY, value REAL, samples INTEGER, updated_at INTEGER);
      CREATE TABLE calendar_overrides (date TEXT PRIMARY KEY, type TEXT, note TEXT, updated_at TEXT, updated_by TEXT);`);
    old
      .prepare('INSERT INTO schedules VALUES (?, ?, ?, ?)')
      .run('precool', JSON.stringify({ id: 'precool', name: '预冷' }), '2025-09-01T00:00:00.000Z', '王工');
    old.pragma('user_version = 2');
    old.close();

    const db = new ControlDb(file);
    try {
      expect(db.versions.of('precool')).toMatchObject([
        {
          version: 1,
          action: 'create',
          by: '王工',
          schedule: { id: 'precool', name: '预冷' },
          followsSite: false,
        },
      ]);
      expect(db.deleteSchedule('precool', '2025-09-02T00:00:00.000Z', '李工')).toBe(true);
      expect(db.deleteSchedule('precool')).toBe(false);
      expect(db.versions.latest()).toMatchObject([
        { id: 'precool', version: 2, action: 'delete', schedule: null },
      ]);
    } finally {
      db.close();
    }
  });
});
