import { performance } from 'node:perf_hooks';
import { AttributeIds, type ClientSubscription, TimestampsToReturn, VariableIds } from 'node-opcua';
import { Counter, type Registry } from 'prom-client';
import type { OpcuaConnection } from '../../../core/config/siteSchema.ts';
import { errorText } from '../../../core/errors.ts';

/** Server_ServerStatus_CurrentTime (ns=0;i=2258): every healthy server changes it each second. */
export const CURRENT_TIME = `ns=0;i=${VariableIds.Server_ServerStatus_CurrentTime}`;

/** Margin above 3 publishing intervals before a subscription without data changes is called dead. */
const SILENCE_MARGIN_MS = 5000;

/** How long a subscription may go without a data change before it is taken as dead, ms. */
export function silenceBound(c: OpcuaConnection): number {
  return c.silence_after ?? 3 * c.publishing_interval + SILENCE_MARGIN_MS;
}

/**
 * Monitors the server's CurrentTime on `subscription`, so that a subscription that still answers
 * publish requests but delivers nothing (the server froze or dropped it while the session lives)
 * can be told from values that merely do not change: each data change of it calls `beat`.
 * Keepalive-only publish responses raise no data change and so do not count. Returns why the
 * server refused the item, or undefined when it is monitored.
 */
export async function monitorHeartbeat(
  subscription: ClientSubscription,
  beat: () => void,
): Promise<string | undefined> {
  try {
    const item = await subscription.monitor(
      { nodeId: CURRENT_TIME, attributeId: AttributeIds.Value },
      { samplingInterval: 1000, discardOldest: true, queueSize: 1 },
      TimestampsToReturn.Neither,
    );
    if (!item.statusCode.isGood()) return `node ${CURRENT_TIME}: ${item.statusCode.toString()}`;
    item.on('changed', () => beat());
    return undefined;
  } catch (err) {
    return `node ${CURRENT_TIME}: ${errorText(err)}`;
  }
}

/** A running silence watch: `beat` on every data change, `stop` when the subscription is retired. */
export interface SilenceWatch {
  beat(): void;
  stop(): void;
}

/**
 * Calls `silent` once when no `beat` has come for `boundMs` (checked every quarter of it, at least
 * every 250 ms). Measured on the monotonic clock, not the gateway's Clock: it is about packets on
 * the wire, and a test's ManualClock jumping ahead must not make a live subscription look dead.
 */
export function watchSilence(boundMs: number, silent: (silentMs: number) => void): SilenceWatch {
  let last = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const quiet = performance.now() - last;
    if (quiet > boundMs) {
      timer = undefined;
      silent(Math.round(quiet));
      return;
    }
    timer = setTimeout(check, Math.max(250, boundMs / 4));
  };
  timer = setTimeout(check, Math.max(250, boundMs / 4));
  return {
    beat: () => {
      last = performance.now();
    },
    stop: () => clearTimeout(timer),
  };
}

const METRIC = 'jieneng_gateway_opcua_silent_subscriptions_total';

/**
 * The Prometheus counter of dead-silent subscriptions, by connection, in the gateway's registry
 * (created on first use, shared by the connections and gateways of one process).
 */
export function silenceCounter(registry: Registry | undefined): Counter<'connection'> | undefined {
  if (!registry) return undefined;
  return (
    (registry.getSingleMetric(METRIC) as Counter<'connection'> | undefined) ??
    new Counter({
      name: METRIC,
      help: 'OPC UA subscriptions found silent (no data change, not even of the server CurrentTime, for silence_after while the session lived) and re-created, by connection',
      labelNames: ['connection'],
      registers: [registry],
    })
  );
}
