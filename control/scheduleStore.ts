import type Database from 'better-sqlite3';
import type { Schedule } from '../core/control/schema.ts';

/** What a schedule version did: created or edited it, deleted it, or went back to an earlier one. */
export type ScheduleAction = 'create' | 'edit' | 'delete' | 'revert';

/** One version of a schedule in control.db. */
export interface ScheduleVersion {
  id: string;
  /** 1, 2, … per schedule. */
  version: number;
  /** ISO instant. */
  at: string;
  by: string;
  reason: string | null;
  action: ScheduleAction;
  /** The schedule from this version on; null: deleted. */
  schedule: Schedule | null;
  /** The site file's schedule of this id when the version was made (null: none there). */
  siteSchedule: Schedule | null;
  /** The version follows the site file (a revert to `site`): what the site file says is in force. */
  followsSite: boolean;
  /** For a revert: the version gone back to, or `site`. */
  revertedTo: number | 'site' | null;
}

interface VersionRow {
  id: string;
  version: number;
  at: string;
  by: string;
  reason: string | null;
  action: ScheduleAction;
  body: string | null;
  site_body: string | null;
  follows_site: number;
  reverted_to: string | null;
}

const versionOf = (r: VersionRow): ScheduleVersion => ({
  id: r.id,
  version: r.version,
  at: r.at,
  by: r.by,
  reason: r.reason,
  action: r.action,
  schedule: r.body === null ? null : (JSON.parse(r.body) as Schedule),
  siteSchedule: r.site_body === null ? null : (JSON.parse(r.site_body) as Schedule),
  followsSite: r.follows_site === 1,
  revertedTo: r.reverted_to === null ? null : r.reverted_to === 'site' ? 'site' : Number(r.reverted_to),
});

/** The schedule versions table of control.db (see the migration in db.ts). */
export class ScheduleVersions {
  constructor(private readonly db: Database.Database) {}

  /** The newest version of every schedule that has one (deleted ones included), by id. */
  latest(): ScheduleVersion[] {
    const rows = this.db
      .prepare(
        `SELECT v.* FROM schedule_versions v
         JOIN (SELECT id, max(version) AS version FROM schedule_versions GROUP BY id) m USING (id, version)
         ORDER BY v.id`,
      )
      .all() as VersionRow[];
    return rows.map(versionOf);
  }

  /** Every version of schedule `id`, oldest first. */
  of(id: string): ScheduleVersion[] {
    return (
      this.db.prepare('SELECT * FROM schedule_versions WHERE id = ? ORDER BY version').all(id) as VersionRow[]
    ).map(versionOf);
  }

  /** Appends the next version of `v.id`; answers its number. */
  add(v: Omit<ScheduleVersion, 'version'>): number {
    return this.db.transaction(() => {
      const last = this.db
        .prepare('SELECT max(version) AS v FROM schedule_versions WHERE id = ?')
        .get(v.id) as { v: number | null };
      const version = (last.v ?? 0) + 1;
      this.db
        .prepare(
          `INSERT INTO schedule_versions (id, version, at, by, reason, action, body, site_body, follows_site, reverted_to)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          v.id,
          version,
          v.at,
          v.by,
          v.reason,
          v.action,
          v.schedule === null ? null : JSON.stringify(v.schedule),
          v.siteSchedule === null ? null : JSON.stringify(v.siteSchedule),
          v.followsSite ? 1 : 0,
          v.revertedTo === null ? null : String(v.revertedTo),
        );
      return version;
    })();
  }
}
