import { join } from 'node:path';
import {
  AttributeIds,
  type ClientSession,
  type ClientSubscription,
  DataChangeFilter,
  DataChangeTrigger,
  DataType,
  type DataValue,
  DeadbandType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  resolveNodeId,
  SecurityPolicy,
  TimestampsToReturn,
  VariableIds,
  Variant,
} from 'node-opcua';
import type { Clock } from '../../../core/clock.ts';
import type { Command, CommandResult } from '../../../core/commands.ts';
import type { OpcuaConnection } from '../../../core/config/siteSchema.ts';
import { errorText } from '../../../core/errors.ts';
import type { Logger } from '../../../core/log.ts';
import type { DeviceProfile, OpcuaPoint, OpcuaProfile } from '../../../core/profiles/profileSchema.ts';
import type { Reading } from '../../../core/telemetry.ts';
import { badReading, readingOf } from '../../readings.ts';
import { StaleTracker } from '../../stale.ts';

export interface OpcuaCounters {
  mode: 'subscription' | 'polling';
  notifications: number;
  sessions_created: number;
  monitored_items: number;
  /** CreateMonitoredItems calls made at start, each within the server's MaxMonitoredItemsPerCall. */
  create_calls: number;
  /** Read calls made in polling mode, each within the server's MaxNodesPerRead. */
  read_calls: number;
  operation_limits?: { max_nodes_per_read: number; max_monitored_items_per_call: number };
  last_error?: string;
}

interface Item {
  device: string;
  point: OpcuaPoint;
  nodeId: string;
  stale: StaleTracker | undefined;
}

/** Items per call when the server states no limit (0): keeps requests a sensible size. */
const DEFAULT_PER_CALL = 1000;

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** The OPC UA value a validated command writes: numbers as the point's data type. */
export function variantFor(point: OpcuaPoint, value: number): Variant {
  switch (point.data_type) {
    case 'Boolean':
      return new Variant({ dataType: DataType.Boolean, value: value === 1 });
    case 'Int32':
      return new Variant({ dataType: DataType.Int32, value });
    case 'Double':
      return new Variant({ dataType: DataType.Double, value });
    case 'String':
      return new Variant({ dataType: DataType.String, value: point.values?.[value] ?? '' });
  }
}

/**
 * OPC UA acquisition and writes for one connection: one session; a subscription with a monitored
 * item per profile point of every device (or, in polling mode, Read calls every poll_interval).
 * It reads the server's OperationLimits and never sends more items per CreateMonitoredItems or
 * nodes per Read than the server allows. node-opcua's client reconnects by its connection strategy
 * and, when the server lost the session (a restart), re-creates session, subscription and items
 * itself — within the same limits — so we create them once and never again, which keeps items from
 * being duplicated. Server certificates are checked against the trust list in the PKI folder.
 */
export class OpcuaSubscriber {
  private client: OPCUAClient | undefined;
  private session: ClientSession | undefined;
  private subscription: ClientSubscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private limits = { read: DEFAULT_PER_CALL, monitor: DEFAULT_PER_CALL };
  private items: Item[] = [];
  /** Items flagged stale in subscription mode (no notification since), until they change again. */
  private readonly flagged = new Set<string>();
  readonly counters: OpcuaCounters;

  constructor(
    private readonly ctx: {
      connection: OpcuaConnection;
      profiles: Map<string, DeviceProfile>;
      clock: Clock;
      log: Logger;
      emit: (readings: Reading[]) => void;
      /** PKI folder when the connection names none: own certificate, trusted/ and rejected/ server certificates. */
      pkiDir: string;
    },
  ) {
    this.counters = {
      mode: ctx.connection.mode,
      notifications: 0,
      sessions_created: 0,
      monitored_items: 0,
      create_calls: 0,
      read_calls: 0,
    };
  }

  deviceIds(): string[] {
    return this.ctx.connection.devices.map((d) => d.id);
  }

  /** A device of this connection with its node map (for validating commands). */
  device(id: string): { profile: OpcuaProfile; ref: string } | undefined {
    const d = this.ctx.connection.devices.find((x) => x.id === id);
    const profile = d && this.ctx.profiles.get(d.profile);
    return d && profile?.protocol === 'opcua' ? { profile, ref: d.profile } : undefined;
  }

  /** Where an unknown server certificate is put, and where to move it to trust it. */
  pkiFolder(): string {
    return this.ctx.connection.trusted_certificates ?? this.ctx.pkiDir;
  }

  async start(): Promise<void> {
    const c = this.ctx.connection;
    const log = this.ctx.log;
    const pki = this.pkiFolder();
    const certificateManager = new OPCUACertificateManager({
      rootFolder: pki,
      automaticallyAcceptUnknownCertificate: false,
    });
    const client = OPCUAClient.create({
      applicationName: 'jieneng gateway',
      endpointMustExist: false,
      keepSessionAlive: true,
      securityMode: MessageSecurityMode[c.security_mode],
      securityPolicy: SecurityPolicy[c.security_policy],
      clientCertificateManager: certificateManager,
      connectionStrategy: { maxRetry: -1, initialDelay: 500, maxDelay: 5000 },
    });
    client.on('connection_lost', () =>
      log.warn('opcua connection lost; reconnecting', { endpoint: c.endpoint }),
    );
    client.on('connection_reestablished', () =>
      log.info('opcua connection re-established', { endpoint: c.endpoint }),
    );
    this.client = client;
    try {
      await client.connect(c.endpoint);
    } catch (err) {
      const reason = errorText(err);
      this.counters.last_error = /certificate/i.test(reason)
        ? `${reason}: the server certificate is not trusted; it was stored in ${join(pki, 'rejected')} — move it to ${join(pki, 'trusted', 'certs')} to trust it`
        : reason;
      throw new Error(`opcua ${c.endpoint}: ${this.counters.last_error}`, { cause: err });
    }
    const session = await client.createSession();
    this.counters.sessions_created++;
    this.session = session;
    const perRead = await this.readLimit(
      session,
      VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerRead,
    );
    const perCall = await this.readLimit(
      session,
      VariableIds.Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall,
    );
    this.limits = { read: perRead || DEFAULT_PER_CALL, monitor: perCall || DEFAULT_PER_CALL };
    this.counters.operation_limits = { max_nodes_per_read: perRead, max_monitored_items_per_call: perCall };
    this.items = await this.resolveItems(session);
    if (c.mode === 'subscription') {
      try {
        await this.subscribe(session);
        log.info('opcua subscribed', {
          endpoint: c.endpoint,
          monitored_items: this.counters.monitored_items,
        });
        return;
      } catch (err) {
        // Some embedded servers have no subscription service (or no subscription left): read instead.
        this.counters.last_error = `subscription refused: ${errorText(err)}; polling instead`;
        log.warn('opcua subscription refused; falling back to polling', {
          endpoint: c.endpoint,
          error: errorText(err),
        });
        this.counters.mode = 'polling';
      }
    }
    this.poll();
  }

  /**
   * One OperationLimits value, read on its own (a server limited to one node per Read still
   * answers); 0 when the server does not state it, as Part 5 §6.3.11 defines "no limit".
   */
  private async readLimit(session: ClientSession, id: number): Promise<number> {
    const dv = await session.read({ nodeId: resolveNodeId(id), attributeId: AttributeIds.Value });
    const value = dv.statusCode.isGood() ? Number(dv.value.value) : 0;
    return Number.isFinite(value) && value > 0 ? value : 0;
  }

  private async resolveItems(session: ClientSession): Promise<Item[]> {
    const nsArray = (await session.readNamespaceArray()) as string[];
    const items: Item[] = [];
    for (const device of this.ctx.connection.devices) {
      const profile = this.ctx.profiles.get(device.profile);
      if (profile?.protocol !== 'opcua') continue;
      const ns = nsArray.indexOf(profile.namespace);
      if (ns < 0) {
        this.counters.last_error = `server has no namespace ${profile.namespace}`;
        this.ctx.log.error('opcua namespace missing', { device: device.id, namespace: profile.namespace });
        continue;
      }
      const stale = device.stale_after === undefined ? undefined : new StaleTracker(device.stale_after);
      for (const point of profile.points)
        items.push({
          device: device.id,
          point,
          nodeId: `ns=${ns};s=${point.node.replace('{object}', device.object)}`,
          stale:
            stale && (device.stale_points?.includes(point.id) ?? StaleTracker.applies(point.role))
              ? stale
              : undefined,
        });
    }
    return items;
  }

  private async subscribe(session: ClientSession): Promise<void> {
    const c = this.ctx.connection;
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: c.publishing_interval,
      requestedMaxKeepAliveCount: 10,
      requestedLifetimeCount: 100,
      maxNotificationsPerPublish: 1000,
      publishingEnabled: true,
    });
    this.subscription = subscription;
    // Items with the same deadband share monitoring parameters; each call stays within the server's limit.
    const byFilter = new Map<string, Item[]>();
    for (const item of this.items) {
      const key = JSON.stringify(item.point.deadband ?? null);
      byFilter.set(key, [...(byFilter.get(key) ?? []), item]);
    }
    for (const list of byFilter.values()) {
      const deadband = list[0]?.point.deadband;
      const filter = deadband
        ? new DataChangeFilter({
            trigger: DataChangeTrigger.StatusValue,
            deadbandType: deadband.type === 'percent' ? DeadbandType.Percent : DeadbandType.Absolute,
            deadbandValue: deadband.value,
          })
        : null;
      for (const chunk of chunks(list, this.limits.monitor)) {
        const group = await subscription.monitorItems(
          chunk.map((i) => ({ nodeId: i.nodeId, attributeId: AttributeIds.Value })),
          { samplingInterval: c.sampling_interval, discardOldest: true, queueSize: 10, filter },
          TimestampsToReturn.Both,
        );
        this.counters.create_calls++;
        this.counters.monitored_items += chunk.length;
        group.on('changed', (_item, dv: DataValue, index: number) => {
          const item = chunk[index];
          if (!item) return;
          this.counters.notifications++;
          this.flagged.delete(`${item.device}/${item.point.id}`);
          const reading = this.reading(item, dv);
          // A notification means the value changed: remember when (gateway time), so silence can later be called stale.
          item.stale?.check({ ...reading, ts: new Date(this.ctx.clock.now()).toISOString() });
          this.ctx.emit([reading]);
        });
        group.on('err', (message: string) => {
          this.counters.last_error = message;
          this.ctx.log.warn('opcua monitored items failed', { error: message });
        });
      }
    }
    const staleAfter = Math.min(
      ...this.ctx.connection.devices.map((d) => d.stale_after ?? Number.POSITIVE_INFINITY),
    );
    if (Number.isFinite(staleAfter)) this.watchStale(Math.max(1000, staleAfter / 4));
  }

  /**
   * In subscription mode an unchanged value sends nothing, so silence is checked on a timer: an
   * item whose value has not changed for its stale_after is published once as uncertain.
   */
  private watchStale(everyMs: number): void {
    const check = () => {
      if (this.stopped) return;
      const now = this.ctx.clock.now();
      const out: Reading[] = [];
      for (const item of this.items) {
        const key = `${item.device}/${item.point.id}`;
        if (!item.stale || this.flagged.has(key)) continue;
        const hit = item.stale.staleAt(now).find((s) => s.key === key);
        if (!hit) continue;
        this.flagged.add(key);
        out.push({
          device: item.device,
          point: item.point.id,
          value: hit.value,
          ...(item.point.unit === undefined ? {} : { unit: item.point.unit }),
          ts: new Date(now).toISOString(),
          quality: 'uncertain',
          reason: `stale: unchanged since ${new Date(hit.since).toISOString()}`,
        });
      }
      if (out.length > 0) this.ctx.emit(out);
      this.timer = setTimeout(check, everyMs);
    };
    this.timer = setTimeout(check, everyMs);
  }

  /** Polling mode: Read every item each poll_interval, within MaxNodesPerRead per call. */
  private poll(): void {
    const cycle = async () => {
      const session = this.session;
      if (this.stopped || !session) return;
      const out: Reading[] = [];
      for (const chunk of chunks(this.items, this.limits.read)) {
        try {
          const values = await session.read(
            chunk.map((i) => ({ nodeId: i.nodeId, attributeId: AttributeIds.Value })),
          );
          this.counters.read_calls++;
          chunk.forEach((item, k) => {
            const dv = values[k];
            if (!dv) return;
            const reading = this.reading(item, dv);
            out.push(item.stale ? item.stale.check(reading) : reading);
          });
        } catch (err) {
          const reason = errorText(err);
          this.counters.last_error = reason;
          const ts = new Date(this.ctx.clock.now()).toISOString();
          for (const item of chunk)
            out.push(badReading(item.device, { point: item.point.id, unit: item.point.unit }, ts, reason));
        }
      }
      if (out.length > 0) this.ctx.emit(out);
      if (!this.stopped) this.timer = setTimeout(() => void cycle(), this.ctx.connection.poll_interval);
    };
    this.ctx.log.info('opcua polling', {
      endpoint: this.ctx.connection.endpoint,
      nodes: this.items.length,
      every_ms: this.ctx.connection.poll_interval,
    });
    void cycle();
  }

  /**
   * Writes a validated command's value to its node, then reads the node back. Resolves with the
   * outcome: a Bad status from the server is a failure with the server's reason.
   */
  async execute(command: Command, point: OpcuaPoint): Promise<CommandResult> {
    const at = () => new Date(this.ctx.clock.now()).toISOString();
    const base = { id: command.id, device: command.device, point: command.point, requested: command.value };
    const item = this.items.find((i) => i.device === command.device && i.point.id === point.id);
    const session = this.session;
    if (!item || !session)
      return { ...base, status: 'failed', reason: 'not connected to the OPC UA server yet', at: at() };
    try {
      const status = await session.write({
        nodeId: item.nodeId,
        attributeId: AttributeIds.Value,
        value: { value: variantFor(point, command.value) },
      });
      if (!status.isGood())
        return { ...base, status: 'failed', reason: `server answered ${status.toString()}`, at: at() };
    } catch (err) {
      return { ...base, status: 'failed', reason: errorText(err), at: at() };
    }
    try {
      const dv = await session.read({ nodeId: item.nodeId, attributeId: AttributeIds.Value });
      const back = this.reading(item, dv);
      return { ...base, status: 'written', read_back: back.value, at: at() };
    } catch (err) {
      return {
        ...base,
        status: 'written',
        read_back: null,
        reason: `written, but the read-back failed: ${errorText(err)}`,
        at: at(),
      };
    }
  }

  private reading(item: Item, dv: DataValue): Reading {
    const { device, point } = item;
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
    this.stopped = true;
    clearTimeout(this.timer);
    try {
      await this.subscription?.terminate();
      await this.session?.close();
    } catch (err) {
      this.ctx.log.warn('opcua close', { error: errorText(err) });
    }
    await this.client?.disconnect();
  }
}
