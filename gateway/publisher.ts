import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Clock } from '../core/clock.ts';
import type { CommandResult } from '../core/commands.ts';
import type { Logger } from '../core/log.ts';
import { type MqttConnection, mqttClientOptions } from '../core/mqtt/connection.ts';
import { OutageLog } from '../core/outageLog.ts';
import type {
  Availability,
  DeviceAvailabilityState,
  Progress,
  Reading,
  TelemetryBatch,
} from '../core/telemetry.ts';
import { storedSchema } from '../core/telemetry.ts';
import { topics } from '../core/topics.ts';
import { Spool, type SpoolLimits } from './spool.ts';

/** Batches published and not yet acknowledged, at most (mqtt.js loses callbacks on unbounded bursts, DESIGN §9). */
const WINDOW = 200;
/** Most readings in one batch: well inside the collector's limits (telemetryLimits: 20,000 readings, 4 MiB). */
const MAX_BATCH_READINGS = 2000;
/** A batch the broker acknowledged and no collector confirmed within this is sent again (ms). */
const CONFIRM_TIMEOUT_MS = 30_000;
/** How often the high-water mark (`jn/v1/<gateway>/progress`) is published at most while batches flow. */
const PROGRESS_EVERY_MS = 5000;

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
  private readonly epoch: string;
  private progressTimer: NodeJS.Timeout | undefined;
  private lastProgress = 0;
  private readonly outage: OutageLog;
  /** Collectors that do not confirm what the broker acknowledged: one line when it starts, one when it ends. */
  private readonly unconfirmed: OutageLog;
  private resendTimer: NodeJS.Timeout | undefined;
  /** Resends back off while no collector confirms (one down for hours is not flooded): ms, next time. */
  private resendBackoff = 0;
  private nextResend = 0;
  /** Highest seq the broker acknowledged (the progress mark's `seq`). */
  private ackedHigh: number;
  published = 0;
  /** Each field device's latest availability (undefined: clear it), sent again on every (re)connect. */
  private readonly deviceStates = new Map<string, DeviceAvailabilityState | undefined>();

  constructor(
    private readonly ctx: {
      gatewayId: string;
      mqttUrl: string;
      dataDir: string;
      clock: Clock;
      log: Logger;
      spool?: SpoolLimits;
      /** User, password and TLS files of this gateway's principal (`gateway-<id>`, core/mqtt/acl.ts). */
      mqtt?: MqttConnection | undefined;
    },
  ) {
    const limits = ctx.spool ?? { maxBytes: 256 * 1024 * 1024, maxAgeMs: 30 * 86_400_000 };
    this.spool = new Spool(join(ctx.dataDir, `gateway-${ctx.gatewayId}.spool.db`), limits, ctx.log);
    this.epoch = this.spool.epoch();
    this.ackedHigh = this.spool.doneUpTo();
    this.unconfirmed = new OutageLog({
      log: ctx.log,
      what: 'collectors',
      failure: `confirm no telemetry within ${CONFIRM_TIMEOUT_MS / 1000} s`,
      meanwhile: 'the batches stay spooled and are sent again',
      recovery: 'confirm telemetry again',
    });
    this.outage = new OutageLog({
      log: ctx.log,
      what: 'mqtt broker',
      meanwhile: 'telemetry is spooled until it returns',
    });
  }

  setSpoolLimits(limits: SpoolLimits): void {
    this.spool.setLimits(limits);
  }

  /** Starts connecting; does not wait for the broker, which may be down — the spool holds the data meanwhile. */
  connect(): void {
    const { gatewayId, mqttUrl, log } = this.ctx;
    const offline: Availability = { state: 'offline' };
    const client = mqtt.connect(
      mqttUrl,
      mqttClientOptions(this.ctx.mqtt, {
        clientId: `jn-gateway-${gatewayId}`,
        clean: true,
        reconnectPeriod: 1000,
        will: {
          topic: topics.availability(gatewayId),
          payload: Buffer.from(JSON.stringify(offline)),
          qos: 1,
          retain: true,
        },
      }),
    );
    // One line when the broker goes away and one when it is back, not one per reconnect attempt.
    client.on('error', (err) => this.outage.fail(err.message));
    client.on('offline', () => this.outage.fail('connection lost'));
    const storedTopic = topics.stored(gatewayId);
    client.on('message', (topic, payload) => {
      if (topic === storedTopic) this.confirmed(payload);
    });
    client.on('connect', () => {
      this.outage.ok();
      client.subscribe(storedTopic, { qos: 1 });
      log.info('mqtt connected; replaying the spool', { spooled: this.spool.stats().batches });
      this.sentUpTo = 0; // resend whatever is still unacknowledged, in order
      this.setAvailability('online').catch(() => {});
      for (const [device, state] of this.deviceStates) this.sendDeviceAvailability(device, state);
      this.publishProgress();
      this.pump();
    });
    this.client = client;
    this.resendTimer = setInterval(() => this.resendUnconfirmed(), 5000);
    this.resendTimer.unref();
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
    // A batch the collector would refuse (telemetryLimits) would be sent again forever: split it.
    if (readings.length > MAX_BATCH_READINGS) {
      for (let i = 0; i < readings.length; i += MAX_BATCH_READINGS)
        this.enqueue(readings.slice(i, i + MAX_BATCH_READINGS));
      return;
    }
    const sentAt = new Date(this.ctx.clock.now()).toISOString();
    this.spool.append((seq) => {
      const batch: TelemetryBatch = {
        gateway: this.ctx.gatewayId,
        epoch: this.epoch,
        seq,
        sent_at: sentAt,
        readings,
      };
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
              this.spool.acked(b.seq, Date.now());
              this.ackedHigh = Math.max(this.ackedHigh, b.seq);
              this.published++;
              this.progressSoon();
            }
            this.pump();
          });
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** A collector stored these batches (`jn/v1/<gateway>/stored`): they leave the spool. */
  private confirmed(payload: Buffer): void {
    let parsed: ReturnType<typeof storedSchema.safeParse>;
    try {
      parsed = storedSchema.safeParse(JSON.parse(payload.toString('utf8')));
    } catch {
      return;
    }
    if (!parsed.success || parsed.data.epoch !== this.epoch) return;
    if (this.spool.confirm(parsed.data.ranges) > 0) {
      this.unconfirmed.ok();
      this.resendBackoff = 0;
      this.nextResend = 0;
      this.progressSoon();
    }
  }

  /** Sends again, oldest first, what the broker acknowledged but no collector confirmed in time. */
  private resendUnconfirmed(): void {
    const now = Date.now();
    if (!this.client?.connected || now < this.nextResend) return;
    const first = this.spool.requeue(now - CONFIRM_TIMEOUT_MS, WINDOW);
    if (first === undefined) return;
    this.resendBackoff = Math.min(10 * 60_000, Math.max(CONFIRM_TIMEOUT_MS, this.resendBackoff * 2));
    this.nextResend = now + this.resendBackoff;
    this.unconfirmed.fail(`batches from seq ${first} on not confirmed`);
    this.sentUpTo = Math.min(this.sentUpTo, first - 1);
    this.pump();
  }

  /** Publishes the high-water mark within PROGRESS_EVERY_MS (at most once per period while batches flow). */
  private progressSoon(): void {
    if (this.progressTimer) return;
    const wait = Math.max(0, this.lastProgress + PROGRESS_EVERY_MS - Date.now());
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      this.publishProgress();
    }, wait);
    this.progressTimer.unref();
  }

  /** Retained `jn/v1/<gateway>/progress`: every batch up to `seq` of this epoch has left the spool. */
  private publishProgress(): void {
    const client = this.client;
    if (!client?.connected) return;
    this.lastProgress = Date.now();
    const mark: Progress = {
      gateway: this.ctx.gatewayId,
      epoch: this.epoch,
      seq: Math.max(this.ackedHigh, this.spool.doneUpTo()),
      confirmed: this.spool.doneUpTo(),
      dropped: this.spool.droppedRanges(),
      at: new Date(this.ctx.clock.now()).toISOString(),
    };
    client.publish(topics.progress(this.ctx.gatewayId), JSON.stringify(mark), { qos: 1, retain: true });
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

  /**
   * Publishes a field device's availability, retained (QoS 1), and keeps it to send again after a
   * reconnect, so the broker holds the latest state even if it lost it; `undefined` clears the
   * retained topic (a device removed by a reload).
   */
  publishDeviceAvailability(device: string, state: DeviceAvailabilityState | undefined): void {
    this.deviceStates.set(device, state);
    this.sendDeviceAvailability(device, state);
  }

  private sendDeviceAvailability(device: string, state: DeviceAvailabilityState | undefined): void {
    if (!this.client?.connected) return; // sent on connect
    if (!state) this.deviceStates.delete(device);
    const payload = state ? JSON.stringify(state) : ''; // an empty retained message deletes it
    this.client
      .publishAsync(topics.deviceAvailability(this.ctx.gatewayId, device), payload, { qos: 1, retain: true })
      .catch(() => {});
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
    clearInterval(this.resendTimer);
    while (this.connected() && this.spool.unsent() > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    clearTimeout(this.progressTimer);
    this.publishProgress();
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
