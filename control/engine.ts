import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import {
  type ControlPoint,
  controlPoints,
  pointKey,
  timingViolation,
  valueViolationText,
} from '../core/control/points.ts';
import { type Effective, effectiveValue, isLive, LEVELS, type Slot } from '../core/control/priority.ts';
import { errorText } from '../core/errors.ts';
import { localClock, localTimestamp } from '../core/localTime.ts';
import type { Logger } from '../core/log.ts';
import { deviceErrorZh } from '../core/protocols/deviceErrors.ts';
import { type ControlCondition, ControlConditions, WRITE_FAILURES, writeCause } from './conditions.ts';
import type { AuditEntry, ControlDb } from './db.ts';
import { Reasserts } from './reassert.ts';

/** What the gateway (or a simulated device) made of a write. */
export interface WriteOutcome {
  status: 'written' | 'rejected' | 'failed' | 'timeout';
  readBack?: number | null | undefined;
  reason?: string | undefined;
}

/** Carries a write to the device that owns the point: over MQTT to its gateway, or into a simulation. */
export interface Dispatcher {
  write(command: {
    id: string;
    gatewayId: string;
    device: string;
    point: string;
    value: number;
    requestedBy: string;
  }): Promise<WriteOutcome>;
}

export interface ControlRequest {
  device: string;
  point: string;
  /** 1 (highest) … 16. */
  priority: number;
  /** null relinquishes the slot. */
  value: number | null;
  /** Who or what asks: `user:张工`, `schedule:office-hvac`, `strategy:demand-limit`. */
  source: string;
  reason?: string | undefined;
  /** Epoch ms at which the slot empties itself. */
  expiresAt?: number | undefined;
}

export interface RequestResult {
  accepted: boolean;
  /** Why it was rejected. */
  reason?: string;
  /** The same in Chinese (the API's default language). */
  reason_zh?: string;
  effective: Effective;
  /** The write it caused, if the value in effect changed. */
  write?: WriteOutcome;
  /** A rejection for timing (minimum on/off, write rate): the same request is allowed from then. */
  retryAt?: number;
}

const statusZh: Record<string, string> = { rejected: '被拒绝', failed: '失败', timeout: '超时' };

/** Retry a failed write no sooner than this. */
const RETRY_AFTER_MS = 60_000;

/**
 * Priority arbitration of every command: each writable point has a 16-level priority array
 * (persisted); a request is checked against policy (value limits and the 26 °C / 20 °C rule, then
 * minimum on/off times and the write rate for the change it would cause) and rejected with the
 * reason, never clamped; the value in effect goes to the device through the dispatcher, and every
 * request, expiry and write — with its read-back — is in the audit log.
 */
export class ControlEngine {
  readonly points: Map<string, ControlPoint>;
  /** What control sees wrong now (not_following, write_failing), for the alarm service (issue 17). */
  readonly conditions: ControlConditions;
  /** When each point that does not follow is written again (control.reassert). */
  private readonly reasserts: Reasserts;
  private readonly slots = new Map<string, Map<number, Slot>>();
  /** What was last written to each point (null: released to the device's own control). */
  private readonly written = new Map<string, number | null>();
  private readonly failedAt = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly writtenAt = new Map<string, number>();
  /** Points flagged as not following, with the value they were set to. */
  private readonly drifting = new Map<string, number>();
  private readonly deferred = new Map<string, string>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly timeZone: string;
  private readonly log: Logger;

  constructor(
    private readonly ctx: {
      site: LoadedSite;
      db: ControlDb;
      dispatcher: Dispatcher;
      clock: Clock;
      log: Logger;
      /** Whether a device is reachable yet (default: always). */
      ready?: (device: string) => boolean;
      /** The device's last reported value of a point: a write to the value it already has does not switch it. */
      latest?: (device: string, point: string) => number | undefined;
      /** Every audit line as it is written (for metrics). */
      onAudit?: (entry: { action: string; outcome: string }) => void;
      /** Every change of the conditions, with all of them (published as a retained snapshot by the service). */
      onConditions?: (conditions: ControlCondition[]) => void;
    },
  ) {
    this.points = controlPoints(ctx.site);
    this.timeZone = ctx.site.config.site.timezone;
    this.log = ctx.log.child('control');
    this.conditions = new ControlConditions((c) => this.ctx.onConditions?.(c));
    this.reasserts = new Reasserts(() => ctx.site.config.control.reassert);
    for (const { device, point, level, slot } of ctx.db.slots()) {
      const key = pointKey(device, point);
      if (!this.points.has(key)) {
        this.log.warn('stored priority slot for a point the site no longer has; ignored', {
          point: key,
          level,
        });
        continue;
      }
      this.slotsOf(key).set(level, slot);
    }
  }

  private slotsOf(key: string): Map<number, Slot> {
    let m = this.slots.get(key);
    if (!m) {
      m = new Map();
      this.slots.set(key, m);
    }
    return m;
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  private iso(ms = this.now()): string {
    return new Date(ms).toISOString();
  }

  /** The point or a JnError-style message naming what exists. */
  point(device: string, point: string): ControlPoint | string {
    const cp = this.points.get(pointKey(device, point));
    if (cp) return cp;
    const owned = [...this.points.values()].filter((p) => p.device === device).map((p) => p.point);
    if (owned.length > 0)
      return `device "${device}" has no writable point "${point}"; its writable points are: ${owned.join(', ')}`;
    return this.ctx.site.devices.has(device)
      ? `device "${device}" has no writable points`
      : `no device "${device}" in the site`;
  }

  effective(key: string): Effective {
    const cp = this.points.get(key);
    return effectiveValue(this.slots.get(key) ?? new Map(), cp?.settings.relinquish_default, this.now());
  }

  /** The priority array of a point as the API shows it. */
  array(key: string) {
    const cp = this.points.get(key);
    if (!cp) return undefined;
    const now = this.now();
    const slots = this.slots.get(key) ?? new Map<number, Slot>();
    return {
      device: cp.device,
      point: cp.point,
      name: cp.name,
      unit: cp.unit ?? null,
      effective: this.effective(key),
      relinquish_default: cp.settings.relinquish_default ?? null,
      last_written: this.written.get(key) ?? null,
      levels: Array.from({ length: LEVELS }, (_, i) => {
        const s = slots.get(i + 1);
        return isLive(s, now)
          ? {
              level: i + 1,
              value: s.value,
              source: s.source,
              reason: s.reason ?? null,
              set_at: this.iso(s.setAt),
              expires_at: s.expiresAt === undefined ? null : this.iso(s.expiresAt),
            }
          : { level: i + 1, value: null };
      }),
    };
  }

  /** Slot `priority` of a point (live or not). */
  slot(key: string, priority: number): Slot | undefined {
    const s = this.slots.get(key)?.get(priority);
    return isLive(s, this.now()) ? s : undefined;
  }

  private serial<T>(key: string, work: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const next = prev.then(work, work);
    this.locks.set(
      key,
      next.catch(() => {}),
    );
    return next;
  }

  /** Sets or relinquishes a slot, after policy; writes the device when the value in effect changes. */
  request(req: ControlRequest): Promise<RequestResult> {
    const found = this.point(req.device, req.point);
    if (typeof found === 'string') {
      this.record(req, {
        at: this.iso(),
        source: req.source,
        priority: req.priority,
        action: req.value === null ? 'relinquish' : 'set',
        outcome: 'rejected',
        requested: req.value,
        reason: found,
      });
      return Promise.resolve({
        accepted: false,
        reason: found,
        effective: { value: null, level: null, source: null },
      });
    }
    return this.serial(found.key, () => this.handle(found, req));
  }

  private async handle(cp: ControlPoint, req: ControlRequest): Promise<RequestResult> {
    const now = this.now();
    const slots = this.slotsOf(cp.key);
    const policy = this.ctx.site.config.control.policy;
    const reject = (reason: string, reason_zh?: string): RequestResult => {
      this.auditRequest(cp, req, now, 'rejected', reason);
      this.log.warn('command rejected', { point: cp.key, source: req.source, requested: req.value, reason });
      return {
        accepted: false,
        reason,
        ...(reason_zh ? { reason_zh } : {}),
        effective: this.effective(cp.key),
      };
    };
    if (!Number.isInteger(req.priority) || req.priority < 1 || req.priority > LEVELS)
      return reject(
        `priority ${req.priority} is not a level 1 … 16`,
        `优先级 ${req.priority} 不在 1 … 16 级之内`,
      );
    if (req.expiresAt !== undefined && req.expiresAt <= now) {
      const at = localTimestamp(req.expiresAt, this.timeZone); // the site's time, as the person typed it
      return reject(`expiry ${at} is not in the future`, `到期时间 ${at} 已经过去，须晚于现在`);
    }
    if (req.value !== null) {
      const why = valueViolationText(cp, req.value, policy);
      if (why) return reject(why.en, why.zh);
      const after = new Map(slots);
      after.set(req.priority, { value: req.value, source: req.source, setAt: now });
      const next = effectiveValue(after, cp.settings.relinquish_default, now);
      const written = this.written.get(cp.key);
      if (next.value !== null && next.value !== written) {
        const timing = timingViolation(cp, next.value, this.history(cp), now, this.timeZone);
        if (timing) return { ...reject(timing.reason, timing.reason_zh), retryAt: timing.allowedFrom };
      }
      slots.set(req.priority, {
        value: req.value,
        source: req.source,
        reason: req.reason,
        setAt: now,
        expiresAt: req.expiresAt,
      });
    } else slots.delete(req.priority);
    this.ctx.db.setSlot(cp.device, cp.point, req.priority, slots.get(req.priority));
    const effective = this.effective(cp.key);
    this.auditRequest(
      cp,
      req,
      now,
      'accepted',
      req.reason ?? (req.expiresAt ? `until ${this.iso(req.expiresAt)}` : null),
    );
    const write = await this.reconcile(cp);
    return { accepted: true, effective, ...(write ? { write } : {}) };
  }

  /** An audit line about `target`'s point; what is not given is null. */
  private record(
    target: { device: string; point: string },
    entry: Partial<Omit<AuditEntry, 'id' | 'device' | 'point'>> &
      Pick<AuditEntry, 'at' | 'source' | 'action' | 'outcome'>,
  ): void {
    this.ctx.onAudit?.({ action: entry.action, outcome: entry.outcome });
    this.ctx.db.audit({
      priority: null,
      requested: null,
      effective: null,
      read_back: null,
      reason: null,
      correlation_id: null,
      ...entry,
      device: target.device,
      point: target.point,
    });
  }

  private auditRequest(
    cp: ControlPoint,
    req: ControlRequest,
    now: number,
    outcome: 'accepted' | 'rejected',
    reason: string | null,
  ): void {
    this.record(cp, {
      at: this.iso(now),
      source: req.source,
      priority: req.priority,
      action: req.value === null ? 'relinquish' : 'set',
      outcome,
      requested: req.value,
      effective: this.effective(cp.key).value,
      read_back: null,
      reason,
    });
  }

  /** Minimum on/off times count from the last write that switched the device; the rate counts every write. */
  private history(cp: ControlPoint) {
    const writes = this.ctx.db.writes(cp.device, cp.point);
    const last = writes.findLast((w) => w.switched);
    return { last: last && { value: last.value, at: last.at }, recent: writes.map((w) => w.at) };
  }

  /** Empties expired slots and brings every point's device in line with its value in effect. */
  async tick(): Promise<void> {
    const now = this.now();
    for (const [key, slots] of this.slots) {
      const cp = this.points.get(key);
      if (!cp) continue;
      for (const [level, slot] of slots) {
        if (slot.expiresAt === undefined || slot.expiresAt > now) continue;
        slots.delete(level);
        this.ctx.db.setSlot(cp.device, cp.point, level, undefined);
        this.record(cp, {
          at: this.iso(now),
          source: slot.source,
          priority: level,
          action: 'expire',
          outcome: 'expired',
          requested: slot.value,
          effective: this.effective(key).value,
          reason: `set ${this.iso(slot.setAt)}, expired ${this.iso(slot.expiresAt)}`,
        });
      }
    }
    await Promise.all([...this.points.values()].map((cp) => this.serial(cp.key, () => this.reconcile(cp))));
  }

  /** Writes the value in effect if it differs from what was last written; undefined when nothing was written. */
  private async reconcile(cp: ControlPoint): Promise<WriteOutcome | undefined> {
    const now = this.now();
    const eff = this.effective(cp.key);
    const written = this.written.get(cp.key);
    if (eff.value === null || eff.value === written) {
      // Nothing (more) to write: a value that could not be written is no longer wanted.
      this.conditions.clear('write_failing', cp);
    }
    if (eff.value === null) {
      if (written !== undefined && written !== null) {
        // Released to the device's own control: nothing it must follow.
        this.conditions.clear('not_following', cp);
        this.drifting.delete(cp.key);
        this.reasserts.forget(cp.key);
        this.written.set(cp.key, null);
        this.record(cp, {
          at: this.iso(now),
          source: 'arbitration',
          action: 'release',
          outcome: 'released',
          reason:
            'every slot is empty and the point has no relinquish default: the device keeps its own control',
        });
      }
      return undefined;
    }
    if (eff.value === written) return this.reassert(cp, eff, eff.value);
    // A device not reporting yet (its gateway still connecting) is written once it reports.
    if (this.ctx.ready && !this.ctx.ready(cp.device)) return undefined;
    const failed = this.failedAt.get(cp.key);
    if (failed !== undefined && now - failed < RETRY_AFTER_MS) return undefined;
    const timing = timingViolation(cp, eff.value, this.history(cp), now, this.timeZone);
    if (timing) {
      if (this.deferred.get(cp.key) !== timing.reason) {
        this.deferred.set(cp.key, timing.reason);
        this.log.info('write deferred', { point: cp.key, value: eff.value, reason: timing.reason });
      }
      return undefined;
    }
    this.deferred.delete(cp.key);
    this.reasserts.forget(cp.key); // a new value: any backoff was for another one
    const source = eff.source ?? 'relinquish_default';
    const id = randomUUID();
    const { outcome, done } = await this.dispatch(cp, eff.value, source, id);
    let result: string = outcome.status;
    let reason = outcome.reason ?? null;
    if (outcome.status === 'written') {
      const differs = this.checkReadBack(cp, eff.value, outcome.readBack, done);
      if (differs) {
        result = 'not_following';
        reason = differs;
      }
      this.failures.delete(cp.key);
      this.conditions.clear('write_failing', cp);
    } else {
      this.failedAt.set(cp.key, done);
      // One failure is retried quietly (a gateway still connecting); WRITE_FAILURES in a row are a condition.
      const failures = (this.failures.get(cp.key) ?? 0) + 1;
      this.failures.set(cp.key, failures);
      if (failures >= WRITE_FAILURES)
        this.raise(cp, 'write_failing', {
          at: this.iso(done),
          message: `${cp.key}: write of ${eff.value} ${outcome.status} ${failures} times in a row${reason ? `: ${reason}` : ''}`,
          message_zh: `${cp.name}（${cp.key}）：写入 ${eff.value} 连续 ${failures} 次${statusZh[outcome.status] ?? outcome.status}${reason ? `：${deviceErrorZh(reason)}` : ''}`,
          value: failures,
          cause: writeCause(cp, outcome.status),
        });
    }

    this.record(cp, {
      at: this.iso(done),
      source,
      priority: eff.level,
      action: 'write',
      outcome: result,
      requested: eff.value,
      effective: eff.value,
      read_back: outcome.readBack ?? null,
      reason,
      correlation_id: id,
    });
    return outcome;
  }

  /**
   * Writes `value` to the device through the dispatcher; a write the device took is remembered
   * (what was written, when, and in control.db for minimum on/off times and the write rate).
   */
  private async dispatch(
    cp: ControlPoint,
    value: number,
    source: string,
    id: string,
  ): Promise<{ outcome: WriteOutcome; done: number }> {
    // A device already at the value is not switched by the write (the unit off all night, written off at a start).
    // Only when control's own last write agrees: a reading not yet updated after a write is not believed.
    const before = this.ctx.latest?.(cp.device, cp.point);
    const lastWrite = this.ctx.db.writes(cp.device, cp.point).at(-1);
    const switched = !(
      cp.binary &&
      before === value &&
      (lastWrite === undefined || lastWrite.value === value)
    );
    let outcome: WriteOutcome;
    try {
      outcome = await this.ctx.dispatcher.write({
        id,
        gatewayId: cp.gatewayId,
        device: cp.device,
        point: cp.point,
        value,
        requestedBy: source,
      });
    } catch (err) {
      outcome = { status: 'failed', reason: errorText(err) };
    }
    const done = this.now();
    if (outcome.status === 'written') {
      this.written.set(cp.key, value);
      this.failedAt.delete(cp.key);
      this.ctx.db.recordWrite(cp.device, cp.point, value, done, switched);
      this.writtenAt.set(cp.key, done);
    }
    return { outcome, done };
  }

  /**
   * The read-back of a write the device took: one that differs from `value` holds not_following
   * (and its re-assertion is due in a while, control/reassert.ts), one that agrees clears it.
   * Returns why it differs, or null.
   */
  private checkReadBack(
    cp: ControlPoint,
    value: number,
    rb: number | null | undefined,
    done: number,
  ): string | null {
    const tolerance = cp.settings.follow_tolerance ?? 0.01;
    if (rb !== null && rb !== undefined && Math.abs(rb - value) <= tolerance) {
      this.drifting.delete(cp.key);
      this.reasserts.followed(cp.key, done);
      this.conditions.clear('not_following', cp); // it took the value
      return null;
    }
    const reason = `read back ${rb ?? 'nothing'} after writing ${value}`;
    this.raise(cp, 'not_following', {
      at: this.iso(done),
      message: `${cp.key} does not follow its command: ${reason}`,
      message_zh: `${cp.name}（${cp.key}）未执行指令：写入 ${value} 后回读 ${rb ?? '无'}`,
      value: rb ?? undefined,
      cause: writeCause(cp, 'failed'),
    });
    this.reasserts.notFollowing(cp.key, value, done);
    return reason;
  }

  /**
   * The value in effect written again to a point that does not follow it, when its backoff says
   * so (control.reassert; control/reassert.ts) — through the same checks as any write: the value's
   * policy, the device reachable, minimum on/off times and the write rate (a re-write waits for
   * them, it is not refused). Audited as `reassert` with the read-back; a read-back that agrees
   * clears not_following. A re-write that fails is audited and the backoff goes on: it does not
   * count towards write_failing (the point has its alarm already; an unreachable device its own).
   */
  private async reassert(cp: ControlPoint, eff: Effective, value: number): Promise<WriteOutcome | undefined> {
    if (!this.conditions.has('not_following', cp)) return undefined;
    const now = this.now();
    const due = this.reasserts.due(cp.key, value, now);
    if (!due) return undefined;
    const source = eff.source ?? 'relinquish_default';
    const since = localTimestamp(due.since, this.timeZone);
    const entry = { source, priority: eff.level, action: 'reassert', requested: value, effective: value };
    if (due.kind === 'give_up') {
      const reason = `不再重新下发：自 ${since} 起未执行，已重新下发 ${due.attempts} 次；报警保持到设备执行或有新指令 / re-assertion stopped: not following since ${since} after ${due.attempts} re-writes; the alarm stays until the point follows or a new command is given`;
      this.log.warn('re-assertion stopped', { point: cp.key, value, attempts: due.attempts });
      this.record(cp, { ...entry, at: this.iso(now), outcome: 'gave_up', reason });
      return undefined;
    }
    if (this.ctx.ready && !this.ctx.ready(cp.device)) return undefined;
    const refused = valueViolationText(cp, value, this.ctx.site.config.control.policy);
    const timing = refused ? undefined : timingViolation(cp, value, this.history(cp), now, this.timeZone);
    if (refused) {
      this.reasserts.forget(cp.key);
      this.record(cp, { ...entry, at: this.iso(now), outcome: 'rejected', reason: refused.en });
      return undefined;
    }
    if (timing) {
      this.reasserts.deferTo(cp.key, timing.allowedFrom);
      return undefined;
    }
    const id = randomUUID();
    const { outcome, done } = await this.dispatch(cp, value, source, id);
    this.reasserts.attempted(cp.key, done);
    let result: string = outcome.status;
    let detail = outcome.reason ?? '';
    if (outcome.status === 'written') {
      const differs = this.checkReadBack(cp, value, outcome.readBack, done);
      if (differs) result = 'not_following';
      detail = differs ?? `read back ${outcome.readBack} after writing ${value}: following`;
    }
    this.record(cp, {
      ...entry,
      at: this.iso(done),
      outcome: result,
      read_back: outcome.readBack ?? null,
      reason: `第 ${due.attempt} 次重新下发（自 ${since} 起未执行）/ re-assert ${due.attempt} (not following since ${since})${detail ? `: ${detail}` : ''}`,
      correlation_id: id,
    });
    return outcome;
  }

  /** A condition raised (or its figure changed): logged once when it starts, held for the snapshot. */
  private raise(
    cp: ControlPoint,
    rule: 'not_following' | 'write_failing',
    c: { at: string; message: string; message_zh: string; value?: number | undefined; cause: string },
  ): void {
    if (!this.conditions.has(rule, cp))
      this.log.warn('condition', { rule, point: cp.key, message: c.message });
    this.conditions.raise(rule, cp, c);
  }

  /**
   * A point that drifts away from what was written (a local override at the unit, a stuck
   * actuator): once its reported value has differed for `graceMs` after the write, an alarm is
   * raised, once per written value.
   */
  checkFollowing(
    latest: (device: string, point: string) => number | undefined,
    graceMs = 120_000,
    /** When the latest value was read: a value read before the write is not the device's answer to it (an accelerated clock passes the grace before the next poll). */
    latestAt?: (device: string, point: string) => number | undefined,
  ): void {
    const now = this.now();
    for (const cp of this.points.values()) {
      const written = this.written.get(cp.key);
      if (written === undefined || written === null) continue;
      const value = latest(cp.device, cp.point);
      const last = this.writtenAt.get(cp.key);
      if (value === undefined || last === undefined || now - last < graceMs) continue;
      const readAt = latestAt?.(cp.device, cp.point);
      if (readAt !== undefined && readAt <= last) continue;
      const off = Math.abs(value - written) > (cp.settings.follow_tolerance ?? 0.01);
      const flagged = this.drifting.get(cp.key);
      if (!off) {
        // Following again (the unit's local override ended, the actuator moved): the condition clears.
        this.drifting.delete(cp.key);
        this.reasserts.followed(cp.key, now);
        this.conditions.clear('not_following', cp);
        continue;
      }
      if (flagged === written) continue;
      this.drifting.set(cp.key, written);
      this.reasserts.notFollowing(cp.key, written, now);
      const c = localClock(last, this.timeZone);
      const setAt = `${c.date} ${c.time.slice(0, 5)}`; // as a person reads it, in the site's time
      this.raise(cp, 'not_following', {
        at: this.iso(now),
        message: `${cp.key} reports ${value} but was set to ${written} at ${setAt}`,
        message_zh: `${cp.name}（${cp.key}）上报 ${value}，但已于 ${setAt} 设定为 ${written}`,
        value,
        cause: writeCause(cp, 'failed'),
      });
      this.record(cp, {
        at: this.iso(now),
        source: 'arbitration',
        action: 'watch',
        outcome: 'not_following',
        requested: written,
        effective: this.effective(cp.key).value,
        read_back: value,
        reason: 'the reported value differs from the command',
      });
    }
  }
}
