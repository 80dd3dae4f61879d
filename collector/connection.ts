import mqtt, { type MqttClient } from 'mqtt';
import { errorText } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { type MqttConnection, mqttClientOptions } from '../core/mqtt/connection.ts';
import type { OutageLog } from '../core/outageLog.ts';
import { AckWindow } from './ackWindow.ts';

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: () => void, ...rest: unknown[]) => void;

export interface TelemetryConnection {
  client: MqttClient;
  /** Subscriptions (re)made on this connection so far: 1 after the first connect, +1 per reconnect. */
  subscribes(): number;
  /** Subscribes again now (the silence watch asks when the broker seems to have forgotten us). */
  resubscribe(): Promise<void>;
}

/**
 * One MQTT connection of the collector. Every QoS 1 message goes through `handle`, and its PUBACK is
 * sent only once `handle` resolves true (stored); up to `ackWindow` messages are in flight. The
 * topics are subscribed on every connect, whatever CONNACK's sessionPresent says: Mosquitto 2.0.11
 * with persistence restores a session after a restart but not its shared subscriptions, and
 * mqtt.js does not resubscribe when the session is present — a collector once stayed deaf after a
 * broker restart, with no warning, until restarted by hand (issue 13 §2).
 */
export async function connectTelemetry(ctx: {
  url: string;
  clientId: string;
  clean: boolean;
  subscriptions: string[];
  ackWindow: number;
  handle: (topic: string, payload: Buffer) => Promise<boolean>;
  log: Logger;
  /** The broker's outage, shared by all connections: one line when it goes, one when it is back. */
  outage: OutageLog;
  /** Called on every reconnect (not the first connect). */
  onReconnect?: () => void;
  /** User, password and TLS files of the collector's principal (core/mqtt/acl.ts). */
  mqtt?: MqttConnection | undefined;
}): Promise<TelemetryConnection> {
  const { log } = ctx;
  const client: MqttClient = mqtt.connect(
    ctx.url,
    mqttClientOptions(ctx.mqtt, {
      clientId: ctx.clientId,
      clean: ctx.clean,
      reconnectPeriod: 1000,
      resubscribe: false, // done below on every connect, session or not
    }),
  );
  // mqtt.js sends a message's PUBACK once handleMessage calls back, and takes no further message
  // from the connection until then. The window (ackWindow.ts) calls back at once while it has
  // room, holds the PUBACK that mqtt.js then sends, and sends it itself once the message is
  // stored: several messages per connection are in flight, each acknowledged only once stored.
  // mqtt.js has no public hook for a deferred PUBACK; its _sendPacket is wrapped for that, and
  // test/collectorDelivery.test.ts (a collector killed mid-stream loses nothing) guards it.
  const internals = client as unknown as { _sendPacket: SendPacket };
  const mqttSend = internals._sendPacket.bind(client);
  const window = new AckWindow(ctx.ackWindow, (messageId) => mqttSend({ cmd: 'puback', messageId }));
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
      ctx.handle(packet.topic, payload).then(
        (ack) => ack && callback(),
        (err: unknown) =>
          log.error('telemetry handling failed', { topic: packet.topic, error: errorText(err) }),
      );
      return;
    }
    held.set(id, (held.get(id) ?? 0) + 1);
    const done = window.take(id, () => callback());
    ctx.handle(packet.topic, payload).then(done, (err: unknown) => {
      log.error('telemetry handling failed', { topic: packet.topic, error: errorText(err) });
      done(false);
    });
  };
  client.on('error', (err) => ctx.outage.fail(err.message));
  client.on('offline', () => ctx.outage.fail('connection lost'));
  let subscribes = 0;
  const subscribe = async () => {
    if (ctx.subscriptions.length === 0) return;
    const granted = await client.subscribeAsync(ctx.subscriptions, { qos: 1 });
    subscribes++;
    const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
    if (refused.length > 0)
      log.error('the broker refused subscriptions: their telemetry is not collected', {
        topics: refused.join(','),
      });
  };
  client.on('connect', (connack) => {
    ctx.outage.ok();
    if (subscribes === 0) return; // the first connect subscribes below, once the handlers are set
    ctx.onReconnect?.();
    log.info('mqtt reconnected; subscribing again', {
      client_id: ctx.clientId,
      session_present: connack.sessionPresent,
    });
    subscribe().catch((err: unknown) =>
      log.error('subscribing after a reconnect failed; retried on the next connect', {
        error: errorText(err),
      }),
    );
  });
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
  await subscribe();
  if (subscribes === 0) subscribes = 1; // nothing to subscribe: later connects need not either
  return { client, subscribes: () => subscribes, resubscribe: subscribe };
}
