import mqtt, { type MqttClient } from 'mqtt';
import { Counter, Gauge, Registry } from 'prom-client';
import { AlarmDb } from '../core/alarms/db.ts';
import type { AlarmEvent, AlarmRule, Condition } from '../core/alarms/model.ts';
import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import { errorText } from '../core/errors.ts';
import { localClock, localTimestamp } from '../core/localTime.ts';
import type { Logger } from '../core/log.ts';
import { clientIdPrefix, hasClientIdPrefix } from '../core/mqtt/acl.ts';
import { type MqttConnection, mqttClientOptions } from '../core/mqtt/connection.ts';
import { OutageLog } from '../core/outageLog.ts';
import { deviceErrorZh } from '../core/protocols/deviceErrors.ts';
import type { ServiceStatus } from '../core/status.ts';
import type { Store } from '../core/store/store.ts';
import {
  availabilitySchema,
  deviceAvailabilitySchema,
  type Reading,
  readingSchema,
  telemetryEnvelopeSchema,
} from '../core/telemetry.ts';
import { topicPrefix, topics } from '../core/topics.ts';
import { TelemetryDetectors } from './detectors/telemetry.ts';
import { AlarmEngine } from './engine.ts';
import { SiteNames } from './naming.ts';
import { createNotifier } from './notify/index.ts';
import { DataRules } from './rules/data.ts';

export interface Alarms {
  status(): ServiceStatus;
  /** jieneng_alarms_open and jieneng_alarm_transitions_total, for `/metrics`. */
  metrics: Registry;
  db: AlarmDb;
  engine: AlarmEngine;
  stop(): Promise<void>;
}

/**
 * Rules whose condition this service learns from retained state (availability, snapshots, its
 * own connection): an alarm of them still active from before a restart that nobody reports once
 * the retained state has arrived has ended while the service was stopped.
 */
const liveRules: ReadonlySet<AlarmRule> = new Set<AlarmRule>([
  'broker_unreachable',
  'gateway_offline',
  'device_offline',
  'collector_silence',
  'store_write_failed',
]);

/**
 * Whether a condition snapshot's source (`<service>/<instance>`) is this site's: `control/<site>`
 * (control/main.ts), or a collector whose instance is its client id (collector/conditions.ts) under
 * the site's collector prefix `jn-collector-<site>[-…]` (core/mqtt/acl.ts). Another site's
 * collector on the same broker reports store_write_failed and collector_silence too, and those
 * name no gateway or device of ours to tell them apart by. A snapshot that names its `site` is
 * matched on it exactly: the client id alone cannot tell site `fz-demo-2` from `fz-demo` on host
 * `2`, so only a collector that does not say its site yet is taken by the prefix.
 */
export function siteSource(source: string, siteId: string, snapshotSite?: string): boolean {
  const [service, instance, ...rest] = source.split('/');
  if (!instance || rest.length > 0) return false;
  if (snapshotSite !== undefined && snapshotSite !== siteId) return false;
  if (service === 'control') return instance === siteId;
  if (service === 'collector')
    return hasClientIdPrefix(instance, clientIdPrefix({ user: 'collector', kind: 'collector' }, siteId));
  return false;
}

/** `host:port` of a broker URL: the key of broker_unreachable (never its credentials). */
export function brokerKey(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'mqtts:' ? '8883' : '1883')}`;
  } catch {
    return 'broker';
  }
}

/**
 * The alarm service (issue 17): listens to the site's telemetry, the gateways' and devices'
 * availability (retained) and the other services' condition snapshots, watches its own broker
 * connection, runs the telemetry detectors and the data rules, and turns what they see into
 * alarms (alarms/engine.ts) in `<data-dir>/alarms.db`; every transition is published on MQTT
 * (`jn/v1/alarms/events`, and each open alarm retained on `jn/v1/alarms/open/<id>`) and handed to
 * the notifier.
 */
export async function startAlarms(ctx: {
  site: LoadedSite;
  mqttUrl: string;
  /** User, password and TLS files of the `alarms` principal (core/mqtt/acl.ts). */
  mqtt?: MqttConnection | undefined;
  store: Store;
  /** `<data-dir>/alarms.db`. */
  dbFile: string;
  clock: Clock;
  log: Logger;
  /** Where jieneng_alarms_open and jieneng_alarm_transitions_total go (default a registry of its own). */
  metrics?: Registry;
  /** Engine tick (delays, the API's transitions): default 1 s. */
  tickMs?: number;
  /** Detectors' and notifier's tick: default 5 s. */
  detectorTickMs?: number;
  /** Data rules: default 5 min. */
  dataRulesMs?: number;
  /** After the start, how long retained state may take to arrive before alarms nobody reports are cleared (default 30 s). */
  settleMs?: number;
  /** How long after the broker is back its outage still explains infrastructure conditions (default 2 min). */
  brokerGraceMs?: number;
  env?: NodeJS.ProcessEnv;
}): Promise<Alarms> {
  const log = ctx.log.child('alarms');
  const { site, clock } = ctx;
  const tz = site.config.site.timezone;
  const db = new AlarmDb(ctx.dbFile, tz);
  const siteGateways = new Set(site.config.gateways.map((g) => g.id));
  const siteDevices = new Set(
    site.config.gateways.flatMap((g) => g.connections.flatMap((c) => c.devices.map((d) => d.id))),
  );
  const engine = new AlarmEngine({
    site,
    db,
    clock,
    log,
    // Another site's collector or control on the same broker: not our alarms.
    accepts: (c) =>
      (c.gateway === undefined || siteGateways.has(c.gateway)) &&
      (c.device === undefined || siteDevices.has(c.device)),
    acceptsSource: (source, snapshotSite) => siteSource(source, site.config.site.id, snapshotSite),
    ...(ctx.brokerGraceMs === undefined ? {} : { graceMs: ctx.brokerGraceMs }),
  });
  const registry = ctx.metrics ?? new Registry();
  new Gauge({
    name: 'jieneng_alarms_open',
    help: 'Open alarms (not closed) by severity and rule',
    labelNames: ['severity', 'rule'],
    registers: [registry],
    collect() {
      this.reset();
      const rows = db.handle
        .prepare(
          'SELECT severity, rule, count(*) AS n FROM alarms WHERE closed_at IS NULL GROUP BY severity, rule',
        )
        .all() as { severity: string; rule: string; n: number }[];
      for (const r of rows) this.set({ severity: r.severity, rule: r.rule }, r.n);
    },
  });
  const transitionsTotal = new Counter({
    name: 'jieneng_alarm_transitions_total',
    help: 'Alarm transitions by action (raise, re_raise, clear, acknowledge, shelve, unshelve, close, affect, update)',
    labelNames: ['action'],
    registers: [registry],
  });

  const hostPort = brokerKey(ctx.mqttUrl);
  let stopped = false;
  let client: MqttClient | undefined;
  const publish = async (topic: string, payload: string, retain: boolean) => {
    if (!client) throw new Error('not connected to the broker');
    await client.publishAsync(topic, payload, { qos: 1, retain });
  };
  const notifier = createNotifier({ site, db, clock, log, publish, ...(ctx.env ? { env: ctx.env } : {}) });
  let publishErrors = 0;
  let lastPublishError: string | undefined;
  const publishEvent = (e: AlarmEvent) => {
    const said = (err: unknown) => {
      publishErrors++;
      if (lastPublishError === undefined)
        log.warn('alarm event not published on the broker (the database has it)', {
          alarm: e.alarm.id,
          error: errorText(err),
        });
      lastPublishError = errorText(err);
    };
    publish(topics.alarmEvents, JSON.stringify(e), false).catch(said);
    const closed = e.alarm.state === 'closed';
    publish(topics.alarmState(e.alarm.id), closed ? '' : JSON.stringify(e.alarm), true)
      .then(() => {
        lastPublishError = undefined;
      })
      .catch(said);
  };
  engine.onEvents((events) => {
    for (const e of events) {
      transitionsTotal.inc({ action: e.transition.action });
      if (e.transition.action !== 'affect' || e.alarm.affected <= 1 || e.alarm.affected % 50 === 0)
        log.info(`alarm ${e.transition.action}`, {
          id: e.alarm.id,
          rule: e.alarm.rule,
          key: e.alarm.key,
          severity: e.alarm.severity,
          state: e.alarm.state,
          ...(e.alarm.affected > 0 ? { affected: e.alarm.affected } : {}),
          ...(e.alarm.count > 1 ? { count: e.alarm.count } : {}),
          by: e.transition.by,
          at: e.transition.at,
        });
      publishEvent(e);
    }
    notifier.onEvents(events);
  });
  const report = (c: Condition) => engine.report(c);
  const detectors = new TelemetryDetectors({ site, clock, log, report });
  // Telemetry alarms still active from before a restart: the detectors clear them on the first good
  // judgement (they clear only what they hold; the reconcile below covers the retained-state rules).
  const stillActive: { rule: string; key: string; at: number }[] = [];
  for (let before: number | undefined; ; ) {
    const page = db.list({ status: 'open', limit: 1000, ...(before === undefined ? {} : { before }) });
    for (const a of page)
      if (a.state === 'active')
        stillActive.push({ rule: a.rule, key: a.key, at: Date.parse(a.last_raised_at) });
    if (page.length < 1000) break;
    before = page.at(-1)?.id;
  }
  const seeded = detectors.seed(stillActive);
  if (seeded > 0) log.info('telemetry alarms still active from before the restart: judged again', { seeded });
  // meter_jump's learnt bound from the stored hours of the last weeks, not only from the readings to come.
  await detectors.learnMeterHours(ctx.store, clock.now()).catch((err: unknown) =>
    log.warn('stored hourly rollups not read: meter_jump learns its bound from the readings', {
      error: errorText(err),
    }),
  );
  const dataRules = new DataRules({ site, store: ctx.store, clock, log, report });

  // Gateways and devices as their retained availability says.
  const devicesOf = new Map(
    site.config.gateways.map((g) => [g.id, g.connections.flatMap((c) => c.devices.map((d) => d.id))]),
  );
  const gatewayOffline = new Set<string>();
  const deviceStates = new Map<string, { online: boolean; reason?: string; since?: string }>();
  const names = new SiteNames(site.config);
  const at = (iso: string | undefined) => iso ?? new Date(clock.now()).toISOString();
  const local = (iso: string | undefined) => {
    const l = localClock(Date.parse(at(iso)), tz);
    return `${l.date} ${l.time}`;
  };
  /** Devices reported offline because their gateway is: cleared when it is back, whatever else is known. */
  const heldByGateway = new Set<string>();
  const deviceCondition = (gw: string, device: string) => {
    const s = deviceStates.get(device);
    if (gatewayOffline.has(gw)) {
      heldByGateway.add(device);
      return report({
        rule: 'device_offline',
        key: device,
        active: true,
        at: at(undefined),
        device,
        gateway: gw,
        cause: `gateway_offline:${gw}`,
        message: `Device ${device} is not heard: its gateway ${gw} is offline`,
        message_zh: `设备 ${names.deviceText(device)} 无数据：所属网关 ${gw} 离线`,
      });
    }
    // Not heard of yet (the broker lost its retained state): the gateway says so once it polls it.
    if (!s && !heldByGateway.has(device)) return;
    heldByGateway.delete(device);
    const online = s?.online ?? true;
    report({
      rule: 'device_offline',
      key: device,
      active: !online,
      at: at(s?.since),
      device,
      gateway: gw,
      message: online
        ? `Device ${device} answers its gateway ${gw} again`
        : `Device ${device} does not answer its gateway ${gw} since ${local(s?.since)}${s?.reason ? `: ${s.reason}` : ''}`,
      // The gateway's reason in Chinese with its original after it (core/protocols/deviceErrors.ts).
      message_zh: online
        ? `设备 ${names.deviceText(device)} 已恢复通信（网关 ${gw}）`
        : `设备 ${names.deviceText(device)} 自 ${local(s?.since)} 起不响应网关 ${gw}${s?.reason ? `：${deviceErrorZh(s.reason, { timeoutMs: names.timeoutMs(device) })}` : ''}`,
    });
  };
  const onGatewayAvailability = (gw: string, payload: Buffer) => {
    let online: boolean;
    let since: string | undefined;
    if (payload.length === 0)
      online = true; // retained state deleted: nothing to say
    else {
      const a = parseJson(payload, availabilitySchema);
      if (!a) return log.warn('gateway availability ignored: not a valid payload', { gateway: gw });
      online = a.state === 'online';
      since = a.since;
    }
    if (online) gatewayOffline.delete(gw);
    else gatewayOffline.add(gw);
    // The devices of an offline gateway are not judged stale or stuck: that is the gateway's alarm.
    detectors.onAvailability(gw, online);
    report({
      rule: 'gateway_offline',
      key: gw,
      active: !online,
      at: at(since),
      gateway: gw,
      message: online
        ? `Gateway ${gw} is online again`
        : `Gateway ${gw} is offline${since ? ` since ${local(since)}` : ''}: none of its ${devicesOf.get(gw)?.length ?? 0} devices is read`,
      message_zh: online
        ? `网关 ${names.gatewayText(gw)} 已恢复在线`
        : `网关 ${names.gatewayText(gw)} ${since ? `自 ${local(since)} 起` : ''}离线：其 ${devicesOf.get(gw)?.length ?? 0} 台设备均无数据`,
    });
    for (const d of devicesOf.get(gw) ?? []) deviceCondition(gw, d);
  };
  const onDeviceAvailability = (gw: string, device: string, payload: Buffer) => {
    if (!devicesOf.get(gw)?.includes(device)) return;
    if (payload.length === 0) deviceStates.delete(device);
    else {
      const a = parseJson(payload, deviceAvailabilitySchema);
      if (!a) return log.warn('device availability ignored: not a valid payload', { gateway: gw, device });
      deviceStates.set(device, {
        online: a.state === 'online',
        since: a.since,
        ...(a.reason ? { reason: a.reason } : {}),
      });
    }
    deviceCondition(gw, device);
  };
  let badTelemetry = 0;
  /**
   * The batches seen of each gateway's spool epoch (a bounded window): a gateway sends a batch again
   * until a collector confirms it, and a repeat must not count twice (comm_errors' share).
   */
  const seen = new Map<string, Set<number>>();
  const SEEN_KEPT = 5_000;
  const repeated = (gw: string, epoch: string, seq: number): boolean => {
    const key = `${gw}/${epoch}`;
    let set = seen.get(key);
    if (!set) {
      for (const k of seen.keys()) if (k.startsWith(`${gw}/`)) seen.delete(k); // a new spool: the old epoch's are done
      set = new Set();
      seen.set(key, set);
    }
    if (set.has(seq)) return true;
    set.add(seq);
    if (set.size > SEEN_KEPT) set.delete(set.values().next().value as number); // the oldest seen
    return false;
  };
  const onTelemetry = (gw: string, payload: Buffer) => {
    const env = parseJson(payload, telemetryEnvelopeSchema);
    if (!env) {
      badTelemetry++;
      return; // the collector reports malformed telemetry
    }
    if (repeated(gw, env.epoch ?? '', env.seq)) return;
    const readings: Reading[] = [];
    for (const r of env.readings) {
      const ok = readingSchema.safeParse(r);
      if (ok.success) readings.push(ok.data);
    }
    if (readings.length > 0) detectors.onBatch(gw, readings);
  };

  const conditionsPrefix = `${topicPrefix}/conditions/`;
  const gatewayIds = site.config.gateways.map((g) => g.id);
  const subscriptions = [
    ...gatewayIds.flatMap((g) => [
      topics.telemetry(g),
      topics.availability(g),
      topics.deviceAvailability(g, '+'),
    ]),
    `${conditionsPrefix}+/+`,
  ];
  const onMessage = (topic: string, payload: Buffer) => {
    try {
      if (topic.startsWith(conditionsPrefix))
        return engine.snapshot(topic.slice(conditionsPrefix.length), payload);
      const parts = topic.split('/'); // jn/v1/<gw>/…
      const gw = parts[2] ?? '';
      if (parts[3] === 'telemetry') return onTelemetry(gw, payload);
      if (parts[3] === 'availability' && parts.length === 4) return onGatewayAvailability(gw, payload);
      if (parts[3] === 'devices' && parts[5] === 'availability')
        return onDeviceAvailability(gw, parts[4] ?? '', payload);
    } catch (err) {
      log.error('alarm service message handling failed', { topic, error: errorText(err) });
    }
  };

  const outage = new OutageLog({
    log,
    what: `mqtt broker ${hostPort}`,
    meanwhile: 'broker_unreachable is raised after its delay; alarms are kept in the database',
  });
  const lost = (why: string) => {
    if (stopped) return;
    outage.fail(why);
    engine.brokerLost(hostPort, clock.now());
  };
  client = mqtt.connect(
    ctx.mqttUrl,
    mqttClientOptions(ctx.mqtt, {
      clientId: `jn-alarms-${site.config.site.id}-${process.pid}`,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
    }),
  );
  const c = client;
  c.on('message', onMessage);
  c.on('error', (err) => lost(err.message));
  c.on('close', () => lost('connection lost'));
  let subscribed = false;
  const subscribe = async () => {
    const granted = await c.subscribeAsync(subscriptions, { qos: 1 });
    const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
    if (refused.length > 0)
      log.error('the broker refused subscriptions: alarms of what they carry are not raised', {
        topics: refused.join(','),
      });
    subscribed = true;
  };
  c.on('connect', () => {
    outage.ok();
    engine.brokerBack(hostPort, clock.now());
    // A clean session: mqtt.js subscribes again on a reconnect by itself.
    if (!subscribed)
      subscribe().catch((err: unknown) => log.error('subscribing failed', { error: errorText(err) }));
  });
  // The first connect within a few seconds; a broker still away is an alarm, not a failed start.
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 5000);
    c.once('connect', () => {
      clearTimeout(t);
      resolve();
    });
  });
  // Open alarms retained (again) for whoever watches the broker.
  for (const a of db.list({ status: 'open', limit: 1000 }))
    publish(topics.alarmState(a.id), JSON.stringify(a), true).catch(() => undefined);

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, f: () => void) => {
    const t = setInterval(f, ms);
    t.unref();
    timers.push(t);
  };
  every(ctx.tickMs ?? 1000, () => engine.tick());
  let detectorError: string | undefined;
  every(ctx.detectorTickMs ?? 5000, () => {
    const now = clock.now();
    try {
      detectors.tick(now);
      detectorError = undefined;
    } catch (err) {
      detectorError = errorText(err);
      log.error('telemetry detectors failed', { error: detectorError });
    }
    notifier.tick(now).catch((err: unknown) => log.error('notifier tick failed', { error: errorText(err) }));
  });
  let dataRulesError: string | undefined;
  let dataRulesRunning = false;
  /** Data-rule runs completed (health): one that ends after data was stored has judged it. */
  let dataRuleRuns = 0;
  const runDataRules = () => {
    if (dataRulesRunning || stopped) return;
    dataRulesRunning = true;
    dataRules
      .tick(clock.now())
      .then(() => {
        dataRulesError = undefined;
      })
      .catch((err: unknown) => {
        dataRulesError = errorText(err);
        log.error('data rules failed', { error: dataRulesError });
      })
      .finally(() => {
        dataRulesRunning = false;
        dataRuleRuns++;
      });
  };
  every(ctx.dataRulesMs ?? 300_000, runDataRules);
  runDataRules();
  // Failed deliveries are kept (the API lists them): health is degraded for an hour after one more
  // failed, not for ever because of one last month.
  const failedAtStart = notifier.status().failed;
  let failedSeen = failedAtStart;
  let failedGrewAt: number | undefined;
  const failedRecently = (failed: number): boolean => {
    if (failed > failedSeen) {
      failedSeen = failed;
      failedGrewAt = clock.now();
    }
    return failedGrewAt !== undefined && clock.now() - failedGrewAt < 3_600_000;
  };
  const settle = setTimeout(() => engine.reconcile(liveRules, clock.now()), ctx.settleMs ?? 30_000);
  settle.unref();
  log.info('alarm service running', { db: ctx.dbFile, open: db.counts().pending + db.counts().in_progress });

  return {
    db,
    engine,
    metrics: registry,
    status: () => {
      const counts = db.counts();
      const lastError = engine.lastError ?? detectorError ?? dataRulesError;
      const note = notifier.status();
      const unreadable = engine.unreadableSources();
      // What makes it degraded, each named: an operator reads health, not the log.
      const problems = [
        ...(c.connected ? [] : [`not connected to the MQTT broker ${hostPort}`]),
        ...(lastError ? [lastError] : []),
        ...Object.entries(unreadable).map(
          ([source, why]) =>
            `condition snapshot of ${source} unreadable (its conditions are not known): ${why}`,
        ),
        ...(note.problems ?? []).map((p) => `notifier: ${p}`),
        ...(failedRecently(note.failed)
          ? [
              `${note.failed - failedAtStart} notification(s) given up since the start, the last within the hour${note.last_error ? `: ${note.last_error}` : ''}`,
            ]
          : []),
      ];
      return {
        state: problems.length === 0 ? 'running' : 'degraded',
        detail: {
          ...(problems.length > 0 ? { problems } : {}),
          mqtt_connected: c.connected,
          open: counts.pending + counts.in_progress + counts.shelved,
          ...counts,
          waiting_delay: engine.waiting,
          transitions: { ...engine.transitions },
          data_rule_runs: dataRuleRuns,
          sources: engine.sources(),
          notifier: note,
          ...(Object.keys(unreadable).length > 0 ? { unreadable_sources: unreadable } : {}),
          ...(badTelemetry > 0 ? { telemetry_unreadable: badTelemetry } : {}),
          ...(publishErrors > 0 ? { publish_errors: publishErrors } : {}),
          ...(lastPublishError ? { last_publish_error: lastPublishError } : {}),
          ...(lastError ? { last_error: lastError } : {}),
          time: localTimestamp(clock.now(), tz),
        },
      };
    },
    stop: async () => {
      stopped = true;
      clearTimeout(settle);
      for (const t of timers) clearInterval(t);
      engine.tick();
      await notifier
        .stop()
        .catch((err: unknown) => log.error('notifier stop failed', { error: errorText(err) }));
      await c.endAsync().catch(() => undefined);
      db.close();
      log.info('alarm service stopped');
    },
  };
}

function parseJson<T>(
  payload: Buffer,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
): T | undefined {
  try {
    const r = schema.safeParse(JSON.parse(payload.toString('utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
