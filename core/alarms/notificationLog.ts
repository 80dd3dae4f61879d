import type Database from 'better-sqlite3';
import { localTimestamp } from '../localTime.ts';
import type { AlarmDb } from './db.ts';

/**
 * The notification deliveries of a site: the `notifications` table of alarms.db (created by
 * core/alarms/db.ts's migration). The alarm service's notifier (alarms/notify) queues, sends and
 * retries them here, so a restart loses nothing and the API shows every failure with its error.
 *
 * Statuses: `pending` (queued or waiting for a retry at `next_at`), `sent`, `failed` (gave up, or a
 * channel whose configuration is broken: `error` says why), `held` (quiet hours or the rate limit:
 * kept for the daily digest, `error` says which), `digested` (a held one the digest has carried).
 */
export const deliveryStatuses = ['pending', 'sent', 'failed', 'held', 'digested'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** What a delivery is about: an alarm's transition, an escalation, or the daily digest (no alarm). */
export type DeliveryKind = 'raise' | 're_raise' | 'clear' | 'acknowledge' | 'escalate' | 'digest';

/** One delivery as the API shows it (snake_case, local ISO times). */
export interface Delivery {
  id: number;
  channel: string;
  route: string | null;
  alarm_id: number | null;
  kind: DeliveryKind;
  status: DeliveryStatus;
  attempts: number;
  error: string | null;
  created_at: string;
  sent_at: string | null;
  /** When the next attempt is due (pending only). */
  next_at: string | null;
}

interface Row {
  id: number;
  alarm_id: number | null;
  channel: string;
  route: string | null;
  kind: string;
  status: string;
  attempts: number;
  created_at: number;
  sent_at: number | null;
  next_at: number | null;
  error: string | null;
  body: string | null;
}

/** A queued delivery to attempt: its stored body is the rendered message (alarms/notify/content.ts). */
export interface DueDelivery {
  id: number;
  channel: string;
  route: string | null;
  alarm_id: number | null;
  kind: DeliveryKind;
  attempts: number;
  error: string | null;
  body: string;
}

/** An error kept on a delivery: the attempts' errors, newest last, bounded. */
const ERROR_KEPT = 2000;

export class NotificationLog {
  private readonly db: Database.Database;

  constructor(
    alarms: AlarmDb,
    private readonly timeZone: string,
  ) {
    this.db = alarms.handle;
  }

  private iso(ms: number | null): string | null {
    return ms === null ? null : localTimestamp(ms, this.timeZone);
  }

  private toDelivery(r: Row): Delivery {
    return {
      id: r.id,
      channel: r.channel,
      route: r.route,
      alarm_id: r.alarm_id,
      kind: r.kind as DeliveryKind,
      status: r.status as DeliveryStatus,
      attempts: r.attempts,
      error: r.error,
      created_at: this.iso(r.created_at) as string,
      sent_at: this.iso(r.sent_at),
      next_at: r.status === 'pending' ? this.iso(r.next_at) : null,
    };
  }

  /** Queues a delivery (due at once), or records one held for the digest or failed at once (`status`, `error`). */
  enqueue(d: {
    alarmId: number | null;
    channel: string;
    route: string | null;
    kind: DeliveryKind;
    body: string;
    now: number;
    status?: 'pending' | 'held' | 'failed';
    error?: string;
  }): number {
    const r = this.db
      .prepare(
        `INSERT INTO notifications (alarm_id, channel, route, kind, status, created_at, next_at, error, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        d.alarmId,
        d.channel,
        d.route,
        d.kind,
        d.status ?? 'pending',
        d.now,
        d.status === undefined || d.status === 'pending' ? d.now : null,
        d.error ?? null,
        d.body,
      );
    return Number(r.lastInsertRowid);
  }

  /** Channels with pending deliveries due by `now`. */
  dueChannels(now: number): string[] {
    return (
      this.db
        .prepare(`SELECT DISTINCT channel FROM notifications WHERE status = 'pending' AND next_at <= ?`)
        .all(now) as { channel: string }[]
    ).map((r) => r.channel);
  }

  /** Pending deliveries of `channel` due by `now`, oldest first. */
  due(now: number, limit: number, channel: string): DueDelivery[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM notifications WHERE status = 'pending' AND next_at <= ? AND channel = ?
           ORDER BY next_at, id LIMIT ?`,
        )
        .all(now, channel, limit) as Row[]
    ).map((r) => ({
      id: r.id,
      channel: r.channel,
      route: r.route,
      alarm_id: r.alarm_id,
      kind: r.kind as DeliveryKind,
      attempts: r.attempts,
      error: r.error,
      body: r.body ?? '{}',
    }));
  }

  /** The attempt succeeded. */
  sent(id: number, now: number): void {
    this.db
      .prepare(
        `UPDATE notifications SET status = 'sent', attempts = attempts + 1, sent_at = ?, next_at = NULL WHERE id = ?`,
      )
      .run(now, id);
  }

  /** The attempt failed: tried again at `retryAt`, or failed for good without one. The error is appended. */
  attemptFailed(id: number, error: string, retryAt: number | undefined): void {
    const prev = (
      this.db.prepare('SELECT error, attempts FROM notifications WHERE id = ?').get(id) as
        | { error: string | null; attempts: number }
        | undefined
    )?.error;
    const all = prev ? `${prev}; ${error}` : error;
    const kept = all.length > ERROR_KEPT ? `…${all.slice(all.length - ERROR_KEPT)}` : all;
    this.db
      .prepare(
        `UPDATE notifications SET attempts = attempts + 1, error = ?, status = ?, next_at = ? WHERE id = ?`,
      )
      .run(kept, retryAt === undefined ? 'failed' : 'pending', retryAt ?? null, id);
  }

  /** When each delivery queued since `from` (ms) that counts against its channel's rate limit was queued (not held, not digests), oldest first. */
  queuedSince(from: number): { channel: string; created_at: number }[] {
    return this.db
      .prepare(
        `SELECT channel, created_at FROM notifications WHERE created_at >= ?
         AND status IN ('pending', 'sent', 'failed') AND kind != 'digest' ORDER BY created_at`,
      )
      .all(from) as { channel: string; created_at: number }[];
  }

  /** Whether `alarmId` was escalated to `route` since `from` (ms), on any channel and in any status. */
  escalated(alarmId: number, route: string, from: number): boolean {
    return (
      this.db
        .prepare(
          `SELECT 1 FROM notifications WHERE alarm_id = ? AND route = ? AND kind = 'escalate' AND created_at >= ? LIMIT 1`,
        )
        .get(alarmId, route, from) !== undefined
    );
  }

  /** Held deliveries (for the digest), oldest first, with their stored bodies. */
  held(limit = 5000): DueDelivery[] {
    return (
      this.db
        .prepare(`SELECT * FROM notifications WHERE status = 'held' ORDER BY id LIMIT ?`)
        .all(limit) as Row[]
    ).map((r) => ({
      id: r.id,
      channel: r.channel,
      route: r.route,
      alarm_id: r.alarm_id,
      kind: r.kind as DeliveryKind,
      attempts: r.attempts,
      error: r.error,
      body: r.body ?? '{}',
    }));
  }

  /** Held deliveries carried by the digest made at `now`. */
  digested(ids: number[], now: number): void {
    const stmt = this.db.prepare(
      `UPDATE notifications SET status = 'digested', sent_at = ? WHERE id = ? AND status = 'held'`,
    );
    this.db.transaction(() => {
      for (const id of ids) stmt.run(now, id);
    })();
  }

  /** When the last digest was queued (ms), if ever. */
  lastDigest(): number | undefined {
    const r = this.db
      .prepare(`SELECT max(created_at) AS at FROM notifications WHERE kind = 'digest'`)
      .get() as { at: number | null };
    return r.at ?? undefined;
  }

  /** Deliveries, newest first: by status, by alarm (GET /alarms/:id), at most `limit` (default 200, ≤ 1000). */
  list(
    filter: { status?: DeliveryStatus; alarmId?: number; limit?: number; before?: number } = {},
  ): Delivery[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.status !== undefined) where.push('status = ?') && args.push(filter.status);
    if (filter.alarmId !== undefined) where.push('alarm_id = ?') && args.push(filter.alarmId);
    if (filter.before !== undefined) where.push('id < ?') && args.push(filter.before);
    const sql = `SELECT * FROM notifications ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY id DESC LIMIT ?`;
    const limit = Math.max(1, Math.min(filter.limit ?? 200, 1000));
    return (this.db.prepare(sql).all(...args, limit) as Row[]).map((r) => this.toDelivery(r));
  }

  /** How many deliveries are in each status (health, /metrics). */
  counts(): Record<DeliveryStatus, number> {
    const out: Record<DeliveryStatus, number> = { pending: 0, sent: 0, failed: 0, held: 0, digested: 0 };
    for (const r of this.db
      .prepare('SELECT status, count(*) AS n FROM notifications GROUP BY status')
      .all() as { status: DeliveryStatus; n: number }[])
      out[r.status] = r.n;
    return out;
  }

  /** Deliveries by channel and status (jieneng_alarm_notifications_total{channel,status}). */
  countsByChannel(): { channel: string; status: DeliveryStatus; n: number }[] {
    return this.db
      .prepare('SELECT channel, status, count(*) AS n FROM notifications GROUP BY channel, status')
      .all() as { channel: string; status: DeliveryStatus; n: number }[];
  }

  /** The newest failed delivery's error, for health. */
  lastFailure(): { channel: string; error: string | null } | undefined {
    return this.db
      .prepare(`SELECT channel, error FROM notifications WHERE status = 'failed' ORDER BY id DESC LIMIT 1`)
      .get() as { channel: string; error: string | null } | undefined;
  }
}
