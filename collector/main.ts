import mqtt, { type MqttClient } from 'mqtt';
import type { LoadedSite } from '../core/config/loadSite.ts';
import { errorText } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { ServiceStatus } from '../core/status.ts';
import type { Store } from '../core/store/store.ts';
import { telemetryBatchSchema } from '../core/telemetry.ts';
import { gatewayOfTelemetryTopic, topics } from '../core/topics.ts';
import { createEnricher } from './enrich.ts';
import { type BatchVerdict, SequenceTracker } from './sequence.ts';

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
  last_rejection?: string;
  last_store_error?: string;
}

/**
 * Subscribes to the telemetry of the site's gateways, validates each batch, drops duplicates by
 * (gateway, seq), tags readings from the site tree and writes them to the store in arrival order.
 * A malformed message is logged with its reason and skipped; the collector keeps going.
 */
export async function startCollector(ctx: {
  site: LoadedSite;
  mqttUrl: string;
  store: Store;
  log: Logger;
  clientId?: string;
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
  };
  let chain: Promise<void> = Promise.resolve();

  const reject = (topic: string, reason: string) => {
    counters.rejected++;
    counters.last_rejection = `${topic}: ${reason}`;
    log.warn('telemetry rejected', { topic, reason });
  };

  const handle = async (topic: string, payload: Buffer) => {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      reject(topic, `not JSON: ${errorText(err)}`);
      return;
    }
    const parsed = telemetryBatchSchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      reject(topic, `invalid telemetry batch: ${issues}`);
      return;
    }
    const batch = parsed.data;
    const topicGateway = gatewayOfTelemetryTopic(topic);
    if (topicGateway !== batch.gateway) {
      reject(
        topic,
        `batch says gateway "${batch.gateway}" but was published on the topic of gateway "${topicGateway}"`,
      );
      return;
    }
    const verdict: BatchVerdict = sequences.check(batch.gateway, batch.seq);
    if (verdict.kind === 'duplicate') {
      counters.duplicates++;
      return;
    }
    if (verdict.kind === 'gap') {
      counters.gaps++;
      log.warn('telemetry sequence gap', {
        gateway: batch.gateway,
        expected: verdict.expected,
        got: batch.seq,
      });
    }
    try {
      await ctx.store.writeReadings(batch.readings.map(enrich));
      counters.batches++;
      counters.readings_stored += batch.readings.length;
    } catch (err) {
      sequences.forget(batch.gateway, batch.seq);
      counters.store_errors++;
      counters.last_store_error = errorText(err);
      log.error('store write failed', {
        gateway: batch.gateway,
        seq: batch.seq,
        error: counters.last_store_error,
      });
    }
  };

  const client: MqttClient = await mqtt.connectAsync(ctx.mqttUrl, {
    clientId: ctx.clientId ?? `jn-collector-${process.pid}`,
    reconnectPeriod: 1000,
  });
  client.on('error', (err) => log.warn('mqtt error', { error: err.message }));
  client.on('message', (topic, payload) => {
    chain = chain.then(() => handle(topic, payload));
  });
  // Only the site's own gateways: a broker may carry other sites (or other test runs) too.
  const subscriptions = ctx.site.config.gateways.map((g) => topics.telemetry(g.id));
  if (subscriptions.length === 0) log.warn('the site file declares no gateways; nothing to collect');
  else await client.subscribeAsync(subscriptions, { qos: 1 });
  log.info('collector started', { store: ctx.store.kind, topics: subscriptions.join(',') });

  return {
    status: () => ({
      state: client.connected ? 'running' : 'degraded',
      detail: { mqtt_connected: client.connected, ...counters },
    }),
    stop: async () => {
      await client.endAsync();
      await chain;
      log.info('collector stopped', { ...counters });
    },
  };
}
