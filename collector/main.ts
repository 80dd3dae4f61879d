import mqtt, { type MqttClient } from 'mqtt';
import { type Clock, systemClock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import { errorText, JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { ServiceStatus } from '../core/status.ts';
import type { Store } from '../core/store/store.ts';
import { type TelemetryBatch, telemetryBatchSchema } from '../core/telemetry.ts';
import { gatewayOfTelemetryTopic, topics } from '../core/topics.ts';
import { AckWindow } from './ackWindow.ts';
import { BatchingWriter } from './batching.ts';
import { createEnricher } from './enrich.ts';
import { RollupJob } from './rollups.ts';
import { type BatchVerdict, GapWatch, type OpenGap, SequenceTracker } from './sequence.ts';

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: () => void, ...rest: unknown[]) => void;

export interface Collector {
  status(): ServiceStatus;
  stop(): Promise<void>;
}

export interface CollectorCounters {
  batches: number;
  readings_stored: number;
  rejected: number;
  duplicates: number;
  gaps: number;
  store_errors: number;
  /** Batches waiting for the store right now (retrying), not yet acknowledged to the broker. */
  waiting: number;
  last_rejection?: string;
  last_store_error?: string;
}

/** Store retry: 0.5 s doubling to 30 s, with ±25 % jitter so several collectors do not retry in step. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * Subscribes to the telemetry of the site's gateways, validates each batch, drops duplicates by
 * (gateway, seq), tags readings from the site tree and writes them to the store. A message is
 * acknowledged to the broker (PUBACK) only once the store has accepted its readings: while the
 * store is down the write is retried with backoff and nothing more is taken from the broker
 * (back-pressure: the broker holds the rest, within its in-flight window and queue), and a
 * collector killed meanwhile gets the message again from its persistent session. A malformed
 * message is logged with its reason and acknowledged (a redelivery could not fix it).
 *
 * Scale-out: with `shareGroup`, the collector subscribes as `$share/<group>/…` so the broker
 * splits the telemetry between every collector of the group. Each batch is written under keys
 * (device, point, ts) that make a second write of it a no-op in both stores, so a batch that
 * reaches two collectors (a redelivery after a crash) is still stored once.
 */
export async function startCollector(ctx: {
  site: LoadedSite;
  mqttUrl: string;
  store: Store;
  log: Logger;
  /** MQTT client id; stable across restarts so the broker keeps the session (default jn-collector-<site>). */
  clientId?: string;
  /** Shared-subscription group (`$share/<group>/…`); omit for a broker without shared subscriptions (aedes). */
  shareGroup?: string | undefined;
  /** Keep the broker session (queued messages) while disconnected: default true. */
  persistentSession?: boolean;
  /** Time of the site (default the system clock); rollups and retention use it. */
  clock?: Clock;
  /** How often dirty meters' rollups are recomputed (default 1 min). */
  rollupIntervalMs?: number;
  /** MQTT connections in the shared group (default 1; more need `shareGroup`). */
  connections?: number;
  /** Messages each connection takes before the first of them is stored and acknowledged (default 16). */
  ackWindow?: number;
  /** How long a missing batch may take to arrive out of order before its gap is reported (default 10 s). */
  gapGraceMs?: number;
}): Promise<Collector> {
  const log = ctx.log.child('collector');
  const enrich = createEnricher(ctx.site);
  const sequences = new SequenceTracker();
  const counters: CollectorCounters = {
    batches: 0,
    readings_stored: 0,
    rejected: 0,
    duplicates: 0,
    gaps: 0,
    store_errors: 0,
    waiting: 0,
  };
  let stopping = false;
  const clock = ctx.clock ?? systemClock;
  const rollups = new RollupJob({
    site: ctx.site,
    store: ctx.store,
    clock,
    log,
    ...(ctx.rollupIntervalMs === undefined ? {} : { intervalMs: ctx.rollupIntervalMs }),
  });
  const writer = new BatchingWriter((rows) => ctx.store.writeReadings(rows));
  /** Wakes the store retries waiting now (on stop). */
  const wakers = new Set<() => void>();

  const reject = (topic: string, reason: string) => {
    counters.rejected++;
    counters.last_rejection = `${topic}: ${reason}`;
    log.warn('telemetry rejected', { topic, reason });
  };

  /** Writes until the store accepts; false only when the collector is stopping (then no ack). */
  const store = async (batch: TelemetryBatch): Promise<boolean> => {
    const rows = batch.readings.map(enrich);
    for (let attempt = 1; ; attempt++) {
      try {
        await writer.submit(rows);
        rollups.markDirty(rows);
        if (attempt > 1)
          log.info('store accepts writes again', { gateway: batch.gateway, seq: batch.seq, attempt });
        return true;
      } catch (err) {
        counters.store_errors++;
        counters.last_store_error = errorText(err);
        const delay = retryDelayMs(attempt);
        if (attempt === 1 || attempt % 10 === 0)
          log.error('store write failed; retrying, the broker keeps the batch meanwhile', {
            gateway: batch.gateway,
            seq: batch.seq,
            attempt,
            retry_in_ms: delay,
            error: counters.last_store_error,
          });
        if (stopping) return false;
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(t);
            wakers.delete(wake);
            resolve();
          };
          const t = setTimeout(wake, delay);
          wakers.add(wake);
        });
        if (stopping) return false;
      }
    }
  };

  // A gap is reported once its batches have not arrived within the grace period (real time: it is
  // the broker's reordering that it waits out).
  const gaps = new GapWatch(ctx.gapGraceMs ?? 10_000);
  const reportGap = (gap: OpenGap) => {
    counters.gaps++;
    const missing = [...gap.missing].sort((a, b) => a - b);
    log.warn('telemetry sequence gap', {
      gateway: gap.gateway,
      expected: gap.expected,
      got: gap.got,
      missing:
        missing.length > 0 && missing.length <= 20
          ? missing.join(',')
          : `${missing[0] ?? gap.expected}…${missing.at(-1) ?? gap.got - 1} (${missing.length || gap.got - gap.expected} batches)`,
    });
  };
  const gapTimer = setInterval(
    () => {
      for (const gap of gaps.expired(Date.now())) reportGap(gap);
    },
    Math.min(1000, ctx.gapGraceMs ?? 10_000),
  );
  gapTimer.unref();

  /** Handles one message; resolves true when it may be acknowledged. */
  const handle = async (topic: string, payload: Buffer): Promise<boolean> => {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      reject(topic, `not JSON: ${errorText(err)}`);
      return true;
    }
    const parsed = telemetryBatchSchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      reject(topic, `invalid telemetry batch: ${issues}`);
      return true;
    }
    const batch = parsed.data;
    const topicGateway = gatewayOfTelemetryTopic(topic);
    if (topicGateway !== batch.gateway) {
      reject(
        topic,
        `batch says gateway "${batch.gateway}" but was published on the topic of gateway "${topicGateway}"`,
      );
      return true;
    }
    const verdict: BatchVerdict = sequences.check(batch.gateway, batch.seq);
    if (verdict.kind === 'duplicate') {
      counters.duplicates++;
      return true;
    }
    // With a shared subscription this collector sees only its share of the sequence: no gap report.
    if (!ctx.shareGroup) {
      gaps.arrived(batch.gateway, batch.seq);
      if (verdict.kind === 'gap') {
        const now = gaps.add(batch.gateway, verdict.expected, batch.seq, Date.now());
        if (now) reportGap(now);
      }
    }
    counters.waiting++;
    const stored = await store(batch);
    counters.waiting--;
    if (!stored) {
      sequences.forget(batch.gateway, batch.seq);
      return false;
    }
    counters.batches++;
    counters.readings_stored += batch.readings.length;
    return true;
  };

  const connections = ctx.connections ?? 1;
  const ackWindow = ctx.ackWindow ?? 16;
  if (connections > 1 && !ctx.shareGroup)
    throw new JnError(
      'config_invalid',
      `collector: ${connections} connections need a shared subscription group (--share); without one each would receive every batch`,
    );
  const baseId = ctx.clientId ?? `jn-collector-${ctx.site.config.site.id}`;
  // Only the site's own gateways: a broker may carry other sites (or other test runs) too.
  const subscriptions = ctx.site.config.gateways.map((g) =>
    ctx.shareGroup ? `$share/${ctx.shareGroup}/${topics.telemetry(g.id)}` : topics.telemetry(g.id),
  );
  if (subscriptions.length === 0) log.warn('the site file declares no gateways; nothing to collect');

  const connect = async (clientId: string): Promise<MqttClient> => {
    const client: MqttClient = mqtt.connect(ctx.mqttUrl, {
      clientId,
      clean: !(ctx.persistentSession ?? true),
      reconnectPeriod: 1000,
    });
    // mqtt.js sends a message's PUBACK once handleMessage calls back, and takes no further message
    // from the connection until then. The window (ackWindow.ts) calls back at once while it has
    // room, holds the PUBACK that mqtt.js then sends, and sends it itself once the message is
    // stored: several messages per connection are in flight, each acknowledged only once stored.
    // mqtt.js has no public hook for a deferred PUBACK; its _sendPacket is wrapped for that, and
    // test/collectorDelivery.test.ts (a collector killed mid-stream loses nothing) guards it.
    const internals = client as unknown as { _sendPacket: SendPacket };
    const mqttSend = internals._sendPacket.bind(client);
    const window = new AckWindow(ackWindow, (messageId) => mqttSend({ cmd: 'puback', messageId }));
    /** PUBACKs mqtt.js will send for messages in the window, by message id: the window sends them. */
    const held = new Map<number, number>();
    internals._sendPacket = (packet, ...rest) => {
      const id = packet.cmd === 'puback' ? packet.messageId : undefined;
      const n = id === undefined ? 0 : (held.get(id) ?? 0);
      if (id === undefined || n === 0) return mqttSend(packet, ...rest);
      if (n === 1) held.delete(id);
      else held.set(id, n - 1);
      rest[0]?.(); // mqtt.js goes on with the connection; the window acknowledges the message
    };
    client.on('close', () => window.reset());
    client.handleMessage = (packet, callback) => {
      if (packet.cmd !== 'publish') return callback();
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      const id = packet.messageId;
      if (packet.qos !== 1 || id === undefined) {
        // QoS 0 (nothing to acknowledge) or 2 (not used by gateways): one at a time, as mqtt.js does.
        handle(packet.topic, payload).then(
          (ack) => ack && callback(),
          (err: unknown) =>
            log.error('telemetry handling failed', { topic: packet.topic, error: errorText(err) }),
        );
        return;
      }
      held.set(id, (held.get(id) ?? 0) + 1);
      const done = window.take(id, () => callback());
      handle(packet.topic, payload).then(done, (err: unknown) => {
        log.error('telemetry handling failed', { topic: packet.topic, error: errorText(err) });
        done(false);
      });
    };
    client.on('error', (err) => log.warn('mqtt error', { error: err.message }));
    // Set up before the first CONNACK: a persistent session delivers queued telemetry right after it.
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        client.end(true);
        reject(err);
      };
      client.once('connect', () => {
        client.off('error', fail);
        resolve();
      });
      client.once('error', fail);
    });
    if (subscriptions.length > 0) await client.subscribeAsync(subscriptions, { qos: 1 });
    return client;
  };
  // Several connections in one shared group spread the broker's in-flight limit per client
  // (Mosquitto's max_inflight_messages, 20 by default) and its queues.
  const clients = await Promise.all(
    Array.from({ length: connections }, (_, i) => connect(connections === 1 ? baseId : `${baseId}-${i + 1}`)),
  );
  log.info('collector started', {
    store: ctx.store.kind,
    topics: subscriptions.join(','),
    connections,
  });
  // Catch up on the last two days (what arrived while no collector ran), then keep current.
  rollups.markAll(clock.now() - 2 * 86_400_000);
  rollups.start();

  return {
    status: () => {
      const connected = clients.every((c) => c.connected);
      return {
        state: connected ? 'running' : 'degraded',
        detail: { mqtt_connected: connected, ...counters, rollups: { ...rollups.counters } },
      };
    },
    stop: async () => {
      stopping = true;
      clearInterval(gapTimer);
      // Gaps still open: not seen by this collector, whatever may arrive after it stopped.
      for (const gap of gaps.expired(Number.POSITIVE_INFINITY)) reportGap(gap);
      for (const wake of wakers) wake();
      await Promise.all(clients.map((c) => c.endAsync()));
      await rollups.stop();
      log.info('collector stopped', { ...counters });
    },
  };
}
