import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { z } from 'zod';
import { alarmRules } from '../core/alarms/model.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import { pointChangeSchema } from '../core/control/events.ts';
import type { Logger } from '../core/log.ts';
import { type MqttConnection, mqttClientOptions } from '../core/mqtt/connection.ts';
import {
  availabilitySchema,
  deviceAvailabilitySchema,
  readingSchema,
  telemetryEnvelopeSchema,
} from '../core/telemetry.ts';
import { availabilityFilters, availabilityTopicOf, gatewayOfTelemetryTopic, topics } from '../core/topics.ts';
import { siteInstant } from './timestamps.ts';

/**
 * What the stream checks of an AlarmEvent (core/alarms/model.ts) from the alarm service before it
 * relays it as it came: the parts it filters by; the rest travels as the alarm service wrote it.
 */
const alarmEventSchema = z.looseObject({
  transition: z.looseObject({ seq: z.number().int(), alarm_id: z.number().int(), action: z.string() }),
  alarm: z.looseObject({
    id: z.number().int(),
    rule: z.enum(alarmRules),
    building: z.string().nullable(),
    device: z.string().nullable(),
    gateway: z.string().nullable(),
  }),
});

/** The kinds of events the stream carries (`reset` is sent to one client, never kept). */
export type StreamEventType = 'reading' | 'availability' | 'point' | 'alarm';

/** One event of the stream, kept in the ring buffer as it is sent. */
export interface StreamEvent {
  /** Increasing; the SSE `id`, echoed back as Last-Event-ID. */
  id: number;
  type: StreamEventType;
  /** The devices it concerns, for `?device=` (a gateway's availability: every device of it). */
  devices: readonly string[];
  /** The JSON of the event's data (one line). */
  data: string;
}

export interface EventHubOptions {
  mqttUrl: string;
  /** Credentials and TLS of the API's MQTT principal. */
  mqtt?: MqttConnection | undefined;
  site: LoadedSite;
  log: Logger;
  /** Events kept for Last-Event-ID (default 2000). */
  capacity?: number;
  /** Bytes of event data kept at most (default 16 MiB): a big telemetry batch cannot hold the memory. */
  maxBytes?: number;
  clientId?: string;
}

/**
 * The live events of the site, from the broker: readings (each gateway's telemetry, one event per
 * device and batch), device and gateway availability (changes only: the retained state that a
 * subscription replays is not news), points whose value in effect changed (control,
 * `jn/v1/control/<site>/points`) and alarms (each AlarmEvent of the alarm service, `jn/v1/alarms/events`). The last `capacity` events are kept in
 * a ring buffer so that a client reconnecting with Last-Event-ID gets what it missed.
 *
 * Ids start at the process's start time × 1000 and count up, so an id from an earlier run of the
 * API is older than this run's buffer and gets a `reset`, never the wrong events.
 */
export class EventHub {
  private readonly client: MqttClient;
  private readonly buffer: StreamEvent[] = [];
  private bytes = 0;
  private nextId = Date.now() * 1000 + 1;
  private readonly listeners = new Set<(e: StreamEvent) => void>();
  private readonly seen = new Map<string, Set<string>>();
  private readonly capacity: number;
  private readonly maxBytes: number;
  private readonly timeZone: string;
  private readonly gateways: Map<string, string[]>;
  private readonly devices: Set<string>;
  private readonly buildings: Set<string>;
  private subscribed: Promise<void>;

  constructor(ctx: EventHubOptions) {
    this.capacity = ctx.capacity ?? 2000;
    this.maxBytes = ctx.maxBytes ?? 16 * 1024 * 1024;
    this.timeZone = ctx.site.config.site.timezone;
    this.gateways = new Map(ctx.site.config.gateways.map((g) => [g.id, [] as string[]]));
    for (const d of ctx.site.devices.values()) this.gateways.get(d.gatewayId)?.push(d.device.id);
    this.devices = new Set(ctx.site.devices.keys());
    this.buildings = new Set(ctx.site.config.organization.buildings.map((b) => b.id));
    this.client = mqtt.connect(
      ctx.mqttUrl,
      mqttClientOptions(ctx.mqtt, {
        clientId: ctx.clientId ?? `jn-api-stream-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
        clean: true,
        reconnectPeriod: 1000,
      }),
    );
    const filters = [
      ...[...this.gateways.keys()].map((g) => topics.telemetry(g)),
      availabilityFilters.gateways,
      availabilityFilters.devices,
      topics.controlPoints(ctx.site.config.site.id),
      topics.alarmEvents,
    ];
    let done: () => void = () => {};
    this.subscribed = new Promise((resolve) => {
      done = resolve;
    });
    // Subscribed on every connect: a clean session has none after a reconnect.
    this.client.on('connect', () => {
      this.client.subscribeAsync(filters, { qos: 1 }).then(
        () => done(),
        (err: unknown) => ctx.log.warn('stream: subscribe failed', { error: String(err) }),
      );
    });
    this.client.on('message', (topic, payload, packet) => this.take(topic, payload, packet));
  }

  /** Resolves once the hub is subscribed (events published from then on are seen). */
  ready(): Promise<void> {
    return this.subscribed;
  }

  /** Calls `listener` with every new event until the returned function is called. */
  listen(listener: (e: StreamEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The id of the newest event (the one before the next when none is kept). */
  get lastId(): number {
    return this.nextId - 1;
  }

  /**
   * The kept events after `lastId`, or `reset` when `lastId` is not one this buffer can continue
   * from (older than its oldest event, or not of this run).
   */
  since(lastId: number): StreamEvent[] | 'reset' {
    const oldest = this.buffer[0]?.id ?? this.nextId;
    if (!Number.isSafeInteger(lastId) || lastId < oldest - 1 || lastId > this.lastId) return 'reset';
    return this.buffer.filter((e) => e.id > lastId);
  }

  /** Adds an event: kept, and sent to every listener. */
  emit(type: StreamEventType, devices: readonly string[], data: unknown): StreamEvent {
    const event: StreamEvent = { id: this.nextId++, type, devices, data: JSON.stringify(data) };
    this.buffer.push(event);
    this.bytes += event.data.length;
    while (this.buffer.length > this.capacity || (this.bytes > this.maxBytes && this.buffer.length > 1)) {
      const dropped = this.buffer.shift() as StreamEvent;
      this.bytes -= dropped.data.length;
    }
    for (const l of this.listeners) l(event);
    return event;
  }

  private take(topic: string, payload: Buffer, packet: IPublishPacket): void {
    let json: unknown;
    try {
      json = payload.length === 0 ? undefined : JSON.parse(payload.toString('utf8'));
    } catch {
      return; // the collector reports malformed telemetry; the stream only skips it
    }
    if (json === undefined) return; // an empty retained message clears a topic: nothing happened
    const gateway = gatewayOfTelemetryTopic(topic);
    if (gateway !== undefined) {
      this.readings(gateway, json);
      return;
    }
    const availability = availabilityTopicOf(topic);
    if (availability) {
      if (!packet.retain) this.availability(availability, json);
      return;
    }
    if (topic === topics.alarmEvents) {
      this.alarm(json);
      return;
    }
    const p = pointChangeSchema.safeParse(json);
    if (p.success) {
      const { site: _site, ...change } = p.data;
      this.emit('point', [change.device], { ...change, at: this.local(change.at) });
    }
  }

  /**
   * An AlarmEvent, as the alarm service published it (its times already the site's). One topic for
   * every site on the broker: an alarm naming another site's device, gateway or building is not this
   * site's; one naming none of them (the broker, the collector) is. `?device=` finds an alarm by its
   * device, or by every device of its gateway.
   */
  private alarm(json: unknown): void {
    const e = alarmEventSchema.safeParse(json);
    if (!e.success) return;
    const { device, gateway, building } = e.data.alarm;
    if (device !== null && !this.devices.has(device)) return;
    if (gateway !== null && !this.gateways.has(gateway)) return;
    if (building !== null && !this.buildings.has(building)) return;
    const devices = device !== null ? [device] : gateway !== null ? (this.gateways.get(gateway) ?? []) : [];
    this.emit('alarm', devices, json);
  }

  private readings(gateway: string, json: unknown): void {
    const batch = telemetryEnvelopeSchema.safeParse(json);
    if (!batch.success || !this.fresh(gateway, `${batch.data.epoch ?? ''}/${batch.data.seq}`)) return;
    const byDevice = new Map<string, unknown[]>();
    for (const raw of batch.data.readings) {
      const r = readingSchema.safeParse(raw);
      if (!r.success) continue;
      const { device, ts, ...rest } = r.data;
      const list = byDevice.get(device) ?? [];
      list.push({ ...rest, ts: this.local(ts) });
      byDevice.set(device, list);
    }
    for (const [device, readings] of byDevice) this.emit('reading', [device], { gateway, device, readings });
  }

  /** Whether a batch is new: a spool replays batches the broker already delivered (bounded memory). */
  private fresh(gateway: string, key: string): boolean {
    let seen = this.seen.get(gateway);
    if (!seen) {
      if (this.seen.size > 10_000) this.seen.clear();
      seen = new Set();
      this.seen.set(gateway, seen);
    }
    if (seen.has(key)) return false;
    seen.add(key);
    if (seen.size > 1000) seen.delete(seen.values().next().value as string);
    return true;
  }

  private availability(of: { gateway: string; device?: string }, json: unknown): void {
    const own = this.gateways.get(of.gateway);
    if (!own) return; // another site's gateway on a shared broker
    if (of.device) {
      const a = deviceAvailabilitySchema.safeParse(json);
      if (a.success)
        this.emit('availability', [of.device], {
          gateway: of.gateway,
          device: of.device,
          ...a.data,
          since: this.local(a.data.since),
        });
      return;
    }
    const a = availabilitySchema.safeParse(json);
    if (a.success)
      this.emit('availability', own, {
        gateway: of.gateway,
        device: null,
        state: a.data.state,
        since: a.data.since ? this.local(a.data.since) : null,
      });
  }

  private local(iso: string): string {
    return siteInstant(Date.parse(iso), this.timeZone);
  }

  async stop(): Promise<void> {
    this.listeners.clear();
    await this.client.endAsync(true);
  }
}
