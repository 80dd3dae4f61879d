import type { AlarmEvent } from '../../core/alarms/model.ts';
import { AlarmNotifier, type NotifierContext } from './notifier.ts';

/**
 * Sends alarm transitions where the site's routes say (`alarms.channels`, `alarms.routes`): 企业微信 and
 * 钉钉 group robots, generic webhooks, e-mail, MQTT. Quiet hours and the rate limit hold messages for
 * the daily digest; an alarm not acknowledged in time is escalated; deliveries are queued in
 * alarms.db and retried (alarms/notify/schedule.ts), so a channel that is down delays nothing else
 * and a restart sends what was pending.
 */
export interface Notifier {
  /** Transitions just made (by the alarm service, or read from the database: an acknowledgement through the API). Never blocks. */
  onEvents(events: AlarmEvent[]): void;
  /** Retries, escalations, the digest: called every few seconds. */
  tick(now: number): Promise<void>;
  /**
   * For health: deliveries waiting (pending: queued or for a retry), given up (failed), held for the
   * digest; the last error; configuration problems (a secret missing, an unknown channel or route).
   */
  status(): { pending: number; failed: number; held?: number; last_error?: string; problems?: string[] };
  stop(): Promise<void>;
}

export function createNotifier(ctx: NotifierContext): Notifier {
  return new AlarmNotifier(ctx);
}

export type { NotifierContext } from './notifier.ts';
