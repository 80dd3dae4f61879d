import type { AlarmDb } from '../../core/alarms/db.ts';
import type { AlarmEvent } from '../../core/alarms/model.ts';
import type { Clock } from '../../core/clock.ts';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import type { Logger } from '../../core/log.ts';

/** Sends alarm transitions where the site's routes say. STUB: issue 17 fills it. */
export interface Notifier {
  /** Transitions just made (by the alarm service, or read from the database: an acknowledgement through the API). Never blocks. */
  onEvents(events: AlarmEvent[]): void;
  /** Retries, escalations, the digest: called every few seconds. */
  tick(now: number): Promise<void>;
  /** For health: failures waiting for a retry, the last error. */
  status(): { pending: number; failed: number; last_error?: string };
  stop(): Promise<void>;
}

export function createNotifier(_ctx: {
  site: LoadedSite;
  db: AlarmDb;
  clock: Clock;
  log: Logger;
  /** Publishes on the broker (the mqtt channel). */
  publish: (topic: string, payload: string, retain: boolean) => Promise<void>;
  env?: NodeJS.ProcessEnv;
}): Notifier {
  return {
    onEvents: () => undefined,
    tick: async () => undefined,
    status: () => ({ pending: 0, failed: 0 }),
    stop: async () => undefined,
  };
}
