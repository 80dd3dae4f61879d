import type { ClientSession, ClientSubscription, DataValue } from 'node-opcua';
import type { OpcuaConnection } from '../../../core/config/siteSchema.ts';
import type { Item, Target } from './items.ts';
import { monitorItems } from './monitor.ts';
import type { PointFailure } from './reporter.ts';
import { type Limits, readLimits, resolveItems } from './session.ts';

/** What one (re-)creation built on a session. */
export interface Built {
  limits: Limits;
  items: Item[];
  /** Undefined in polling mode. */
  subscription: ClientSubscription | undefined;
  /** Points without a node or without a monitored item, with the reason. */
  failed: PointFailure[];
  /** CreateMonitoredItems calls made. */
  calls: number;
}

/**
 * Builds a connection's acquisition from nothing on `session`, trusting nothing from an earlier
 * session: the operation limits and the namespace table are read again, every node resolved
 * again, the previous subscription deleted (`retire`), then — in subscription mode — a new
 * subscription (`subscribe`; undefined when the server has none, the caller then polls) with its
 * monitored items within the limits. `adopt` is told of the subscription as soon as it exists, so
 * that a run overtaken by a newer one still has it retired. Throws on any failed call.
 */
export async function build(options: {
  session: ClientSession;
  targets: Target[];
  connection: OpcuaConnection;
  endpoint: string;
  polling: () => boolean;
  retire: () => Promise<void>;
  subscribe: (session: ClientSession) => Promise<ClientSubscription | undefined>;
  adopt: (subscription: ClientSubscription) => void;
  onCreated: (count: number) => void;
  onChange: (item: Item, dv: DataValue) => void;
}): Promise<Built> {
  const { session } = options;
  const limits = await readLimits(session);
  const { items, unresolved } = await resolveItems(session, options.targets, limits, options.endpoint);
  const failed: PointFailure[] = unresolved.map((u) => ({ ...u.target, reason: u.reason }));
  await options.retire();
  const built: Built = { limits, items, subscription: undefined, failed, calls: 0 };
  if (options.polling()) return built;
  const subscription = await options.subscribe(session);
  if (!subscription) return built;
  options.adopt(subscription);
  const m = await monitorItems({
    subscription,
    items,
    perCall: limits.monitor,
    connection: options.connection,
    onCreated: options.onCreated,
    onChange: options.onChange,
  });
  failed.push(...m.refused.map((r) => ({ ...r.item, reason: r.reason })));
  return { ...built, subscription, calls: m.calls };
}
