import type { AlarmDb } from '../core/alarms/db.ts';
import {
  type AlarmEvent,
  type AlarmRule,
  type Condition,
  type ConditionSnapshot,
  conditionSnapshotSchema,
} from '../core/alarms/model.ts';
import type { AlarmRulesConfig } from '../core/alarms/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import { errorText } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { SiteNames } from './naming.ts';

/** Rules a broker outage explains: while it lasts (and its grace after) they are counted in broker_unreachable. */
export const brokerExplains: ReadonlySet<AlarmRule> = new Set<AlarmRule>([
  'device_offline',
  'gateway_offline',
  'stale',
  'comm_errors',
  'collector_silence',
]);

/** What the engine hands every listener: the transitions just made, oldest first. */
export type AlarmListener = (events: AlarmEvent[]) => void;

const id = (rule: string, key: string) => `${rule}:${key}`;

interface Pending {
  condition: Condition;
  /** When it was first reported active (the engine's clock, ms). */
  since: number;
  /** Waits this long instead of its delay when longer (ms): see `uncover`. */
  hold?: number;
}

/**
 * The only writer of raises and clears: takes the detectors' conditions (`report`), applies the
 * rule's settings of the site file (enabled, severity, delay) and flood control, writes them to
 * the alarm database and hands each transition to the listeners (MQTT, the notifier, metrics).
 *
 * - Delay: a condition must hold `delay` (the engine's clock) before it is raised; a clear that
 *   comes before is nothing. An alarm already active is updated at once.
 * - Flood control: a condition whose `cause` (`rule:key`) is an open alarm is counted in that
 *   alarm's `affected`, not raised. While the broker is unreachable, and for `graceMs` after it is
 *   back (the gateways replay their spools, detectors see old data), every condition of a rule the
 *   outage explains (`brokerExplains`) is counted in broker_unreachable. One still active when the
 *   grace ends is judged on its own then (a device that really stayed offline is raised).
 * - Transitions made by others (the API's acknowledgements, shelving) are read from the database
 *   on `tick` and handed on too, as are the shelvings that expired.
 */
export class AlarmEngine {
  private readonly listeners: AlarmListener[] = [];
  /** Waiting out their rule's delay, by rule:key. */
  private readonly pending = new Map<string, Pending>();
  /** Every condition reported active and not cleared since, by rule:key (raised, pending or counted). */
  private readonly active = new Map<string, Condition>();
  /** Counted in broker_unreachable during an outage: judged again when its grace ends. */
  private readonly suppressed = new Set<string>();
  /** Conditions counted in a cause alarm, by the cause's rule:key: judged on their own when it clears. */
  private readonly covered = new Map<string, Set<string>>();
  /** How often the whole of `pending` was scanned (once per tick and per snapshot, never per condition). */
  dueScans = 0;
  /** Transitions this engine made: skipped when the database is polled. */
  private readonly own = new Set<number>();
  private polled: number;
  /** The broker outage: since when (ms), and when the grace after it ends. */
  private brokerDownSince: number | undefined;
  private graceUntil: number | undefined;
  private brokerKey: string | undefined;
  /** Each source's last snapshot, by source; and the sources whose bad payload was logged. */
  private readonly snapshots = new Map<string, Map<string, Omit<Condition, 'active'>>>();
  private readonly badSources = new Map<string, string>();
  /** Sources of other sites (or unknown instances) seen on the broker: ignored, said once each. */
  private readonly foreign = new Set<string>();
  /** Transitions made, by action (for /metrics and health). */
  readonly transitions: Record<string, number> = {};
  lastError: string | undefined;
  /** The buildings of devices and gateways, for conditions that do not say theirs. */
  private readonly names: SiteNames;

  constructor(
    private readonly ctx: {
      site: LoadedSite;
      db: AlarmDb;
      clock: Clock;
      log: Logger;
      /** How long after the broker is back its outage still explains infrastructure conditions (default 2 min). */
      graceMs?: number;
      /** Whether a snapshot's condition is of this site (a broker may carry other sites' services too). */
      accepts?: (c: Omit<Condition, 'active'>) => boolean;
      /**
       * Whether a snapshot source (`<service>/<instance>`) is one of this site's: another site's
       * collector on the same broker reports store_write_failed and collector_silence with no
       * gateway or device to tell them apart by (default every source).
       */
      acceptsSource?: (source: string, site: string | undefined) => boolean;
    },
  ) {
    this.polled = ctx.db.lastSeq();
    this.names = new SiteNames(ctx.site.config);
  }

  private get rules(): AlarmRulesConfig {
    return this.ctx.site.config.alarms.rules;
  }

  private get holdOffMs(): number {
    return this.ctx.site.config.alarms.hold_off;
  }

  onEvents(listener: AlarmListener): void {
    this.listeners.push(listener);
  }

  private emit(events: AlarmEvent[]): void {
    if (events.length === 0) return;
    if (this.held) {
      this.held.push(events);
      return;
    }
    for (const e of events) {
      this.transitions[e.transition.action] = (this.transitions[e.transition.action] ?? 0) + 1;
    }
    for (const l of this.listeners) {
      try {
        l(events);
      } catch (err) {
        this.ctx.log.error('an alarm listener failed', { error: errorText(err) });
      }
    }
  }

  private mine(events: AlarmEvent[]): AlarmEvent[] {
    for (const e of events) this.own.add(e.transition.seq);
    return events;
  }

  /** A detector's report (on change): raises after the rule's delay, clears, or counts it in its cause. */
  report(c: Condition): void {
    try {
      this.apply(this.located(c), this.ctx.clock.now());
    } catch (err) {
      // The database refused (disk full, locked): said, and the condition kept for the next report.
      this.lastError = `${c.rule} ${c.key}: ${errorText(err)}`;
      this.ctx.log.error('alarm not written', { rule: c.rule, key: c.key, error: errorText(err) });
    }
  }

  /**
   * The condition with its building when it names none and its device's meters or control group
   * (or, for a gateway, the one building its devices serve) give one: routes by building
   * (`alarms.routes[].buildings`) and the console's filter see device alarms of every source —
   * device_offline, control's not_following / write_failing — not only the meters'.
   */
  private located(c: Condition): Condition {
    if (c.building !== undefined) return c;
    const building = this.names.buildingOf(c);
    return building === undefined ? c : { ...c, building };
  }

  private apply(c: Condition, now: number): void {
    const settings = this.rules[c.rule];
    const k = id(c.rule, c.key);
    if (!c.active) {
      this.active.delete(k);
      this.suppressed.delete(k);
      // Cleared before its delay: nothing happened.
      if (this.pending.delete(k)) return;
      this.emit(this.mine(this.ctx.db.observe(c, this.observeOptions(c, now))));
      this.uncover(k, now);
      return;
    }
    this.active.set(k, c);
    if (!settings.enabled) return;
    if (this.explainedByBroker(c, k, now)) return;
    const open = this.ctx.db.openAlarm(c.rule, c.key);
    if (open?.state === 'active') {
      // Already raised: a new figure or message is written at once.
      this.pending.delete(k);
      this.emit(this.mine(this.ctx.db.observe(c, this.observeOptions(c, now))));
      return;
    }
    const waiting = this.pending.get(k);
    const p: Pending = { condition: c, since: waiting?.since ?? now, hold: waiting?.hold ?? 0 };
    this.pending.set(k, p);
    // Only this one: scanning every pending condition per report made a big snapshot O(n²).
    this.judge(k, p, now);
  }

  /**
   * The cause `causeK` cleared: what it was covering and is still active is judged on its own now
   * (its delay counted from here, as after the broker's grace), so a device that stays offline
   * after its gateway is back is raised. Those cleared meanwhile (the gateway's devices, reported
   * right after it) leave the pending list before their delay and raise nothing. comm_errors is a
   * share over its window: the cause's bad readings stay in it after the cause is over, so it waits
   * until they have left (window + delay): still active then, they are the device's own.
   */
  private uncover(causeK: string, now: number): void {
    const covered = this.covered.get(causeK);
    if (!covered) return;
    this.covered.delete(causeK);
    for (const k of covered) {
      const c = this.active.get(k);
      if (!c || c.cause !== causeK || this.pending.has(k) || !this.rules[c.rule].enabled) continue;
      const hold =
        c.rule === 'comm_errors' ? this.rules.comm_errors.window + this.rules.comm_errors.delay : 0;
      this.pending.set(k, { condition: c, since: now, hold });
    }
  }

  private observeOptions(c: Condition, now: number) {
    return { now, severity: this.rules[c.rule].severity, holdOffMs: this.holdOffMs };
  }

  /** True when the broker's outage explains `c`: counted in broker_unreachable (or dropped before it is raised). */
  private explainedByBroker(c: Condition, k: string, now: number): boolean {
    if (!brokerExplains.has(c.rule) || !this.brokerDisturbed(now)) return false;
    this.pending.delete(k);
    this.suppressed.add(k);
    if (this.brokerKey) {
      const e = this.ctx.db.affect({ rule: 'broker_unreachable', key: this.brokerKey }, k, now);
      if (e) this.emit(this.mine([e]));
    }
    return true;
  }

  private brokerDisturbed(now: number): boolean {
    return this.brokerDownSince !== undefined || (this.graceUntil !== undefined && now < this.graceUntil);
  }

  /** Raises what has waited out its delay (or counts it in its cause). */
  private due(now: number): void {
    this.dueScans++;
    for (const [k, p] of this.pending) this.judge(k, p, now);
  }

  /** One pending condition: raised once it waited out its delay, or counted in its cause. */
  private judge(k: string, p: Pending, now: number): void {
    const c = p.condition;
    if (now - p.since < Math.max(this.rules[c.rule].delay, p.hold ?? 0)) return;
    // Reported before the engine knew the broker was gone (Mosquitto publishes the wills of its
    // clients as it shuts down): explained by the outage all the same.
    if (this.explainedByBroker(c, k, now)) return;
    if (c.cause) {
      const [rule, ...rest] = c.cause.split(':');
      const key = rest.join(':');
      const cause = rule && key ? this.ctx.db.openAlarm(rule, key) : undefined;
      // Only an active cause explains it: a cleared one (open until acknowledged) explains nothing now.
      if (cause?.state === 'active') {
        this.pending.delete(k);
        const covered = this.covered.get(c.cause) ?? new Set<string>();
        this.covered.set(c.cause, covered.add(k));
        const e = this.ctx.db.affect({ rule: cause.rule, key: cause.key }, k, now);
        if (e) this.emit(this.mine([e]));
        return;
      }
      // The cause is itself waiting out its delay: so does this one.
      if (this.pending.has(c.cause)) return;
    }
    this.pending.delete(k);
    this.emit(this.mine(this.ctx.db.observe(c, this.observeOptions(c, now))));
  }

  /**
   * The engine's own connection to the broker is gone since `since`: raises broker_unreachable
   * (key `hostPort`) once it has lasted the rule's delay (checked on `tick`).
   */
  brokerLost(hostPort: string, since: number): void {
    if (this.brokerDownSince !== undefined) return;
    this.brokerDownSince = since;
    this.brokerKey = hostPort;
    this.graceUntil = undefined;
    this.report({
      rule: 'broker_unreachable',
      key: hostPort,
      active: true,
      at: new Date(since).toISOString(),
      message: `The alarm service lost the MQTT broker ${hostPort}: telemetry, availability and commands do not arrive`,
      message_zh: `报警服务与 MQTT 消息服务器 ${hostPort} 断开：遥测、在线状态和指令均无法送达`,
    });
  }

  /** The broker is back: clears broker_unreachable; its grace period begins. */
  brokerBack(hostPort: string, now: number): void {
    const was = this.brokerDownSince;
    this.brokerDownSince = undefined;
    this.brokerKey = hostPort;
    if (was !== undefined) this.graceUntil = now + (this.ctx.graceMs ?? 120_000);
    const s = was === undefined ? 0 : Math.round((now - was) / 1000);
    this.report({
      rule: 'broker_unreachable',
      key: hostPort,
      active: false,
      at: new Date(now).toISOString(),
      message: `The MQTT broker ${hostPort} is reachable again (after ${s} s)`,
      message_zh: `MQTT 消息服务器 ${hostPort} 已恢复（中断 ${s} 秒）`,
    });
  }

  /**
   * A retained condition snapshot of `source` (`<service>/<instance>`, from the topic): conditions
   * new in it are reported active, those gone from it cleared. A bad payload is logged once per
   * source and ignored; an empty payload (the retained snapshot deleted) clears them all.
   */
  snapshot(source: string, payload: Buffer): void {
    let snap: ConditionSnapshot;
    if (payload.length === 0) {
      // The retained snapshot deleted: it clears only what an accepted snapshot of it raised.
      if (!this.snapshots.has(source)) return;
      snap = { source, at: new Date(this.ctx.clock.now()).toISOString(), conditions: [] };
    } else {
      let json: unknown;
      try {
        json = JSON.parse(payload.toString('utf8'));
      } catch (err) {
        this.bad(source, `not JSON: ${errorText(err)}`);
        return;
      }
      const parsed = conditionSnapshotSchema.safeParse(json);
      if (!parsed.success) {
        this.bad(
          source,
          parsed.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
            .join('; '),
        );
        return;
      }
      if (parsed.data.source !== source) {
        this.bad(source, `names source "${parsed.data.source}", published on "${source}"`);
        return;
      }
      snap = parsed.data;
      if (this.ctx.acceptsSource && !this.ctx.acceptsSource(source, snap.site)) {
        if (!this.foreign.has(source)) {
          this.foreign.add(source);
          this.ctx.log.info('condition snapshot of another site (or an unknown instance) ignored', {
            source,
            ...(snap.site ? { site: snap.site } : {}),
          });
        }
        return;
      }
    }
    this.badSources.delete(source);
    const before = this.snapshots.get(source) ?? new Map();
    const accepts = this.ctx.accepts ?? (() => true);
    const now = new Map(snap.conditions.filter(accepts).map((c) => [id(c.rule, c.key), c]));
    this.snapshots.set(source, now);
    try {
      // One transaction for the whole snapshot, as for a tick.
      this.batched(() => {
        for (const [k, c] of now) {
          const old = before.get(k);
          if (!old || JSON.stringify(old) !== JSON.stringify(c)) this.report({ ...c, active: true });
        }
        for (const [k, c] of before)
          if (!now.has(k))
            this.report({
              ...c,
              active: false,
              at: snap.at,
              message: `No longer reported by ${source}: ${c.message}`,
              message_zh: `${source} 已不再报告：${c.message_zh}`,
            });
        // Once for the whole snapshot: what waited on a cause raised in it.
        this.due(this.ctx.clock.now());
      });
    } catch (err) {
      this.lastError = `snapshot of ${source}: ${errorText(err)}`;
      this.ctx.log.error('alarm not written', { source, error: errorText(err) });
    }
  }

  private bad(source: string, reason: string): void {
    if (this.badSources.has(source)) return;
    this.badSources.set(source, reason);
    this.ctx.log.warn('condition snapshot ignored (said once per source until a good one arrives)', {
      source,
      reason,
    });
  }

  /** Conditions each snapshot source holds now (for health). */
  sources(): Record<string, number> {
    return Object.fromEntries([...this.snapshots].map(([s, m]) => [s, m.size]));
  }

  /** Sources whose last snapshot was unreadable, with why (for health: their conditions are not known). */
  unreadableSources(): Record<string, string> {
    return Object.fromEntries(this.badSources);
  }

  /** How many conditions wait out their delay now. */
  get waiting(): number {
    return this.pending.size;
  }

  /**
   * Every second: raises what waited out its delay, ends the broker's grace (judging again what
   * it explained), expires shelvings and hands on the transitions others made in the database.
   */
  tick(now = this.ctx.clock.now()): void {
    try {
      // One transaction for the whole tick (a site-wide outage raises thousands at once): one
      // commit instead of one per alarm. The listeners are told once it is committed.
      this.batched(() => this.tickBody(now));
      this.poll();
      this.lastError = undefined;
    } catch (err) {
      this.lastError = errorText(err);
      this.ctx.log.error('alarm engine tick failed', { error: this.lastError });
    }
  }

  /** Events made inside a batch wait for its commit: a rolled-back transition is told to nobody. */
  private held: AlarmEvent[][] | undefined;

  private batched(fn: () => void): void {
    if (this.held) {
      fn();
      return;
    }
    this.held = [];
    try {
      this.ctx.db.batch(fn);
      const held = this.held;
      this.held = undefined;
      for (const events of held) this.emit(events);
    } finally {
      this.held = undefined;
    }
  }

  private tickBody(now: number): void {
    if (this.brokerDownSince === undefined && this.graceUntil !== undefined && now >= this.graceUntil) {
      this.graceUntil = undefined;
      const again = [...this.suppressed];
      this.suppressed.clear();
      for (const k of again) {
        const c = this.active.get(k);
        if (c) this.apply(c, now);
      }
    }
    this.due(now);
    this.emit(this.mine(this.ctx.db.expireShelving(now)));
    // Acknowledged alarms that stayed cleared for the hold-off close now (a return before is the same alarm).
    this.emit(this.mine(this.ctx.db.closeSettled(now, this.holdOffMs)));
  }

  /** Transitions others wrote (the API), handed on in order. */
  private poll(): void {
    for (;;) {
      const batch = this.ctx.db.since(this.polled, 500);
      if (batch.length === 0) return;
      this.polled = batch.at(-1)?.transition.seq ?? this.polled;
      const theirs = batch.filter((e) => !this.own.has(e.transition.seq));
      for (const e of batch) this.own.delete(e.transition.seq);
      this.emit(theirs);
      if (batch.length < 500) return;
    }
  }

  /**
   * Alarms of `rules` still active in the database that nobody reported active since the start:
   * their condition ended while the service was stopped (their sources have said what holds now).
   */
  reconcile(rules: ReadonlySet<AlarmRule>, now: number): void {
    for (const a of this.ctx.db.list({ status: 'open', limit: 1000 })) {
      if (a.state !== 'active' || !rules.has(a.rule)) continue;
      const k = id(a.rule, a.key);
      if (this.active.has(k)) continue;
      this.report({
        rule: a.rule,
        key: a.key,
        active: false,
        at: new Date(now).toISOString(),
        message: `${a.message} — no longer reported since the alarm service restarted`,
        message_zh: `${a.message_zh}——报警服务重启后未再出现`,
      });
    }
  }
}
