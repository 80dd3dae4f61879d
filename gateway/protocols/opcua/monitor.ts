import {
  AttributeIds,
  type ClientSession,
  type ClientSubscription,
  DataChangeFilter,
  DataChangeTrigger,
  type DataValue,
  DeadbandType,
  TimestampsToReturn,
} from 'node-opcua';
import type { OpcuaConnection } from '../../../core/config/siteSchema.ts';
import { errorText } from '../../../core/errors.ts';
import { chunks, type Item } from './items.ts';

/** The outcome of creating one connection's subscription. */
export interface Monitored {
  subscription: ClientSubscription;
  /** Items the server accepted. */
  created: number;
  /** Items the server refused (unknown node, bad filter …), with the node and status in the reason. */
  refused: { item: Item; reason: string }[];
  calls: number;
}

/** A server that refuses subscriptions altogether: these answers switch the connection to polling. */
const NO_SUBSCRIPTIONS = /BadServiceUnsupported|BadNotSupported|BadNotImplemented|BadTooManySubscriptions/;

/**
 * A new subscription with the connection's parameters (its lifetime outlasts 100 publishing
 * intervals). With `mayRefuse`, a server without the subscription service answers `refused`
 * (the caller polls instead); every other failure throws.
 */
export async function createSubscription(
  session: ClientSession,
  c: OpcuaConnection,
  mayRefuse: boolean,
): Promise<{ subscription: ClientSubscription } | { refused: string }> {
  try {
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: c.publishing_interval,
      requestedMaxKeepAliveCount: 10,
      requestedLifetimeCount: 100,
      maxNotificationsPerPublish: 1000,
      publishingEnabled: true,
    });
    return { subscription };
  } catch (err) {
    if (mayRefuse && NO_SUBSCRIPTIONS.test(errorText(err))) return { refused: errorText(err) };
    throw err;
  }
}

/**
 * Creates a monitored item per item on `subscription`: items with the same deadband share one
 * DataChangeFilter, and no call carries more than `perCall` items (the server's
 * MaxMonitoredItemsPerCall). Each value change goes to `onChange`.
 */
export async function monitorItems(options: {
  subscription: ClientSubscription;
  items: Item[];
  perCall: number;
  connection: OpcuaConnection;
  /** Called after each call with the items it created (health counts them as they come). */
  onCreated?: (count: number) => void;
  onChange: (item: Item, dv: DataValue) => void;
}): Promise<Monitored> {
  const { subscription, connection: c } = options;
  const byFilter = new Map<string, Item[]>();
  for (const item of options.items) {
    const key = JSON.stringify(item.point.deadband ?? null);
    byFilter.set(key, [...(byFilter.get(key) ?? []), item]);
  }
  const out: Monitored = { subscription, created: 0, refused: [], calls: 0 };
  for (const list of byFilter.values()) {
    const deadband = list[0]?.point.deadband;
    const filter = deadband
      ? new DataChangeFilter({
          trigger: DataChangeTrigger.StatusValue,
          deadbandType: deadband.type === 'percent' ? DeadbandType.Percent : DeadbandType.Absolute,
          deadbandValue: deadband.value,
        })
      : null;
    for (const chunk of chunks(list, options.perCall)) {
      const group = await subscription.monitorItems(
        chunk.map((i) => ({ nodeId: i.nodeId, attributeId: AttributeIds.Value })),
        { samplingInterval: c.sampling_interval, discardOldest: true, queueSize: 10, filter },
        TimestampsToReturn.Both,
      );
      out.calls++;
      const before = out.created;
      group.monitoredItems.forEach((monitored, k) => {
        const item = chunk[k];
        if (!item) return;
        // node-opcua resolves monitorItems even when the server refused some items: the status of
        // each says whether it exists on the server.
        if (monitored.statusCode.isGood()) out.created++;
        else out.refused.push({ item, reason: `node ${item.nodeId}: ${monitored.statusCode.toString()}` });
      });
      options.onCreated?.(out.created - before);
      group.on('changed', (_monitored, dv: DataValue, index: number) => {
        const item = chunk[index];
        if (item) options.onChange(item, dv);
      });
    }
  }
  return out;
}

/**
 * Calls `lost` when the server ends `subscription` (its lifetime expired, it was deleted) — a
 * subscription we terminate ourselves is retired first, and the caller ignores it.
 */
export function onLost(subscription: ClientSubscription, lost: (reason: string) => void): void {
  subscription.on('terminated', () => lost('terminated'));
  subscription.on('status_changed', (status: { isGood(): boolean; toString(): string }) => {
    if (!status.isGood()) lost(status.toString());
  });
}
