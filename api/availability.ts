import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../core/log.ts';
import { type MqttConnection, mqttClientOptions } from '../core/mqtt/connection.ts';
import {
  type Availability,
  availabilitySchema,
  type DeviceAvailabilityState,
  deviceAvailabilitySchema,
} from '../core/telemetry.ts';
import { availabilityFilters, availabilityTopicOf } from '../core/topics.ts';

/** A device's availability as the API shows it, with the gateway that reports it. */
export type DeviceAvailabilityView = DeviceAvailabilityState & { gateway: string };

/**
 * What the gateways say about their field devices, from the retained availability topics: the API
 * subscribes to `jn/v1/+/devices/+/availability` and `jn/v1/+/availability` and keeps the latest of
 * each. Retained messages make it right from the first connect, in `jieneng start` (embedded broker)
 * and in a split deployment alike; nothing goes through the store. A device whose gateway is offline
 * (its last will) is shown offline since then, whatever the gateway said last about it.
 */
export class AvailabilityWatch {
  private readonly client: MqttClient;
  private readonly devices = new Map<string, DeviceAvailabilityView>();
  private readonly gateways = new Map<string, Availability>();
  private readonly rejected = new Set<string>();

  constructor(ctx: { mqttUrl: string; log: Logger; clientId?: string; mqtt?: MqttConnection | undefined }) {
    const log = ctx.log;
    this.client = mqtt.connect(
      ctx.mqttUrl,
      mqttClientOptions(ctx.mqtt, {
        clientId: ctx.clientId ?? `jn-api-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
        clean: true,
        reconnectPeriod: 1000,
      }),
    );
    // Subscribed on every connect: a clean session has none after a reconnect.
    this.client.on('connect', () => {
      this.client.subscribe([availabilityFilters.gateways, availabilityFilters.devices], { qos: 1 });
    });
    this.client.on('message', (topic, payload) => this.take(topic, payload, log));
  }

  private take(topic: string, payload: Buffer, log: Logger): void {
    const of = availabilityTopicOf(topic);
    if (!of) return;
    if (payload.length === 0) {
      // An empty retained message: the gateway removed the device (or itself).
      if (of.device) this.devices.delete(of.device);
      else this.gateways.delete(of.gateway);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      json = undefined;
    }
    const parsed = (of.device ? deviceAvailabilitySchema : availabilitySchema).safeParse(json);
    if (!parsed.success) {
      // Logged once per topic: a broken publisher must not flood the log.
      if (!this.rejected.has(topic))
        log.warn('availability message ignored: not a valid payload', {
          topic,
          error: parsed.error.issues[0]?.message,
        });
      this.rejected.add(topic);
      return;
    }
    if (of.device)
      this.devices.set(of.device, { ...(parsed.data as DeviceAvailabilityState), gateway: of.gateway });
    else this.gateways.set(of.gateway, parsed.data as Availability);
  }

  /** The device's availability, or undefined when no gateway has said anything about it. */
  get(device: string): DeviceAvailabilityView | undefined {
    const own = this.devices.get(device);
    if (!own) return undefined;
    const gw = this.gateways.get(own.gateway);
    if (gw?.state !== 'offline' || own.state === 'offline') return own;
    return {
      state: 'offline',
      since: gw.since ?? own.since,
      reason: `gateway "${own.gateway}" is offline`,
      gateway: own.gateway,
    };
  }

  async stop(): Promise<void> {
    await this.client.endAsync(true);
  }
}
