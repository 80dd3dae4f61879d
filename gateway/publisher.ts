import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Clock } from '../core/clock.ts';
import type { CommandResult } from '../core/commands.ts';
import type { Logger } from '../core/log.ts';
import type { Availability, Reading, TelemetryBatch } from '../core/telemetry.ts';
import { topics } from '../core/topics.ts';

/**
 * Publishes a gateway's telemetry batches on QoS 1 with a per-gateway sequence number that
 * survives restarts (kept in `<dataDir>/gateway-<id>.seq`), and its retained availability with
 * an MQTT last will.
 */
export class TelemetryPublisher {
  private client: MqttClient | undefined;
  private seq: number;
  private readonly seqFile: string;
  published = 0;

  constructor(
    private readonly ctx: { gatewayId: string; mqttUrl: string; dataDir: string; clock: Clock; log: Logger },
  ) {
    mkdirSync(ctx.dataDir, { recursive: true });
    this.seqFile = join(ctx.dataDir, `gateway-${ctx.gatewayId}.seq`);
    this.seq = readSeq(this.seqFile);
  }

  async connect(): Promise<void> {
    const { gatewayId, mqttUrl, log } = this.ctx;
    const offline: Availability = { state: 'offline' };
    this.client = await mqtt.connectAsync(mqttUrl, {
      clientId: `jn-gateway-${gatewayId}`,
      clean: false,
      reconnectPeriod: 1000,
      will: {
        topic: topics.availability(gatewayId),
        payload: Buffer.from(JSON.stringify(offline)),
        qos: 1,
        retain: true,
      },
    });
    this.client.on('error', (err) => log.warn('mqtt error', { error: err.message }));
    this.client.on('offline', () => log.warn('mqtt broker unreachable; publishing resumes on reconnect'));
    await this.setAvailability('online');
  }

  connected(): boolean {
    return this.client?.connected ?? false;
  }

  private async setAvailability(state: Availability['state']): Promise<void> {
    const payload: Availability = { state, since: new Date(this.ctx.clock.now()).toISOString() };
    await this.client?.publishAsync(topics.availability(this.ctx.gatewayId), JSON.stringify(payload), {
      qos: 1,
      retain: true,
    });
  }

  /** Publishes one batch; resolves when the broker acknowledged it (PUBACK). */
  async publish(readings: Reading[]): Promise<void> {
    if (!this.client || readings.length === 0) return;
    this.seq += 1;
    writeFileSync(this.seqFile, String(this.seq));
    const batch: TelemetryBatch = {
      gateway: this.ctx.gatewayId,
      seq: this.seq,
      sent_at: new Date(this.ctx.clock.now()).toISOString(),
      readings,
    };
    await this.client.publishAsync(topics.telemetry(this.ctx.gatewayId), JSON.stringify(batch), { qos: 1 });
    this.published += 1;
  }

  /** Receives this gateway's commands (QoS 1); `handle` gets the raw payload. */
  async onCommand(handle: (payload: Buffer) => void): Promise<void> {
    const client = this.client;
    if (!client) return;
    const topic = topics.command(this.ctx.gatewayId);
    client.on('message', (t, payload) => {
      if (t === topic) handle(payload);
    });
    await client.subscribeAsync(topic, { qos: 1 });
  }

  /** Publishes a command outcome (QoS 1). */
  async publishResult(result: CommandResult): Promise<void> {
    await this.client?.publishAsync(topics.commandResult(this.ctx.gatewayId), JSON.stringify(result), {
      qos: 1,
    });
  }

  async close(): Promise<void> {
    if (!this.client) return;
    await this.setAvailability('offline').catch(() => {});
    await this.client.endAsync();
    this.client = undefined;
  }
}

function readSeq(file: string): number {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}
