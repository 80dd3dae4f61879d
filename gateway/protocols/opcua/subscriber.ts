import {
  AttributeIds,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
  MessageSecurityMode,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
} from 'node-opcua';
import type { Clock } from '../../../core/clock.ts';
import type { OpcuaConnection } from '../../../core/config/siteSchema.ts';
import { errorText } from '../../../core/errors.ts';
import type { Logger } from '../../../core/log.ts';
import type { DeviceProfile, OpcuaPoint } from '../../../core/profiles/profileSchema.ts';
import type { Reading } from '../../../core/telemetry.ts';
import { badReading, readingOf } from '../../readings.ts';

export interface OpcuaCounters {
  notifications: number;
  sessions_created: number;
  monitored_items: number;
  last_error?: string;
}

/**
 * OPC UA acquisition for one connection: one session, one subscription, a monitored item per
 * profile point of every device. node-opcua's client reconnects by its connection strategy and,
 * when the server lost the session (a restart), re-creates the session with its subscription and
 * monitored items itself — so we create them once and never again, which is what keeps items from
 * being duplicated. Values arrive with the server's source timestamp and quality.
 */
export class OpcuaSubscriber {
  private client: OPCUAClient | undefined;
  private session: ClientSession | undefined;
  private subscription: ClientSubscription | undefined;
  readonly counters: OpcuaCounters = { notifications: 0, sessions_created: 0, monitored_items: 0 };

  constructor(
    private readonly ctx: {
      connection: OpcuaConnection;
      profiles: Map<string, DeviceProfile>;
      clock: Clock;
      log: Logger;
      emit: (readings: Reading[]) => void;
    },
  ) {}

  deviceIds(): string[] {
    return this.ctx.connection.devices.map((d) => d.id);
  }

  async start(): Promise<void> {
    const c = this.ctx.connection;
    const log = this.ctx.log;
    const client = OPCUAClient.create({
      applicationName: 'jieneng gateway',
      endpointMustExist: false,
      keepSessionAlive: true,
      securityMode: MessageSecurityMode[c.security_mode],
      securityPolicy: SecurityPolicy[c.security_policy],
      connectionStrategy: { maxRetry: -1, initialDelay: 500, maxDelay: 5000 },
    });
    client.on('connection_lost', () =>
      log.warn('opcua connection lost; reconnecting', { endpoint: c.endpoint }),
    );
    client.on('connection_reestablished', () =>
      log.info('opcua connection re-established', { endpoint: c.endpoint }),
    );
    this.client = client;
    await client.connect(c.endpoint);
    const session = await client.createSession();
    this.counters.sessions_created++;
    this.session = session;
    const nsArray = (await session.readNamespaceArray()) as string[];
    this.subscription = await session.createSubscription2({
      requestedPublishingInterval: c.publishing_interval,
      requestedMaxKeepAliveCount: 10,
      requestedLifetimeCount: 100,
      maxNotificationsPerPublish: 1000,
      publishingEnabled: true,
    });
    for (const device of c.devices) {
      const profile = this.ctx.profiles.get(device.profile);
      if (profile?.protocol !== 'opcua') continue;
      const ns = nsArray.indexOf(profile.namespace);
      if (ns < 0) {
        this.counters.last_error = `server has no namespace ${profile.namespace}`;
        log.error('opcua namespace missing', { device: device.id, namespace: profile.namespace });
        continue;
      }
      for (const point of profile.points) await this.monitor(device.id, ns, device.object, point);
    }
    log.info('opcua subscribed', { endpoint: c.endpoint, monitored_items: this.counters.monitored_items });
  }

  private async monitor(device: string, ns: number, object: string, point: OpcuaPoint): Promise<void> {
    const subscription = this.subscription;
    if (!subscription) return;
    const nodeId = `ns=${ns};s=${point.node.replace('{object}', object)}`;
    const item = await subscription.monitor(
      { nodeId, attributeId: AttributeIds.Value },
      { samplingInterval: this.ctx.connection.sampling_interval, discardOldest: true, queueSize: 10 },
      TimestampsToReturn.Both,
    );
    this.counters.monitored_items++;
    item.on('changed', (dv: DataValue) => {
      this.counters.notifications++;
      this.ctx.emit([this.reading(device, point, dv)]);
    });
    item.on('err', (message: string) => {
      this.counters.last_error = `${nodeId}: ${message}`;
      this.ctx.log.warn('opcua monitored item failed', { device, point: point.id, error: message });
    });
  }

  private reading(device: string, point: OpcuaPoint, dv: DataValue): Reading {
    const ts = (dv.sourceTimestamp ?? dv.serverTimestamp ?? new Date(this.ctx.clock.now())).toISOString();
    const raw = dv.value.value as unknown;
    const target = { point: point.id, unit: point.unit };
    if (!dv.statusCode.isGood()) return badReading(device, target, ts, dv.statusCode.toString());
    // Readings are numbers: booleans as 0/1, enumerations (strings) by their index in the profile.
    let value: number;
    if (typeof raw === 'boolean') value = raw ? 1 : 0;
    else if (typeof raw === 'string') value = point.values?.indexOf(raw) ?? -1;
    else value = Number(raw);
    if (!Number.isFinite(value) || (value < 0 && typeof raw === 'string'))
      return badReading(device, target, ts, `unexpected value ${String(raw)}`);
    return readingOf(device, { ...target, value }, ts);
  }

  async stop(): Promise<void> {
    try {
      await this.subscription?.terminate();
      await this.session?.close();
    } catch (err) {
      this.ctx.log.warn('opcua close', { error: errorText(err) });
    }
    await this.client?.disconnect();
  }
}
