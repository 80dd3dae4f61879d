import { causeKey } from '../core/alarms/db.ts';
import type { ConditionSnapshot } from '../core/alarms/model.ts';
import type { ControlPoint } from '../core/control/points.ts';

/** A condition as control holds it (the snapshot's shape: no `active`, it is active by being there). */
export type ControlCondition = ConditionSnapshot['conditions'][number];

/** The rules control detects (issue 17): a point not following its command, a write that keeps failing. */
export type ControlRule = 'not_following' | 'write_failing';

/** Writes failing this many times in a row are a condition: one failure is retried quietly (a gateway still connecting). */
export const WRITE_FAILURES = 2;

/**
 * What control sees wrong now, per point: raised by the engine when a point reads back or reports
 * something else than was written (not_following) or when its writes keep failing (write_failing),
 * and taken away as soon as that no longer holds — the point follows again, a write succeeds, the
 * value that could not be written is no longer wanted. Control publishes the whole set as a
 * retained ConditionSnapshot whenever it changes (control/main.ts); the alarm service alone turns
 * the conditions into alarms, with the rule's delay, severity and hold-off.
 */
export class ControlConditions {
  private readonly held = new Map<string, ControlCondition>();

  constructor(private readonly onChange: (conditions: ControlCondition[]) => void) {}

  /** Every condition held now, in the order they were raised. */
  list(): ControlCondition[] {
    return [...this.held.values()];
  }

  has(rule: ControlRule, cp: ControlPoint): boolean {
    return this.held.has(`${rule}:${cp.key}`);
  }

  /**
   * `rule` holds for `cp` since `at` (ISO). The first raise is kept as it is (its time and message): a
   * condition that keeps holding is not news; a new `value` or message is (the alarm shows the figure).
   */
  raise(
    rule: ControlRule,
    cp: ControlPoint,
    c: { at: string; message: string; message_zh: string; value?: number | undefined; cause?: string },
  ): void {
    const id = `${rule}:${cp.key}`;
    const old = this.held.get(id);
    const next: ControlCondition = {
      rule,
      key: cp.key,
      at: old?.at ?? c.at,
      message: c.message,
      message_zh: c.message_zh,
      device: cp.device,
      point: cp.point,
      gateway: cp.gatewayId,
      ...(c.cause !== undefined ? { cause: c.cause } : {}),
      ...(c.value !== undefined && Number.isFinite(c.value) ? { value: c.value } : {}),
    };
    if (old && JSON.stringify(old) === JSON.stringify(next)) return;
    this.held.set(id, next);
    this.onChange(this.list());
  }

  /** `rule` no longer holds for `cp` (nothing happens when it did not). */
  clear(rule: ControlRule, cp: ControlPoint): void {
    if (this.held.delete(`${rule}:${cp.key}`)) this.onChange(this.list());
  }
}

/** The cause of a failing write, for flood control: its gateway unreachable on a timeout, else the device. */
export function writeCause(cp: ControlPoint, status: string): string {
  return status === 'timeout'
    ? causeKey('gateway_offline', cp.gatewayId)
    : causeKey('device_offline', cp.device);
}

/**
 * Publishes control's conditions as one retained ConditionSnapshot on
 * `jn/v1/conditions/control/<instance>`, each time they change, one publish at a time (the newest
 * set wins; a change during a publish is sent after it). `republish` after a reconnect: a broker
 * without persistence lost the retained snapshot.
 */
export class SnapshotPublisher {
  private latest: ControlCondition[] = [];
  private published: string | undefined;
  private publishing = false;

  constructor(
    private readonly ctx: {
      topic: string;
      source: string;
      publish: (topic: string, payload: string) => Promise<void>;
      now: () => number;
      onError: (err: unknown) => void;
    },
  ) {}

  update(conditions: ControlCondition[]): void {
    this.latest = conditions;
    this.flush();
  }

  republish(): void {
    this.published = undefined;
    this.flush();
  }

  private flush(): void {
    const body = JSON.stringify(this.latest);
    if (this.publishing || body === this.published) return;
    this.publishing = true;
    const snapshot: ConditionSnapshot = {
      source: this.ctx.source,
      at: new Date(this.ctx.now()).toISOString(),
      conditions: this.latest,
    };
    this.ctx
      .publish(this.ctx.topic, JSON.stringify(snapshot))
      .then(
        () => {
          this.published = body;
        },
        (err: unknown) => this.ctx.onError(err),
      )
      .finally(() => {
        this.publishing = false;
        // A change made meanwhile; after a failure, the next change or reconnect sends it.
        if (this.published === body && JSON.stringify(this.latest) !== body) this.flush();
      });
  }
}
