import type { ClientSession, ClientSubscription, DataValue, OPCUAClient } from 'node-opcua';
import type { Command, CommandResult } from '../../../core/commands.ts';
import { errorText } from '../../../core/errors.ts';
import type { OpcuaPoint, OpcuaProfile } from '../../../core/profiles/profileSchema.ts';
import { build } from './establish.ts';
import { initialCounters, noteEstablished, type OpcuaCounters } from './health.ts';
import {
  monitorHeartbeat,
  type SilenceWatch,
  silenceBound,
  silenceCounter,
  watchSilence,
} from './heartbeat.ts';
import { bounded, type Item, type SubscriberContext, type Target, targetsOf } from './items.ts';
import { createSubscription, onLost } from './monitor.ts';
import { PollLoop, readAll } from './polling.ts';
import { PointReporter } from './reporter.ts';
import { connect, createClient, createSessionPatiently, type Limits } from './session.ts';
import { watchStale } from './staleWatch.ts';
import { decodeValue } from './values.ts';
import { writeCommand } from './writes.ts';

export type { OpcuaCounters } from './health.ts';
export type { SubscriberContext } from './items.ts';
export { variantFor } from './values.ts';

/** First wait before a failed re-creation is tried again; it doubles up to RETRY_MAX_MS. */
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;
/**
 * OPC UA acquisition and writes for one connection: one session; a subscription with a monitored
 * item per profile point of every device (or, in polling mode, Read calls every poll_interval),
 * never more items per call than the server's OperationLimits allow.
 *
 * node-opcua reconnects the channel and restores the session by itself, but what it re-creates
 * after a server restart is not trusted: it reads the 12 OperationLimits in one Read (refused by
 * a server with MaxNodesPerRead < 12), swallows the failure and leaves an empty subscription, and
 * it reuses NodeIds whose namespace index the restarted server may have changed (DESIGN.md §10,
 * issue 13 §3). So on every restored session the subscription it re-created is deleted and ours is
 * built again from the profiles — limits, namespaces, nodes — retried with backoff until it holds.
 * While values cannot flow, every point is published as a bad reading with the reason (each
 * poll_interval) and its device is reported offline.
 *
 * A subscription can also fall silent while the session lives (the server froze or dropped it and
 * answers publish requests with keepalives only, or not at all): node-opcua does not notice. Each
 * subscription therefore also monitors the server's CurrentTime, which changes every second; when
 * no data change has come for silence_after, the subscription is taken as dead — logged, counted
 * (health and metrics), its points bad and its devices offline as in any outage — and built again.
 */
export class OpcuaSubscriber {
  private client: OPCUAClient | undefined;
  private session: ClientSession | undefined;
  private subscription: ClientSubscription | undefined;
  private readonly targets: Target[];
  private items: Item[] = [];
  private limits: Limits | undefined;
  private stopped = false;
  private queue: Promise<void> = Promise.resolve();
  private requested = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = RETRY_MIN_MS;
  private readonly polls: PollLoop;
  private stopStale: (() => void) | undefined;
  private silence: SilenceWatch | undefined;
  private readonly silenceAfterMs: number;
  private readonly report: PointReporter;
  readonly counters: OpcuaCounters;

  constructor(private readonly ctx: SubscriberContext) {
    this.targets = targetsOf(ctx.connection, ctx.profiles);
    this.report = new PointReporter({
      targets: this.targets,
      clock: ctx.clock,
      log: ctx.log,
      emit: ctx.emit,
      availability: ctx.availability,
      repeatEvery: ctx.connection.poll_interval,
    });
    this.silenceAfterMs = silenceBound(ctx.connection);
    this.counters = initialCounters(ctx.connection.mode, this.silenceAfterMs);
    this.polls = new PollLoop(() => this.pollCycle(), ctx.connection.poll_interval);
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

  private get endpoint(): string {
    return this.ctx.connection.endpoint;
  }

  /**
   * Connects, creates the session and subscribes (or starts polling). Rejects only when the
   * server cannot be trusted; a server that is down is waited for, its points published as bad.
   */
  async start(): Promise<void> {
    const log = this.ctx.log;
    const pki = this.pkiFolder();
    const client = createClient(this.ctx.connection, pki);
    this.client = client;
    // A failed first connection attempt (a reconnection has said "lost" already).
    client.on('backoff', () => {
      if (this.counters.state === 'connecting')
        this.beginOutage(`no connection to the OPC UA server ${this.endpoint}`);
    });
    client.on('connection_lost', () => {
      log.warn('opcua connection lost; reconnecting', { endpoint: this.endpoint });
      this.beginOutage(`connection to the OPC UA server ${this.endpoint} lost`, 'reconnecting');
    });
    client.on('connection_reestablished', () =>
      log.info('opcua connection re-established', { endpoint: this.endpoint }),
    );
    try {
      await connect(client, this.endpoint, pki);
    } catch (err) {
      if (this.stopped) return; // stopped while waiting for a server that never came
      this.counters.last_error = errorText(err);
      throw err;
    }
    const session = await createSessionPatiently(client, {
      stopped: () => this.stopped,
      onFailure: (reason, retryInMs) => {
        log.warn('opcua session not created; retrying', {
          endpoint: this.endpoint,
          error: reason,
          retry_in_ms: retryInMs,
        });
        this.beginOutage(`session on ${this.endpoint} not created: ${reason}`);
      },
    });
    if (!session) return;
    this.counters.sessions_created++;
    this.session = session;
    // Emitted after node-opcua's own repair, whether or not that re-created our items.
    session.on('session_restored', () => void this.establish('restored'));
    await this.establish('start');
  }

  /** Queues one (re-)creation; runs serialise, and only the latest queued one runs. */
  private establish(
    why: 'start' | 'restored' | 'retry' | 'subscription lost' | 'subscription silent',
  ): Promise<void> {
    const ticket = ++this.requested;
    clearTimeout(this.retryTimer);
    this.queue = this.queue.then(() =>
      ticket === this.requested && !this.stopped ? this.establishOnce(why, ticket) : undefined,
    );
    return this.queue;
  }

  private async establishOnce(why: string, ticket: number): Promise<void> {
    const session = this.session;
    if (!session) return;
    const c = this.ctx.connection;
    const superseded = () => this.stopped || ticket !== this.requested;
    if (why !== 'start') this.counters.state = 'resubscribing';
    try {
      const built = await build({
        session,
        targets: this.targets,
        connection: c,
        endpoint: this.endpoint,
        polling: () => this.counters.mode === 'polling',
        retire: () => this.retire(),
        subscribe: (s) => this.subscribe(s, why),
        adopt: (subscription) => {
          this.subscription = subscription;
          onLost(subscription, (reason) => this.lost(subscription, reason));
        },
        onCreated: (n) => {
          this.counters.monitored_items += n;
        },
        onChange: (item, dv) => this.onValue(item, dv),
      });
      this.limits = built.limits;
      this.counters.operation_limits = built.limits.stated;
      this.items = built.items;
      this.counters.create_calls += built.calls;
      if (built.subscription) await this.watchHeartbeat(built.subscription);
      if (superseded()) return;
      if (built.subscription) {
        this.counters.state = 'subscribed';
        this.stopStale = watchStale({
          items: built.items,
          devices: c.devices,
          clock: this.ctx.clock,
          emit: this.ctx.emit,
        });
      }
      const failed = built.failed;
      if (this.counters.mode === 'polling') this.counters.state = 'polling';
      this.counters.failed_items = failed.length;
      this.report.failures(failed);
      this.endOutage(why);
      this.retryDelay = RETRY_MIN_MS;
      if (this.counters.mode === 'polling') this.polls.start();
    } catch (err) {
      if (superseded()) return;
      const reason = `subscription on ${this.endpoint} not created: ${errorText(err)}`;
      this.counters.resubscribe_failures++;
      this.ctx.log.warn('opcua subscription not created; retrying', {
        endpoint: this.endpoint,
        error: errorText(err),
        retry_in_ms: this.retryDelay,
      });
      this.beginOutage(reason);
      this.retryTimer = setTimeout(() => void this.establish('retry'), this.retryDelay);
      this.retryDelay = Math.min(RETRY_MAX_MS, this.retryDelay * 2);
    }
  }

  /**
   * Monitors the server's CurrentTime on the new subscription and starts its silence watch; a
   * server that refuses the item is logged and said in health (its silence cannot be told apart
   * from values that do not change, so no watch runs).
   */
  private async watchHeartbeat(subscription: ClientSubscription): Promise<void> {
    this.armSilence(subscription);
    const refused = await monitorHeartbeat(subscription, () => {
      if (subscription === this.subscription) this.silence?.beat();
    });
    if (refused === undefined) {
      delete this.counters.heartbeat_refused;
      return;
    }
    this.silence?.stop();
    this.silence = undefined;
    if (this.counters.heartbeat_refused === undefined)
      this.ctx.log.warn('opcua CurrentTime not monitored; a silent subscription will not be noticed', {
        connection: this.ctx.connection.id,
        endpoint: this.endpoint,
        error: refused,
      });
    this.counters.heartbeat_refused = refused;
  }

  private armSilence(subscription: ClientSubscription): void {
    this.silence?.stop();
    this.silence = watchSilence(this.silenceAfterMs, (ms) => this.silent(subscription, ms));
  }

  /**
   * No data change for silence_after on a subscription whose session lives: the server froze or
   * dropped it. Its points go bad and its devices offline (as on a lost subscription), and it is
   * deleted and created again; values flowing again end the outage.
   */
  private silent(subscription: ClientSubscription, silentMs: number): void {
    if (this.stopped || subscription !== this.subscription) return;
    // Connection down or a re-creation under way: that outage is reported already; watch afresh after it.
    if (this.counters.state !== 'subscribed') {
      this.armSilence(subscription);
      return;
    }
    const c = this.ctx.connection;
    this.counters.silent_subscriptions++;
    this.counters.last_silence = { at: new Date(this.ctx.clock.now()).toISOString(), silent_ms: silentMs };
    silenceCounter(this.ctx.metrics?.registry)?.inc({ connection: c.id });
    const seconds = Math.round(silentMs / 100) / 10;
    this.ctx.log.warn('opcua subscription silent; re-creating it', {
      connection: c.id,
      endpoint: this.endpoint,
      silent_s: seconds,
      silence_after_s: this.silenceAfterMs / 1000,
    });
    this.beginOutage(
      `subscription on ${this.endpoint} silent for ${seconds} s (no data change, not even of the server's CurrentTime; silence_after ${this.silenceAfterMs / 1000} s); re-creating it`,
    );
    void this.establish('subscription silent');
  }

  /** A new subscription, or none when the server has no subscription service at start (then: polling). */
  private async subscribe(session: ClientSession, why: string): Promise<ClientSubscription | undefined> {
    const got = await createSubscription(session, this.ctx.connection, why === 'start');
    if ('subscription' in got) return got.subscription;
    this.counters.last_error = `subscription refused: ${got.refused}; polling instead`;
    this.ctx.log.warn('opcua subscription refused; falling back to polling', {
      endpoint: this.endpoint,
      error: got.refused,
    });
    this.counters.mode = 'polling';
    return undefined;
  }

  /**
   * Deletes the previous subscription on the server — ours, or node-opcua's re-creation of it,
   * which may hold no items at all — so that items are never held twice.
   */
  private async retire(): Promise<void> {
    const old = this.subscription;
    this.subscription = undefined;
    this.stopStale?.();
    this.silence?.stop();
    this.silence = undefined;
    this.counters.monitored_items = 0;
    if (old) await bounded(old.terminate(), 5000).catch(() => undefined);
  }

  /** A subscription the server ended (lifetime expired, deleted) is built again. */
  private lost(subscription: ClientSubscription, reason: string): void {
    if (this.stopped || subscription !== this.subscription) return;
    this.ctx.log.warn('opcua subscription lost; re-creating it', { endpoint: this.endpoint, reason });
    this.beginOutage(`subscription on ${this.endpoint} lost: ${reason}`);
    void this.establish('subscription lost');
  }

  private onValue(item: Item, dv: DataValue): void {
    this.counters.notifications++;
    // Any data change proves the subscription alive, not only CurrentTime's.
    this.silence?.beat();
    const reading = decodeValue(item, dv, this.ctx.clock.now());
    // A notification means the value changed: remember when (gateway time), so silence can later be called stale.
    item.stale?.check({ ...reading, ts: new Date(this.ctx.clock.now()).toISOString() });
    this.report.publish([reading]);
  }

  /** Values stopped flowing: health says why, the reporter publishes bad readings (see reporter.ts). */
  private beginOutage(reason: string, state: OpcuaCounters['state'] = this.counters.state): void {
    if (this.stopped) return;
    this.counters.last_error = reason;
    if (state === 'reconnecting') this.counters.monitored_items = 0;
    if (this.counters.state !== 'connecting') this.counters.state = state;
    this.report.begin(reason);
  }

  private endOutage(why: string): void {
    noteEstablished({
      counters: this.counters,
      log: this.ctx.log,
      endpoint: this.endpoint,
      nodes: this.items.length,
      why,
      now: this.ctx.clock.now(),
      outage: this.report.end(),
    });
  }

  /** Polling mode: one cycle of Reads within MaxNodesPerRead (the loop is in polling.ts). */
  private async pollCycle(): Promise<void> {
    const session = this.session;
    if (!session || this.counters.state !== 'polling' || !this.limits) return;
    const got = await readAll(session, this.items, this.limits.read, () => this.ctx.clock.now());
    this.counters.read_calls += got.calls;
    if (got.error !== undefined) this.counters.last_error = got.error;
    // Values read while an outage began (a Read held across the reconnect) are not published.
    if (this.counters.state === 'polling') this.report.publish(got.readings);
  }

  /** Writes a validated command to its node and reads it back (see writes.ts). */
  execute(command: Command, point: OpcuaPoint): Promise<CommandResult> {
    const up = this.counters.state === 'subscribed' || this.counters.state === 'polling';
    return writeCommand({
      command,
      point,
      item: this.items.find((i) => i.device === command.device && i.point.id === point.id),
      session: up ? this.session : undefined,
      now: () => this.ctx.clock.now(),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.counters.state = 'stopped';
    clearTimeout(this.retryTimer);
    this.polls.stop();
    this.report.end();
    this.stopStale?.();
    this.silence?.stop();
    try {
      if (this.subscription) await bounded(this.subscription.terminate(), 3000);
      if (this.session) await bounded(this.session.close(), 3000);
    } catch (err) {
      this.ctx.log.warn('opcua close', { error: errorText(err) });
    }
    await this.client?.disconnect();
  }
}
