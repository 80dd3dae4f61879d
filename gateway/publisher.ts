import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Clock } from '../core/clock.ts';
import type { CommandResult } from '../core/commands.ts';
import type { Logger } from '../core/log.ts';
import type { Availability, Reading, TelemetryBatch } from '../core/telemetry.ts';
import { topics } from '../core/topics.ts';
import { Spool, type SpoolLimits } from './spool.ts';

/** Batches published and not yet acknowledged, at most (mqtt.js loses callbacks on unbounded bursts, DESIGN §9). */
const WINDOW = 200;

/**
 * Publishes a gateway's telemetry through its disk spool: each batch gets the next per-gateway
 * sequence number and is stored before anything is sent; batches go out on QoS 1 in order while the
 * broker is reachable and leave the spool when the broker acknowledges them. A broker outage, a
 * gateway crash or a restart loses nothing that was spooled; a replay may repeat a batch, which
 * the collector drops by (gateway, seq). Also the retained availability with an MQTT last will.
 */
export class TelemetryPublisher {
  private client: MqttClient | undefined;
  private readonly spool: Spool;
  /** Highest seq handed to the broker since the last (re)connect. */
  private sentUpTo = 0;
  private inFlight = 0;
  private pumping = false;
  published = 0;

  constructor(
    private readonly ctx: {
      gatewayId: string;
      mqttUrl: string;
      dataDir: string;
      clock: Clock;
      log: Logger;
      spool?: SpoolLimits;
    },
  ) {
    const limits = ctx.spool ?? { maxBytes: 256 * 1024 * 1024, maxAgeMs: 30 * 86_400_000 };
    this.spool = new Spool(join(ctx.dataDir, `gateway-${ctx.gatewayId}.spool.db`), limits, ctx.log);
  }

  setSpoolLimits(limits: SpoolLimits): void {
    this.spool.setLimits(limits);
  }

  /** Starts connecting; does not wait for the broker, which may be down — the spool holds the data meanwhile. */
  connect(): void {
    const { gatewayId, mqttUrl, log } = this.ctx;
    const offline: Availability = { state: 'offline' };
    const client = mqtt.connect(mqttUrl, {
      clientId: `jn-gateway-${gatewayId}`,
      clean: true,
      reconnectPeriod: 1000,
      will: {
        topic: topics.availability(gatewayId),
        payload: Buffer.from(JSON.stringify(offline)),
        qos: 1,
        retain: true,
      },
    });
    client.on('error', (err) => log.warn('mqtt error', { error: err.message }));
    client.on('offline', () =>
      log.warn('mqtt broker unreachable; telemetry is spooled until it returns', {
        spooled: this.spool.stats().batches,
      }),
    );
    client.on('connect', () => {
      log.info('mqtt connected; replaying the spool', { spooled: this.spool.stats().batches });
      this.sentUpTo = 0; // resend whatever is still unacknowledged, in order
      this.setAvailability('online').catch(() => {});
      this.pump();
    });
    this.client = client;
  }

  connected(): boolean {
    return this.client?.connected ?? false;
  }

  spoolStats(): ReturnType<Spool['stats']> & { in_flight: number } {
    return { ...this.spool.stats(), in_flight: this.inFlight };
  }

  private async setAvailability(state: Availability['state']): Promise<void> {
    const payload: Availability = { state, since: new Date(this.ctx.clock.now()).toISOString() };
    await this.client?.publishAsync(topics.availability(this.ctx.gatewayId), JSON.stringify(payload), {
      qos: 1,
      retain: true,
    });
  }

  /** Spools one batch of readings under the next sequence number and sends what the window allows. */
  enqueue(readings: Reading[]): void {
    if (readings.length === 0) return;
    const sentAt = new Date(this.ctx.clock.now()).toISOString();
    this.spool.append((seq) => {
      const batch: TelemetryBatch = { gateway: this.ctx.gatewayId, seq, sent_at: sentAt, readings };
      return JSON.stringify(batch);
    }, this.ctx.clock.now());
    this.pump();
  }

  /** Sends spooled batches in order while connected and the window has room. */
  private pump(): void {
    const client = this.client;
    if (this.pumping || !client?.connected) return;
    this.pumping = true;
    try {
      while (client.connected && this.inFlight < WINDOW) {
        const batches = this.spool.next(this.sentUpTo, WINDOW - this.inFlight);
        if (batches.length === 0) break;
        for (const b of batches) {
          this.sentUpTo = b.seq;
          this.inFlight++;
          client.publish(topics.telemetry(this.ctx.gatewayId), b.payload, { qos: 1 }, (err) => {
            this.inFlight--;
            if (!err) {
              this.spool.remove(b.seq);
              this.published++;
            }
            this.pump();
          });
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Receives this gateway's commands (QoS 1); `handle` gets the raw payload. Subscribed again on every reconnect. */
  async onCommand(handle: (payload: Buffer) => void): Promise<void> {
    const client = this.client;
    if (!client) return;
    const topic = topics.command(this.ctx.gatewayId);
    client.on('message', (t, payload) => {
      if (t === topic) handle(payload);
    });
    const subscribe = () => client.subscribe(topic, { qos: 1 });
    client.on('connect', subscribe);
    if (client.connected) subscribe();
  }

  /** Publishes a command outcome (QoS 1). */
  async publishResult(result: CommandResult): Promise<void> {
    await this.client?.publishAsync(topics.commandResult(this.ctx.gatewayId), JSON.stringify(result), {
      qos: 1,
    });
  }

  /** Waits up to `ms` for the spool to drain (for a clean stop), then disconnects; what is left stays spooled. */
  async close(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.connected() && this.spool.stats().batches > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const client = this.client;
    this.client = undefined;
    if (client) {
      if (client.connected) await this.publishOffline(client);
      await client.endAsync(true);
    }
    this.spool.close();
  }

  private async publishOffline(client: MqttClient): Promise<void> {
    const payload: Availability = { state: 'offline', since: new Date(this.ctx.clock.now()).toISOString() };
    await client
      .publishAsync(topics.availability(this.ctx.gatewayId), JSON.stringify(payload), {
        qos: 1,
        retain: true,
      })
      .catch(() => {});
  }
}
