import mqtt, { type MqttClient } from 'mqtt';
import { Counter, Gauge, type Registry } from 'prom-client';
import { type Clock, systemClock } from '../core/clock.ts';
import { type CommandRefusal, commandResultSchema } from '../core/commands.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import { signCommand } from '../core/control/commandSignature.ts';
import { errorText } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { type MqttConnection, mqttClientOptions } from '../core/mqtt/connection.ts';
import { OutageLog } from '../core/outageLog.ts';
import type { ServiceStatus } from '../core/status.ts';
import { telemetryBatchSchema } from '../core/telemetry.ts';
import { topics } from '../core/topics.ts';
import { SnapshotPublisher } from './conditions.ts';
import type { Dispatcher, WriteOutcome } from './engine.ts';
import { PointChanges } from './pointChanges.ts';
import { startRpcServer } from './rpcServer.ts';
import { ControlService } from './service.ts';

/** Refusals a third party can provoke by publishing a forged command under a genuine id. */
const forgeable = new Set<CommandRefusal>(['unsigned', 'signature', 'stale', 'replay']);

/**
 * Commands over MQTT: each write goes to `jn/v1/<gateway>/command` with a correlation id; the
 * gateway's outcome comes back on `…/command/result`. A write without an answer in `timeoutMs` is
 * sent again with the same id (the gateway answers a repeated id without writing twice), at most
 * `attempts` times. Each command is signed with its gateway's key (core/control/commandSignature.ts);
 * without a key for the gateway the write fails here, since the gateway would refuse it.
 */
export class MqttDispatcher implements Dispatcher {
  private readonly waiting = new Map<string, (r: WriteOutcome) => void>();
  /** A refusal of the signature kind, held until the timeout: a forger can provoke one for our id. */
  private readonly provisional = new Map<string, WriteOutcome>();

  constructor(
    private readonly client: MqttClient,
    private readonly clock: Clock,
    private readonly options: {
      timeoutMs: number;
      attempts: number;
      /** Each gateway's command key: commands are signed with it (HMAC-SHA256). */
      commandKeys?: ReadonlyMap<string, Buffer> | undefined;
      /** Real time for `issued_at` (default: the host's clock; `clock` may be a simulation's). */
      realClock?: Clock;
    },
  ) {}

  /** Feeds a result payload; unknown ids (another controller's, or late) are ignored. */
  onResult(payload: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    const parsed = commandResultSchema.safeParse(json);
    if (!parsed.success) return;
    const r = parsed.data;
    const outcome: WriteOutcome = { status: r.status, readBack: r.read_back, reason: r.reason };
    // Anyone who can publish a forged command with our id makes the gateway refuse it: the
    // genuine answer may still come, so such a refusal stands only if nothing else does.
    if (r.refused && forgeable.has(r.refused)) {
      if (this.waiting.has(r.id)) this.provisional.set(r.id, outcome);
      return;
    }
    this.waiting.get(r.id)?.(outcome);
  }

  async write(c: Parameters<Dispatcher['write']>[0]): Promise<WriteOutcome> {
    const key = this.options.commandKeys?.get(c.gatewayId);
    if (!key)
      return {
        status: 'failed',
        reason: `no command key for gateway "${c.gatewayId}": control cannot sign the command, and the gateway obeys only signed ones`,
      };
    const command = signCommand(
      {
        id: c.id,
        device: c.device,
        point: c.point,
        value: c.value,
        requested_by: c.requestedBy,
        sent_at: new Date(this.clock.now()).toISOString(),
      },
      { gateway: c.gatewayId, key, issuedAt: (this.options.realClock ?? systemClock).now() },
    );
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      const answer = new Promise<WriteOutcome | undefined>((resolve) => {
        const timer = setTimeout(() => {
          this.waiting.delete(c.id);
          const refused = this.provisional.get(c.id);
          this.provisional.delete(c.id);
          resolve(refused);
        }, this.options.timeoutMs);
        this.waiting.set(c.id, (r) => {
          clearTimeout(timer);
          this.waiting.delete(c.id);
          this.provisional.delete(c.id);
          resolve(r);
        });
      });
      try {
        await this.client.publishAsync(topics.command(c.gatewayId), JSON.stringify(command), { qos: 1 });
      } catch (err) {
        this.waiting.delete(c.id);
        if (attempt === this.options.attempts)
          return { status: 'failed', reason: `not published: ${errorText(err)}` };
        continue;
      }
      const r = await answer;
      if (r) return r;
    }
    return {
      status: 'timeout',
      reason: `no answer from gateway "${c.gatewayId}" in ${this.options.attempts} × ${this.options.timeoutMs / 1000} s`,
    };
  }
}

export interface Control {
  service: ControlService;
  status(): ServiceStatus;
  stop(): Promise<void>;
}

/**
 * The control service on MQTT: subscribes to the site's telemetry (for zone temperatures, meter
 * power and read-backs) and command results, and runs a control cycle every `tickMs` of real
 * time on the platform clock.
 */
export async function startControl(ctx: {
  site: LoadedSite;
  mqttUrl: string;
  dbFile: string;
  clock: Clock;
  log: Logger;
  tickMs?: number;
  commandTimeoutMs?: number;
  /** Longest wait for a device's first telemetry before writing to it anyway (real ms). */
  readyWaitMs?: number;
  /** Prometheus registry to count commands and alarms in (`jieneng start` serves it at /metrics). */
  metrics?: Registry;
  /** User, password and TLS files of the control principal on the broker (core/mqtt/connection.ts). */
  mqtt?: MqttConnection | undefined;
  /** Each gateway's command key (HMAC-SHA256): every command is signed with its gateway's. */
  commandKeys?: ReadonlyMap<string, Buffer>;
  /** Serve the control port over MQTT 5 request/response for `jieneng api` (control/rpcServer.ts); needs an MQTT 5 broker (Mosquitto, EMQX; not the embedded aedes). */
  rpc?: boolean;
}): Promise<Control> {
  const registers = ctx.metrics ? [ctx.metrics] : [];
  const commands = new Counter({
    name: 'jieneng_control_commands_total',
    help: 'Control audit lines by action (set, relinquish, expire, write, reassert, release, watch) and outcome (accepted, rejected, written, failed, timeout, not_following, gave_up, …)',
    labelNames: ['action', 'outcome'],
    registers,
  });
  const conditionGauge = new Gauge({
    name: 'jieneng_control_conditions',
    help: 'Conditions control holds now, by rule (not_following, write_failing): the alarm service raises the alarms',
    labelNames: ['rule'],
    registers,
  });
  for (const rule of ['not_following', 'write_failing']) conditionGauge.set({ rule }, 0);
  const log = ctx.log.child('control');
  const latest = new Map<string, number>();
  /** When each latest value was read (its source time, on the site clock). */
  const latestAt = new Map<string, number>();
  const reporting = new Set<string>();
  const started = Date.now();
  const client = await mqtt.connectAsync(
    ctx.mqttUrl,
    mqttClientOptions(ctx.mqtt, {
      clientId: `jn-control-${ctx.site.config.site.id}-${process.pid}`,
      clean: true,
      reconnectPeriod: 1000,
      ...(ctx.rpc ? { protocolVersion: 5 as const } : {}),
    }),
  );
  const dispatcher = new MqttDispatcher(client, ctx.clock, {
    timeoutMs: ctx.commandTimeoutMs ?? 10_000,
    attempts: 3,
    commandKeys: ctx.commandKeys,
  });
  const unkeyed = ctx.site.config.gateways.filter((g) => !ctx.commandKeys?.has(g.id)).map((g) => g.id);
  if (unkeyed.length > 0)
    log.warn(
      `no command key for gateway ${unkeyed.map((g) => `"${g}"`).join(', ')}: control cannot sign commands to it, so its writes fail; give each gateway its key (site secrets)`,
    );
  const changes = new PointChanges({ client, site: ctx.site, clock: ctx.clock, log });
  // Control's conditions for the alarm service (issue 17), one snapshot per site's control: a
  // restarted control replaces its predecessor's (and clears what it no longer sees).
  const site = ctx.site.config.site.id;
  const snapshots = new SnapshotPublisher({
    topic: topics.conditions('control', site),
    source: `control/${site}`,
    publish: async (topic, payload) => {
      await client.publishAsync(topic, payload, { qos: 1, retain: true });
    },
    now: () => ctx.clock.now(),
    onError: (err) =>
      log.warn('condition snapshot not published; sent again on the next change or reconnect', {
        error: errorText(err),
      }),
  });
  const service = new ControlService({
    site: ctx.site,
    dbFile: ctx.dbFile,
    dispatcher,
    latest: (device, point) => latest.get(`${device}/${point}`),
    latestAt: (device, point) => latestAt.get(`${device}/${point}`),
    clock: ctx.clock,
    log: ctx.log,
    // Writes wait until the device reports (its gateway's session is up), at most `readyWaitMs`.
    ready: (device) => reporting.has(device) || Date.now() - started > (ctx.readyWaitMs ?? 30_000),
    onAudit: (e) => {
      commands.inc({ action: e.action, outcome: e.outcome });
      changes.check(); // every change of a slot writes an audit line: publish what it changed
    },
    onConditions: (conditions) => {
      for (const rule of ['not_following', 'write_failing'])
        conditionGauge.set({ rule }, conditions.filter((c) => c.rule === rule).length);
      snapshots.update(conditions);
    },
  });
  changes.watch(service.engine);
  const gateways = ctx.site.config.gateways.map((g) => g.id);
  client.on('message', (topic, payload) => {
    if (topic.endsWith('/command/result')) return dispatcher.onResult(payload);
    try {
      const batch = telemetryBatchSchema.safeParse(JSON.parse(payload.toString('utf8')));
      if (!batch.success) return;
      for (const r of batch.data.readings) {
        if (r.value === null || r.quality === 'bad') continue;
        reporting.add(r.device);
        latest.set(`${r.device}/${r.point}`, r.value);
        latestAt.set(`${r.device}/${r.point}`, Date.parse(r.ts));
      }
    } catch {
      // The collector reports malformed telemetry; control only skips it.
    }
  });
  // One line when the broker goes away and one when it is back, not one per reconnect attempt.
  const outage = new OutageLog({
    log,
    what: 'mqtt broker',
    meanwhile: 'commands cannot reach the gateways until it returns; failed writes are retried',
  });
  client.on('error', (err) => outage.fail(err.message));
  client.on('offline', () => outage.fail('connection lost'));
  client.on('connect', () => {
    outage.ok();
    snapshots.republish();
  });
  snapshots.republish(); // none yet: what an earlier run of control held is cleared
  await client.subscribeAsync(
    gateways.flatMap((g) => [topics.telemetry(g), topics.commandResult(g)]),
    { qos: 1 },
  );
  const rpc = ctx.rpc
    ? await startRpcServer({ client, service, site: ctx.site.config.site.id, log: log.child('rpc') })
    : undefined;
  let cycles = 0;
  let lastError: string | undefined;
  let stopped = false;
  const run = () => {
    if (stopped) return;
    service
      .tick()
      .then(() => {
        cycles++;
        lastError = undefined;
      })
      .catch((err: unknown) => {
        lastError = errorText(err);
        log.error('control cycle failed', { error: lastError });
      });
  };
  const timer = setInterval(run, ctx.tickMs ?? 5_000);
  run();
  log.info('control running', { points: service.engine.points.size, schedules: service.schedules().length });
  return {
    service,
    status: () => ({
      state: lastError ? 'degraded' : 'running',
      detail: {
        points: service.engine.points.size,
        schedules: service.schedules().length,
        cycles,
        conditions: service.engine.conditions.list().length,
        ...(lastError ? { last_error: lastError } : {}),
      },
    }),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await rpc?.stop();
      await service.tick().catch(() => {});
      await client.endAsync();
      service.close();
    },
  };
}
