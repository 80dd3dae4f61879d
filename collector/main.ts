import type { Registry } from 'prom-client';
import { type Clock, systemClock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import { errorText, JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { MqttConnection } from '../core/mqtt/connection.ts';
import { OutageLog } from '../core/outageLog.ts';
import type { ServiceStatus } from '../core/status.ts';
import type { QuarantinedReading, Store } from '../core/store/store.ts';
import type { Reading } from '../core/telemetry.ts';
import { topics } from '../core/topics.ts';
import { BatchingWriter } from './batching.ts';
import { CollectorConditions } from './conditions.ts';
import { Confirmer } from './confirm.ts';
import { connectTelemetry, type TelemetryConnection } from './connection.ts';
import type { CollectorCounters } from './counters.ts';
import { DropLog, toQuarantine } from './dropLog.ts';
import { createEnricher } from './enrich.ts';
import { GatewayWatch, missingText } from './gatewayWatch.ts';
import { type AcceptWindow, createIntake, defaultAcceptWindow } from './intake.ts';
import { collectorMetrics } from './metrics.ts';
import { RollupJob } from './rollups.ts';
import { type BatchVerdict, GapWatch, type OpenGap, SequenceTracker } from './sequence.ts';

export type { CollectorCounters } from './counters.ts';

export interface Collector {
  status(): ServiceStatus;
  /** Prometheus metrics of this collector (prom-client), for `/metrics`. */
  metrics: Registry;
  stop(): Promise<void>;
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
  /** Source timestamps accepted (default: the site's longest spool age + 1 d back, 10 min ahead). */
  acceptWindow?: AcceptWindow;
  /** How long nothing of a publishing gateway may be stored before the collector calls itself deaf (default 60 s). */
  silenceMs?: number;
  /** User, password and TLS files on the broker (core/mqtt/connection.ts); default: none. */
  mqtt?: MqttConnection | undefined;
}): Promise<Collector> {
  const log = ctx.log.child('collector');
  const enrich = createEnricher(ctx.site);
  const sequences = new SequenceTracker();
  const counters: CollectorCounters = {
    batches: 0,
    readings_stored: 0,
    rejected: 0,
    duplicates: 0,
    seq_conflicts: 0,
    readings_rejected: 0,
    quarantined: 0,
    unknown_device_readings: 0,
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
    maxAgeMs: (ctx.acceptWindow ?? defaultAcceptWindow(ctx.site)).pastMs,
  });
  const writer = new BatchingWriter((rows) => ctx.store.writeReadings(rows));
  const storeOutage = new OutageLog({
    log,
    what: 'store',
    failure: 'write failed',
    level: 'error',
    fields: { store: ctx.store.kind },
    meanwhile: 'retrying with backoff; the broker keeps the unacknowledged telemetry meanwhile',
  });
  /** Wakes the store retries waiting now (on stop). */
  const wakers = new Set<() => void>();

  const reject = (topic: string, reason: string) => {
    counters.rejected++;
    counters.last_rejection = `${topic}: ${reason}`;
    log.warn('telemetry rejected', { topic, reason });
  };

  /** Writes until the store accepts; false only when the collector is stopping (then no ack). */
  const store = async (
    gateway: string,
    seq: number,
    readings: Reading[],
    quarantine: QuarantinedReading[],
  ): Promise<boolean> => {
    const rows = readings.map(enrich);
    for (let attempt = 1; ; attempt++) {
      try {
        if (rows.length > 0) await writer.submit(rows);
        // Kept aside before the batch is confirmed: the gateway then lets it go.
        if (quarantine.length > 0) await ctx.store.writeQuarantine(quarantine);
        rollups.markDirty(rows);
        storeOutage.ok();
        return true;
      } catch (err) {
        counters.store_errors++;
        counters.last_store_error = `${gateway} seq ${seq}: ${errorText(err)}`;
        const delay = retryDelayMs(attempt);
        // One line when the store goes away (every batch in flight fails at once), one when it is back.
        storeOutage.fail(errorText(err));
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
        missing.length > 0
          ? missingText(missing)
          : `${gap.expected}…${gap.got - 1} (${gap.got - gap.expected} batches)`,
    });
  };
  const gapTimer = setInterval(
    () => {
      for (const gap of gaps.expired(Date.now())) reportGap(gap);
    },
    Math.min(1000, ctx.gapGraceMs ?? 10_000),
  );
  gapTimer.unref();

  const intake = createIntake(ctx.site, ctx.acceptWindow ?? defaultAcceptWindow(ctx.site));
  const drops = new DropLog(log, counters);
  let clients: TelemetryConnection[] = [];
  // A persistent session's backlog may arrive before every connection is up: confirmations wait
  // for the next flush on whichever connection is up.
  const confirmer = new Confirmer({ client: () => clients.find((c) => c.client.connected)?.client, log });

  /** Batches (stream#seq) being written now: not confirmed before the store has them. */
  const writing = new Set<string>();

  /** Handles one message; resolves true when it may be acknowledged. */
  const handle = async (topic: string, payload: Buffer): Promise<boolean> => {
    if (!topic.endsWith('/telemetry')) {
      watch.message(topic, payload);
      return true;
    }
    const got = intake(topic, payload, clock.now());
    if (got.kind === 'rejected') {
      reject(topic, got.reason);
      return true;
    }
    drops.note(got.gateway, got.dropped);
    const stream = got.epoch ? `${got.gateway}@${got.epoch}` : got.gateway;
    const verdict: BatchVerdict = sequences.check(stream, got.seq, got.identity);
    const key = `${stream}#${got.seq}`;
    if (verdict.kind === 'duplicate') {
      // A copy of a batch whose first copy is still being written confirms nothing: the first
      // copy confirms once the store has it. A copy of a stored one confirms again (the gateway
      // may not have heard the first time).
      if (!writing.has(key)) confirmer.stored(got.gateway, got.epoch, got.seq);
      drops.duplicate(got.gateway);
      return true;
    }
    if (verdict.kind === 'conflict') {
      counters.seq_conflicts++;
      log.warn('a batch reuses a sequence number with other content: stored, not dropped as a duplicate', {
        gateway: got.gateway,
        seq: got.seq,
      });
    }
    // A gateway with spool epochs resends what no collector confirmed: its losses are judged by
    // the group ledger (gatewayWatch.ts), not by a jump in what this collector sees. Without
    // epochs, and alone on the stream (not a share of a group), a jump not filled in time is a gap.
    if (!ctx.shareGroup && got.epoch === undefined) {
      gaps.arrived(stream, got.seq);
      if (verdict.kind === 'gap') {
        const now = gaps.add(stream, verdict.expected, got.seq, Date.now());
        if (now) reportGap(now);
      }
    }
    const quarantine = toQuarantine(got.gateway, got.dropped, clock.now());
    if (got.readings.length === 0 && quarantine.length === 0) {
      counters.batches++;
      confirmer.stored(got.gateway, got.epoch, got.seq); // nothing storable: a resend would not help
      return true;
    }
    counters.waiting++;
    writing.add(key);
    const stored = await store(got.gateway, got.seq, got.readings, quarantine);
    writing.delete(key);
    counters.waiting--;
    if (!stored) {
      sequences.forget(stream, got.seq);
      return false;
    }
    counters.batches++;
    counters.readings_stored += got.readings.length;
    watch.stored(got.gateway);
    confirmer.stored(got.gateway, got.epoch, got.seq);
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
  const gatewayIds = ctx.site.config.gateways.map((g) => g.id);
  const telemetryTopics = gatewayIds.map((g) =>
    ctx.shareGroup ? `$share/${ctx.shareGroup}/${topics.telemetry(g)}` : topics.telemetry(g),
  );
  if (telemetryTopics.length === 0) log.warn('the site file declares no gateways; nothing to collect');
  const watchTopics = GatewayWatch.topics(gatewayIds);
  const outage = new OutageLog({
    log,
    what: 'mqtt broker',
    meanwhile: 'the broker keeps the telemetry for this session until it returns',
  });
  const watch = new GatewayWatch({
    log,
    shared: ctx.shareGroup !== undefined,
    busy: () => storeOutage.down,
    ...(ctx.silenceMs === undefined ? {} : { silenceMs: ctx.silenceMs }),
    ...(ctx.gapGraceMs === undefined ? {} : { graceMs: ctx.gapGraceMs }),
    onSilent: () => {
      for (const c of clients)
        c.resubscribe().catch((err: unknown) =>
          log.error('subscribing again failed', { error: errorText(err) }),
        );
    },
    onLost: (lost) => {
      counters.gaps++;
      log.warn('telemetry sequence gap: batches never stored', {
        gateway: lost.gateway,
        epoch: lost.epoch,
        cause: lost.cause,
        missing: missingText(lost.missing),
      });
    },
  });
  // Silence and store failures, for the alarm service (retained on jn/v1/conditions/collector/<client id>).
  const conditions = new CollectorConditions({
    instance: baseId,
    site: ctx.site.config.site.id,
    timeZone: ctx.site.config.site.timezone,
    log,
    publish: async (topic, payload) => {
      const c = clients.find((c) => c.client.connected)?.client;
      if (!c) throw new Error('not connected to the broker');
      await c.publishAsync(topic, payload, { qos: 1, retain: true });
    },
  });
  const watchTimer = setInterval(() => {
    watch.tick();
    conditions.update(watch.silent, { down: storeOutage.down, error: counters.last_store_error });
    drops.sayDuplicates(false);
  }, 1000);
  watchTimer.unref();

  // Several connections in one shared group spread the broker's in-flight limit per client
  // (Mosquitto's max_inflight_messages, 20 by default) and its queues. The first connection also
  // watches the gateways' availability and progress (retained, not shared).
  clients = await Promise.all(
    Array.from({ length: connections }, (_, i) =>
      connectTelemetry({
        url: ctx.mqttUrl,
        mqtt: ctx.mqtt,
        clientId: connections === 1 ? baseId : `${baseId}-${i + 1}`,
        clean: !(ctx.persistentSession ?? true),
        subscriptions: i === 0 ? [...telemetryTopics, ...watchTopics] : telemetryTopics,
        ...(i === 0
          ? {
              onReconnect: () => {
                watch.reconnected();
                conditions.republish();
              },
            }
          : {}),
        ackWindow,
        handle,
        log,
        outage,
      }),
    ),
  );
  const metrics = collectorMetrics(() => ({
    counters,
    silent: watch.silent,
    connected: clients.map((c) => c.client.connected),
  }));
  log.info('collector started', {
    store: ctx.store.kind,
    topics: telemetryTopics.join(','),
    connections,
  });
  // Catch up on the last two days (what arrived while no collector ran), then keep current.
  rollups.markAll(clock.now() - 2 * 86_400_000);
  rollups.start();

  return {
    metrics,
    status: () => {
      const connected = clients.every((c) => c.client.connected);
      return {
        state: connected && watch.silent.length === 0 ? 'running' : 'degraded',
        detail: {
          mqtt_connected: connected,
          ...counters,
          subscribes: clients.reduce((n, c) => n + c.subscribes(), 0),
          silent_gateways: watch.silent,
          rollups: { ...rollups.counters },
        },
      };
    },
    stop: async () => {
      stopping = true;
      clearInterval(gapTimer);
      clearInterval(watchTimer);
      confirmer.stop();
      drops.sayDuplicates(true);
      // Gaps still open: not seen by this collector, whatever may arrive after it stopped.
      for (const gap of gaps.expired(Number.POSITIVE_INFINITY)) reportGap(gap);
      for (const wake of wakers) wake();
      await Promise.all(clients.map((c) => c.client.endAsync()));
      await rollups.stop();
      log.info('collector stopped', { ...counters });
    },
  };
}
