import type { AlarmDb } from '../../core/alarms/db.ts';
import type { Alarm, AlarmEvent } from '../../core/alarms/model.ts';
import { type DeliveryKind, type DueDelivery, NotificationLog } from '../../core/alarms/notificationLog.ts';
import type { AlarmsConfig } from '../../core/alarms/schema.ts';
import type { Clock } from '../../core/clock.ts';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import { errorText } from '../../core/errors.ts';
import { localTimestamp } from '../../core/localTime.ts';
import type { Logger } from '../../core/log.ts';
import { SiteNames } from '../naming.ts';
import { type Channel, createChannel, redactUrls, SEND_TIMEOUT_MS } from './channels.ts';
import { alarmMessage, digestMessage, type Message } from './content.ts';
import { DIGEST_CATCH_UP_MS, inQuietHours, lastDigestSlot, retryAt } from './schedule.ts';

type Route = AlarmsConfig['routes'][number];

export interface NotifierContext {
  site: LoadedSite;
  db: AlarmDb;
  clock: Clock;
  log: Logger;
  publish: (topic: string, payload: string, retain: boolean) => Promise<void>;
  env?: NodeJS.ProcessEnv;
}

/** Longest an attempt may take (a publish to a broker that is away may never settle); the channels' own bounds are shorter. */
export const ATTEMPT_BOUND_MS = SEND_TIMEOUT_MS + 5_000;

function bounded(p: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer in ${ATTEMPT_BOUND_MS / 1000} s`)),
      ATTEMPT_BOUND_MS,
    );
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Transitions a person is told of; the others (update, shelve, affect, close) are on the console only. */
const told = new Set<string>(['raise', 're_raise', 'clear', 'acknowledge']);
/** Said with the raise sent again when a shelving of a still active alarm ends (by a person or its expiry). */
export const UNSHELVED_NOTE = '搁置结束，仍在持续（shelving ended, still active）';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Routes alarm transitions to the channels of `alarms.routes` through a queue in alarms.db (the
 * `notifications` table): `onEvents` only writes the queue (SQLite, synchronous, no network) and
 * starts sending in the background, so the alarm engine never waits for a robot or a mail server.
 * Sending retries on RETRY_DELAYS_MS; every attempt is logged and its error kept on the delivery.
 */
export class AlarmNotifier {
  readonly log: NotificationLog;
  private readonly channels = new Map<string, Channel>();
  private readonly routes = new Map<string, Route>();
  /** Configuration problems (a secret missing, an unknown channel or route): in health and the log. */
  readonly problems: string[] = [];
  /** Each channel's send loop while it runs; channels to look at again when theirs ends. */
  private readonly busy = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** Each channel's deliveries of the last hour, for its rate limit (a query per delivery grew with the log). */
  private readonly recent = new Map<string, number[]>();
  private stopped = false;
  private lastError: string | undefined;
  /** How messages name devices, meters and gateways (the site file does not change while it runs). */
  private readonly names: SiteNames;

  constructor(private readonly ctx: NotifierContext) {
    this.log = new NotificationLog(ctx.db, this.tz);
    this.names = new SiteNames(ctx.site.config);
    const env = ctx.env ?? process.env;
    for (const c of this.config.channels) {
      const ch = createChannel(c, { env, clock: ctx.clock, publish: ctx.publish });
      this.channels.set(c.id, ch);
      if (ch.problem) this.problems.push(ch.problem);
    }
    for (const r of this.config.routes) this.routes.set(r.id, r);
    for (const r of this.config.routes) {
      for (const c of r.channels)
        if (!this.channels.has(c))
          this.problems.push(`route "${r.id}": no channel "${c}" in alarms.channels`);
      if (r.escalate_to && !this.routes.has(r.escalate_to))
        this.problems.push(`route "${r.id}": escalate_to "${r.escalate_to}" is not a route`);
      if (r.escalate_to && r.escalate_after === undefined)
        this.problems.push(`route "${r.id}": escalate_to without escalate_after escalates nothing`);
    }
    for (const c of this.config.digest.channels)
      if (!this.channels.has(c)) this.problems.push(`digest: no channel "${c}" in alarms.channels`);
    const holds = this.config.routes.some((r) => r.quiet_hours);
    // Quiet hours without a digest lose messages for sure: a problem. Without quiet hours only a burst
    // over the rate limit is held: a warning, not an error on the simplest working setup.
    if (this.config.digest.channels.length === 0 && holds)
      this.problems.push(
        'digest: no channels, so messages held by quiet hours or the rate limit are never sent (alarms.digest.channels)',
      );
    for (const p of this.problems) ctx.log.error(`notification config: ${redactUrls(p)}`);
    if (this.config.digest.channels.length === 0 && !holds && this.config.routes.length > 0)
      ctx.log.warn(
        `notification config: no digest channels (alarms.digest.channels): messages over ${this.config.rate_limit.per_hour} an hour per channel are held and not sent`,
      );
    for (const q of this.log.queuedSince(ctx.clock.now() - HOUR)) this.window(q.channel).push(q.created_at);
  }

  private get config(): AlarmsConfig {
    return this.ctx.site.config.alarms;
  }

  private get tz(): string {
    return this.ctx.site.config.site.timezone;
  }

  /** Queues what the routes say for each transition; never throws, never waits for a channel. */
  onEvents(events: AlarmEvent[]): void {
    if (this.stopped) return;
    const now = this.ctx.clock.now();
    const queueAll = () => {
      for (const e of events) {
        // Back from the shelf and still active: what the shelving kept quiet (a raise, a re-raise, or
        // that it never cleared) is sent as a raise again; a cleared one is on the console only.
        const back = e.transition.action === 'unshelve' && this.stillActive(e.alarm);
        if (!back && !told.has(e.transition.action)) continue;
        if (e.alarm.shelved_until !== null) continue; // shelved: nothing is sent until it is unshelved
        try {
          const kind = back ? 'raise' : (e.transition.action as DeliveryKind);
          const note = back ? UNSHELVED_NOTE : undefined;
          for (const route of this.routes.values())
            if (this.matches(route, e.alarm)) this.queue(route, kind, e, now, note);
        } catch (err) {
          this.failed(`queueing notifications failed (alarm ${e.alarm?.id}, ${e.transition?.action})`, err);
        }
      }
    };
    try {
      // One transaction for the batch: a burst of transitions costs one commit, not one per delivery.
      this.ctx.db.handle.transaction(queueAll)();
    } catch (err) {
      this.failed('queueing notifications failed', err);
    }
    this.kick();
  }

  private stillActive(a: Alarm): boolean {
    return a.state === 'active' && a.closed_at === null;
  }

  private matches(r: Route, a: Alarm): boolean {
    if (r.severities && !r.severities.includes(a.severity)) return false;
    if (r.buildings && (a.building === null || !r.buildings.includes(a.building))) return false;
    if (r.rules && !r.rules.includes(a.rule)) return false;
    return true;
  }

  /** One delivery per channel of `route`: pending, held for the digest (quiet hours, rate limit) or failed (config). */
  private queue(
    route: Route,
    kind: DeliveryKind,
    e: AlarmEvent,
    now: number,
    note: string | undefined,
  ): void {
    const message = alarmMessage(this.ctx.site.config, kind, e, { note, names: this.names });
    const body = JSON.stringify(message);
    const quiet =
      route.quiet_hours !== undefined &&
      e.alarm.severity !== 'critical' &&
      inQuietHours(route.quiet_hours, now, this.tz);
    for (const channelId of route.channels) {
      const ch = this.channels.get(channelId);
      const base = { alarmId: e.alarm.id, channel: channelId, route: route.id, kind, body, now };
      if (!ch) {
        this.log.enqueue({
          ...base,
          status: 'failed',
          error: `no channel "${channelId}" in alarms.channels`,
        });
      } else if (ch.problem) {
        this.log.enqueue({ ...base, status: 'failed', error: ch.problem });
      } else if (quiet) {
        this.log.enqueue({
          ...base,
          status: 'held',
          error: `quiet hours ${route.quiet_hours}: in the digest (免打扰时段，计入日报)`,
        });
      } else if (!this.underRateLimit(channelId, now)) {
        const n = this.config.rate_limit.per_hour;
        this.log.enqueue({
          ...base,
          status: 'held',
          error: `rate limit ${n}/h: in the digest (超过每小时 ${n} 条，计入日报)`,
        });
        this.ctx.log.warn('notification held: rate limit', {
          channel: channelId,
          alarm: e.alarm.id,
          per_hour: n,
        });
      } else {
        this.log.enqueue(base);
        this.window(channelId).push(now);
      }
    }
  }

  /** A channel's deliveries of the last hour (ms, oldest first): from alarms.db at start, then kept here. */
  private window(channel: string): number[] {
    const w = this.recent.get(channel) ?? [];
    this.recent.set(channel, w);
    return w;
  }

  private underRateLimit(channel: string, now: number): boolean {
    const w = this.window(channel);
    while (w.length > 0 && (w[0] as number) < now - HOUR) w.shift();
    return w.length < this.config.rate_limit.per_hour;
  }

  private kick(): void {
    if (this.stopped) return;
    try {
      this.drain().catch((err) => this.failed('sending notifications failed', err));
    } catch (err) {
      this.failed('sending notifications failed', err);
    }
  }

  private failed(what: string, err: unknown): void {
    const why = redactUrls(errorText(err));
    this.lastError = `${what}: ${why}`;
    this.ctx.log.error(what, { error: why });
  }

  /**
   * Sends what is due: each channel in its own loop, its deliveries in order, so a channel that is
   * slow or down (an attempt waits up to ATTEMPT_BOUND_MS) holds back no other. Resolves when the
   * loops running now have emptied their channels' due queues.
   */
  private drain(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    for (const channel of this.log.dueChannels(this.ctx.clock.now())) {
      if (this.busy.has(channel)) {
        // Its loop may have read the queue already: one more round when it ends.
        this.again.add(channel);
        continue;
      }
      const loop = this.sendChannel(channel).finally(() => {
        this.busy.delete(channel);
        if (this.again.delete(channel)) this.kick();
      });
      this.busy.set(channel, loop);
    }
    return Promise.all([...this.busy.values()]).then(() => undefined);
  }

  private async sendChannel(channel: string): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const due = this.log.due(this.ctx.clock.now(), 20, channel);
      if (due.length === 0) return;
      for (const d of due) await this.attempt(d);
    }
  }

  private async attempt(d: DueDelivery): Promise<void> {
    const ch = this.channels.get(d.channel);
    const attempt = d.attempts + 1;
    try {
      if (!ch) throw new Error(`no channel "${d.channel}" in alarms.channels`);
      await bounded(
        ch.send(JSON.parse(d.body) as Message, { route: d.route, siteId: this.ctx.site.config.site.id }),
      );
      const now = this.ctx.clock.now();
      this.log.sent(d.id, now);
      this.ctx.log.info('notification sent', {
        channel: d.channel,
        route: d.route,
        alarm: d.alarm_id,
        kind: d.kind,
        attempt,
      });
    } catch (err) {
      const now = this.ctx.clock.now();
      const next = retryAt(now, attempt);
      // The channels redact their errors already; once more here, as this text is stored, served and logged.
      const why = redactUrls(errorText(err));
      const error = `attempt ${attempt} at ${localTimestamp(now, this.tz)}: ${why}`;
      this.log.attemptFailed(d.id, error, next);
      this.lastError = `channel "${d.channel}": ${why}`;
      this.ctx.log.warn(
        next === undefined ? 'notification failed, no more retries' : 'notification attempt failed',
        {
          channel: d.channel,
          route: d.route,
          alarm: d.alarm_id,
          kind: d.kind,
          attempt,
          error: why,
          ...(next !== undefined ? { retry_at: localTimestamp(next, this.tz) } : {}),
        },
      );
    }
  }

  /** Escalations and the digest; then what is due (retries, what a restart left pending). */
  async tick(now: number): Promise<void> {
    if (this.stopped) return;
    try {
      // One commit for what a pass queues (a thousand escalations at once are one write, not a thousand).
      this.ctx.db.handle.transaction(() => {
        this.escalate(now);
        this.digest(now);
      })();
    } catch (err) {
      this.failed('escalation or digest failed', err);
    }
    try {
      await this.drain();
    } catch (err) {
      this.failed('sending notifications failed', err);
    }
  }

  /**
   * An active alarm not acknowledged `escalate_after` after it was (last) raised or unshelved goes to the route's
   * `escalate_to`, once per level; that route's own escalate_after then counts on from there.
   */
  private escalate(now: number): void {
    const starts = [...this.routes.values()].filter((r) => r.escalate_to && r.escalate_after !== undefined);
    if (starts.length === 0) return;
    const open = this.ctx.db
      .list({ status: 'open', list: 'pending', shelved: false, limit: 1000 })
      .filter((a) => a.state === 'active');
    const unshelvedAt = this.ctx.db.handle.prepare(
      `SELECT max(at) AS at FROM transitions WHERE alarm_id = ? AND action = 'unshelve'`,
    );
    for (const a of open) {
      // Counted from the later of its last raise and its last unshelving: the time on the shelf is
      // no one's delay, and the raise sent at the unshelving starts the count again.
      const unshelved = (unshelvedAt.get(a.id) as { at: number | null }).at ?? 0;
      const since = Math.max(Date.parse(a.last_raised_at), unshelved);
      for (const start of starts) {
        if (!this.matches(start, a)) continue;
        let from: Route | undefined = start;
        let after = 0;
        const seen = new Set<string>([start.id]);
        while (from?.escalate_to && from.escalate_after !== undefined) {
          after += from.escalate_after;
          if (now - since < after) break;
          const target = this.routes.get(from.escalate_to);
          if (!target) break;
          if (!this.log.escalated(a.id, target.id, since)) {
            const e = this.eventOf(a, now);
            const minutes = Math.round(after / 60_000);
            this.queue(target, 'escalate', e, now, `超过 ${minutes} 分钟未确认（自“${start.id}”升级）`);
            this.ctx.log.warn('alarm escalated', { alarm: a.id, from: from.id, to: target.id, minutes });
          }
          if (seen.has(target.id)) break;
          seen.add(target.id);
          from = target;
        }
      }
    }
  }

  private eventOf(a: Alarm, now: number): AlarmEvent {
    const at = localTimestamp(now, this.tz);
    return {
      alarm: a,
      transition: { seq: 0, alarm_id: a.id, at, action: 'update', by: 'alarm-service', note: null },
    };
  }

  /** At `digest.at` (local): one digest of the last 24 h to each digest channel; the held ones go with it. */
  private digest(now: number): void {
    const channels = this.config.digest.channels.filter((c) => this.channels.has(c));
    if (channels.length === 0) return;
    const slot = lastDigestSlot(this.config.digest.at, now, this.tz);
    const last = this.log.lastDigest();
    if (last !== undefined && last >= slot) return;
    if (now - slot > DIGEST_CATCH_UP_MS) return;
    const from = now - DAY;
    const handle = this.ctx.db.handle;
    const count = (actions: string) =>
      (
        handle
          .prepare(
            `SELECT count(DISTINCT alarm_id) AS n FROM transitions WHERE at >= ? AND at <= ? AND action IN (${actions})`,
          )
          .get(from, now) as { n: number }
      ).n;
    const openAlarms = this.ctx.db.list({ status: 'open', limit: 1000 });
    const held = this.log.held();
    const heldTitles = held.map((h) => {
      try {
        return `${(JSON.parse(h.body) as Message).title}（${h.channel}）`;
      } catch {
        return `#${h.alarm_id} (${h.channel})`;
      }
    });
    const message = digestMessage(this.ctx.site.config, {
      from: localTimestamp(from, this.tz),
      to: localTimestamp(now, this.tz),
      raised: count(`'raise', 're_raise'`),
      cleared: count(`'clear'`),
      open: openAlarms.length,
      held: held.length,
      openAlarms,
      heldTitles,
    });
    const body = JSON.stringify(message);
    for (const channel of channels) {
      const ch = this.channels.get(channel);
      const base = { alarmId: null, channel, route: null, kind: 'digest' as const, body, now };
      if (ch?.problem) this.log.enqueue({ ...base, status: 'failed', error: ch.problem });
      else this.log.enqueue(base);
    }
    this.log.digested(
      held.map((h) => h.id),
      now,
    );
    this.ctx.log.info('alarm digest queued', { channels: channels.join(','), held: held.length });
  }

  status(): { pending: number; failed: number; held: number; last_error?: string; problems: string[] } {
    let c: { pending: number; failed: number; held: number };
    let lastFailure: ReturnType<NotificationLog['lastFailure']>;
    try {
      c = this.log.counts();
      lastFailure = this.log.lastFailure();
    } catch (err) {
      // Health must answer even when alarms.db does not.
      const last_error = `reading the notification queue failed: ${redactUrls(errorText(err))}`;
      return { pending: 0, failed: 0, held: 0, last_error, problems: [...this.problems] };
    }
    // Redacted on the way out too: a failure stored before errors were redacted may name a URL's key.
    const last =
      this.lastError ?? (lastFailure ? `channel "${lastFailure.channel}": ${lastFailure.error}` : undefined);
    const last_error = last === undefined ? undefined : redactUrls(last);
    return {
      pending: c.pending,
      failed: c.failed,
      held: c.held,
      ...(last_error ? { last_error } : {}),
      problems: [...this.problems],
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.busy.values()]).catch(() => undefined);
    for (const ch of this.channels.values()) ch.close();
  }
}
