import type { Actor } from '../core/auth/actor.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import type { ScheduleInForce, ScheduleVersionInfo, ScheduleVersionRef } from '../core/control/port.ts';
import { diffSchedules, sameSchedule } from '../core/control/scheduleDiff.ts';
import type { Schedule } from '../core/control/schema.ts';
import { JnError } from '../core/errors.ts';
import { localTimestamp } from '../core/localTime.ts';
import type { Logger } from '../core/log.ts';
import type { ControlDb } from './db.ts';
import type { ScheduleVersion } from './scheduleStore.ts';

/** What a version or a revert puts in force: a schedule (null: deleted), following the site file or not. */
export interface ScheduleTarget {
  schedule: Schedule | null;
  followsSite: boolean;
  revertedTo?: ScheduleVersionRef;
}

/**
 * The schedules in force: the site file seeds them, control.db's versions (made through the API)
 * win over it. A version records the site file's schedule of its id as it was then, so a later
 * change of the site file is seen (`site_changed_since_edit`) and not silently lost or applied.
 * A revert to `site` follows the site file again, whatever it says from then on.
 */
export class ScheduleBook {
  private cache: ScheduleInForce[] | undefined;

  constructor(private readonly ctx: { site: LoadedSite; db: ControlDb; now: () => number }) {}

  /** Forgets what was read (after another process changed control.db). */
  reload(): void {
    this.cache = undefined;
  }

  private siteOf(id: string): Schedule | undefined {
    return this.ctx.site.config.control.schedules.find((s) => s.id === id);
  }

  /** The schedules in force: the site file's in its order, then the API's by id. */
  inForce(): ScheduleInForce[] {
    if (this.cache) return this.cache;
    const latest = new Map(this.ctx.db.versions.latest().map((v) => [v.id, v]));
    const out: ScheduleInForce[] = [];
    for (const s of this.ctx.site.config.control.schedules) {
      const v = latest.get(s.id);
      if (!v || v.followsSite) out.push({ schedule: s, origin: 'site', ...(v ? stamp(v) : {}) });
      else if (v.schedule) out.push(this.fromVersion(v, v.schedule));
    }
    for (const v of latest.values())
      if (!this.siteOf(v.id) && v.schedule && !v.followsSite) out.push(this.fromVersion(v, v.schedule));
    this.cache = out;
    return out;
  }

  private fromVersion(v: ScheduleVersion, schedule: Schedule): ScheduleInForce {
    const site = this.siteOf(v.id) ?? null;
    const wasSite = v.siteSchedule !== null;
    const changed = !sameSchedule(v.siteSchedule, site);
    return {
      schedule,
      origin: site || wasSite ? 'edited' : 'api',
      ...stamp(v),
      ...(changed
        ? { site_changed_since_edit: true, site_schedule: site, edit_based_on: v.siteSchedule }
        : site
          ? { site_changed_since_edit: false }
          : {}),
    };
  }

  /** One schedule in force, or a not_found naming what there is (a deletion and how to undo it). */
  get(id: string): ScheduleInForce {
    const found = this.inForce().find((s) => s.schedule.id === id);
    if (found) return found;
    const last = this.ctx.db.versions.of(id).at(-1);
    if (last) {
      const back = `POST /api/v1/schedules/${id}/revert {"version": ${Math.max(1, last.version - 1)}}`;
      // The time as a person reads it: the site's local time with its offset, not UTC.
      const at = localTimestamp(Date.parse(last.at), this.ctx.site.config.site.timezone);
      throw new JnError(
        'not_found',
        `schedule "${id}" was deleted in version ${last.version} by ${last.by} at ${at}; ${back} brings it back`,
        { zh: `时间表 "${id}" 已在第 ${last.version} 版删除（${last.by}，${at}）；${back} 可恢复` },
      );
    }
    throw this.unknown(id);
  }

  private unknown(id: string): JnError {
    const ids = this.inForce().map((s) => s.schedule.id);
    return new JnError('not_found', `no schedule "${id}"; schedules are: ${ids.join(', ') || 'none'}`, {
      zh: `没有时间表 "${id}"；现有的时间表：${ids.join('、') || '无'}`,
    });
  }

  /** Every version of `id`, the site file's schedule of it, and which is in force. */
  history(id: string) {
    const versions = this.ctx.db.versions.of(id);
    const site = this.siteOf(id) ?? null;
    if (versions.length === 0 && !site) throw this.unknown(id);
    const last = versions.at(-1);
    const inForce: ScheduleVersionRef | null = !last
      ? 'site'
      : last.followsSite
        ? site
          ? 'site'
          : null
        : last.schedule
          ? last.version
          : null;
    return { id, site_schedule: site, in_force: inForce, versions: versions.map(info) };
  }

  /** What version `ref` of `id` says (a number in its history, or `site`), with not_found naming the versions. */
  target(id: string, ref: ScheduleVersionRef): ScheduleTarget {
    if (ref === 'site') {
      const site = this.siteOf(id);
      if (!site)
        throw new JnError(
          'not_found',
          `schedule "${id}" is not in the site file; allowed: a version of its history (GET /api/v1/schedules/${id}/history)`,
          {
            zh: `时间表 "${id}" 不在站点文件中；可用：其历史中的版本（GET /api/v1/schedules/${id}/history）`,
          },
        );
      return { schedule: site, followsSite: true, revertedTo: 'site' };
    }
    const versions = this.ctx.db.versions.of(id);
    const v = versions.find((x) => x.version === ref);
    if (!v) {
      const site = this.siteOf(id) !== undefined;
      throw new JnError(
        'not_found',
        versions.length === 0
          ? `schedule "${id}" has no versions in control.db${site ? '; only "site" (the site file’s)' : ''}`
          : `schedule "${id}" has no version ${ref}; allowed: 1 … ${versions.length}${site ? ' or "site"' : ''}`,
        {
          zh:
            versions.length === 0
              ? `时间表 "${id}" 在 control.db 中没有版本${site ? '；只有 "site"（站点文件的）' : ''}`
              : `时间表 "${id}" 没有第 ${ref} 版；可用：1 … ${versions.length}${site ? ' 或 "site"' : ''}`,
        },
      );
    }
    // A version that followed the site file is followed again: the site file says what is in force.
    if (v.followsSite) return { schedule: this.siteOf(id) ?? null, followsSite: true, revertedTo: ref };
    return { schedule: v.schedule, followsSite: false, revertedTo: ref };
  }

  /** The changed paths between two versions of `id`. */
  diff(id: string, from: ScheduleVersionRef, to: ScheduleVersionRef) {
    const a = this.versionBody(id, from);
    const b = this.versionBody(id, to);
    return { id, from, to, changes: diffSchedules(a, b) };
  }

  /** The document of a version as it was stored (a deletion: null). */
  private versionBody(id: string, ref: ScheduleVersionRef): Schedule | null {
    if (ref === 'site') return this.target(id, ref).schedule;
    this.target(id, ref); // the not_found with the allowed versions
    return this.ctx.db.versions.of(id).find((v) => v.version === ref)?.schedule ?? null;
  }

  /** Records `target` as the next version of `id`; answers its number. */
  record(
    id: string,
    target: ScheduleTarget,
    by: { actor: Actor; reason?: string | undefined; action: ScheduleVersion['action'] },
  ): number {
    const version = this.ctx.db.versions.add({
      id,
      at: new Date(this.ctx.now()).toISOString(),
      by: by.actor.user,
      reason: by.reason?.trim() || null,
      action: by.action,
      schedule: target.schedule,
      siteSchedule: this.siteOf(id) ?? null,
      followsSite: target.followsSite,
      revertedTo: target.revertedTo ?? null,
    });
    this.cache = undefined;
    return version;
  }

  /** Warns of each `siteChanges()` (at start): the API's version stays in force (control/README.md). */
  warnSiteChanges(log: Logger): void {
    for (const c of this.siteChanges())
      log.warn(
        `schedule "${c.id}": the site file's version changed since control.db's version ${c.version} (${c.deleted ? 'a deletion' : 'an edit'}) was made; that version stays in force — GET /api/v1/schedules/${c.id} shows both, POST /api/v1/schedules/${c.id}/revert {"version": "site"} takes the site file's`,
      );
  }

  /**
   * Schedules whose site-file version changed since the API version in force was made (a warning
   * at start: the API's version stays in force; revert to `site` takes the site file's).
   */
  siteChanges(): { id: string; version: number; deleted: boolean }[] {
    return this.ctx.db.versions
      .latest()
      .filter((v) => !v.followsSite && !sameSchedule(v.siteSchedule, this.siteOf(v.id) ?? null))
      .map((v) => ({ id: v.id, version: v.version, deleted: v.schedule === null }));
  }
}

const stamp = (v: ScheduleVersion) => ({
  version: v.version,
  updated_at: v.at,
  updated_by: v.by,
  ...(v.reason ? { reason: v.reason } : {}),
});

function info(v: ScheduleVersion): ScheduleVersionInfo {
  return {
    version: v.version,
    at: v.at,
    by: v.by,
    reason: v.reason,
    action: v.action,
    ...(v.revertedTo === null ? {} : { reverted_to: v.revertedTo }),
    follows_site: v.followsSite,
    schedule: v.schedule,
  };
}
