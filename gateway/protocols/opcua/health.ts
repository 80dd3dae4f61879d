import type { Logger } from '../../../core/log.ts';

// What one OPC UA connection says about itself: the health counters and the log lines of its lifecycle.

/**
 * What one OPC UA connection reports in health (`gateway.status().detail.opcua.<connection>`).
 * Every count describes the server as it is now, not as it was at start-up.
 */
export interface OpcuaCounters {
  mode: 'subscription' | 'polling';
  /**
   * connecting (first connection), subscribed / polling (values flow), reconnecting (the connection
   * is down; node-opcua retries it), resubscribing (connected again, the items being re-created),
   * stopped.
   */
  state: 'connecting' | 'subscribed' | 'polling' | 'reconnecting' | 'resubscribing' | 'stopped';
  notifications: number;
  sessions_created: number;
  /** Monitored items the server holds for this connection now (0 while disconnected). */
  monitored_items: number;
  /** Points whose node could not be found or monitored (each published as a bad reading naming the node). */
  failed_items: number;
  /** CreateMonitoredItems calls made, each within the server's MaxMonitoredItemsPerCall. */
  create_calls: number;
  /** Read calls made in polling mode, each within the server's MaxNodesPerRead. */
  read_calls: number;
  /** Successful re-creations of the subscription (or of the node list in polling mode) after a reconnect. */
  resubscriptions: number;
  /** Re-creation attempts that failed (each logged, then retried with backoff). */
  resubscribe_failures: number;
  last_resubscribed?: string;
  /**
   * Subscriptions found silent — no data change, not even of the server's CurrentTime, for
   * silence_after_ms while the session lived — then deleted and created again.
   */
  silent_subscriptions: number;
  /** The bound in force, ms (silence_after, default 3 × publishing_interval + 5 s). */
  silence_after_ms: number;
  /** When the last silent subscription was found, and how long it had been silent. */
  last_silence?: { at: string; silent_ms: number };
  /** Why the server refused to let CurrentTime be monitored (then a silent subscription goes unnoticed). */
  heartbeat_refused?: string;
  operation_limits?: { max_nodes_per_read: number; max_monitored_items_per_call: number };
  last_error?: string;
}

export function initialCounters(mode: OpcuaCounters['mode'], silenceAfterMs: number): OpcuaCounters {
  return {
    mode,
    state: 'connecting',
    notifications: 0,
    sessions_created: 0,
    monitored_items: 0,
    failed_items: 0,
    create_calls: 0,
    read_calls: 0,
    resubscriptions: 0,
    resubscribe_failures: 0,
    silent_subscriptions: 0,
    silence_after_ms: silenceAfterMs,
  };
}

/**
 * Values flow (again) after a (re-)creation: logged once — `opcua subscribed` / `opcua polling` at
 * start, `opcua subscription re-created` (counted, with the outage it ends) after it.
 */
export function noteEstablished(options: {
  counters: OpcuaCounters;
  log: Logger;
  endpoint: string;
  nodes: number;
  why: string;
  now: number;
  outage: { reason: string } | undefined;
}): void {
  const { counters, log, endpoint, nodes } = options;
  if (options.why === 'start') {
    log.info(counters.mode === 'subscription' ? 'opcua subscribed' : 'opcua polling', {
      endpoint,
      monitored_items: counters.monitored_items,
      nodes,
    });
    return;
  }
  counters.resubscriptions++;
  counters.last_resubscribed = new Date(options.now).toISOString();
  log.info('opcua subscription re-created', {
    endpoint,
    mode: counters.mode,
    monitored_items: counters.monitored_items,
    nodes,
    resubscriptions: counters.resubscriptions,
    ...(options.outage ? { after: options.outage.reason } : {}),
  });
}
