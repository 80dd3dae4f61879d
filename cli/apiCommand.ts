import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { consoleLine } from '../api/console.ts';
import { MqttControlPort } from '../api/controlClient.ts';
import { startApi } from '../api/main.ts';
import { systemClock } from '../core/clock.ts';
import { redactCredentials, redactDeep } from '../core/redact.ts';
import type { ServiceStatus } from '../core/status.ts';
import { createStore } from '../core/store/openStore.ts';
import { simulatedWarning } from '../device-sims/history/history.ts';
import { createReports } from '../reports/service.ts';
import { type CommandContext, dataDirOf, portOption, requireConfig, text } from './context.ts';
import { principalBroker } from './credentials.ts';
import { untilSignal } from './signals.ts';
import { tlsOf, tlsOptionSpecs, trustProxyOf } from './tlsOptions.ts';

/**
 * `jieneng api`: its usage line, help page and options (registered in cli/commands.ts, which checks
 * it as a CommandSpec; not typed here, so that this file does not import commands.ts back).
 */
export const apiCommand = {
  name: 'api',
  summary:
    'The HTTP API alone: readings and reports from the store (InfluxDB or embedded), control through jieneng control over MQTT 5 request/response.',
  notes:
    'Control (points, overrides, schedules, calendar, audit) is asked over the broker: a jieneng control for the same site must run against an MQTT 5 broker (Mosquitto, EMQX). While it does not answer, those routes answer 503 control_unavailable and /health shows control degraded.\n' +
    'SIGHUP is logged and ignored (restart it to apply a changed site file). SIGINT / SIGTERM stop it cleanly (exit 0).',
  options: [
    { name: 'config', arg: 'FILE', defaultText: 'required', text: 'Site file (YAML, see core/README.md)' },
    { name: 'port', arg: 'N', default: '8080', text: 'HTTP API port (0: any free port)' },
    ...tlsOptionSpecs,
    {
      name: 'host',
      arg: 'ADDRESS',
      default: '127.0.0.1',
      text: 'Address to listen on; give another only with --tls-cert/--tls-key or behind a TLS reverse proxy or firewall',
    },
    {
      name: 'mqtt-url',
      arg: 'URL',
      defaultText: 'platform.mqtt_url of the site, else mqtt://127.0.0.1:1883',
      text: 'MQTT 5 broker, e.g. mqtt://api@broker:1883 — the password from $MQTT_PASSWORD, not the URL',
    },
    {
      name: 'influx-url',
      arg: 'URL',
      defaultText: 'platform.influx_url of the site, else the embedded store',
      text: 'InfluxDB v1 API with the database as path, e.g. http://influx:8086/jieneng (token in $INFLUX_TOKEN)',
    },
    {
      name: 'data-dir',
      arg: 'DIR',
      default: './data',
      text: 'Where the embedded store and ledger.db live (the collector’s and reports’ data directory)',
    },
  ],
  example: 'jieneng api --config site.yaml --port 8080 --mqtt-url mqtt://api@broker:1883',
};

/** Runs the API until SIGINT / SIGTERM; resolves with the exit code. */
export async function runApi(ctx: CommandContext): Promise<number> {
  const { io, log } = ctx;
  const site = requireConfig(text(ctx, 'config'), 'api', log);
  const port = portOption('port', text(ctx, 'port'));
  const host = text(ctx, 'host') ?? '127.0.0.1';
  const tls = tlsOf(ctx);
  const trustProxy = trustProxyOf(ctx);
  const dataDir = dataDirOf(ctx);
  // The demo's made-up history is never served without saying so.
  const simulated = simulatedWarning(dataDir);
  if (simulated) ctx.io.err(simulated);
  mkdirSync(dataDir, { recursive: true });
  // As principal "api" (core/mqtt/acl.ts): its password from the site's secrets file, else the environment.
  const { mqttUrl, mqtt } = principalBroker({ site, user: 'api', urlOption: text(ctx, 'mqtt-url'), log });
  const influxUrl = text(ctx, 'influx-url') ?? site.config.platform.influx_url;
  const store = createStore({
    influxUrl,
    dataDir,
    rawRetentionDays: site.config.platform.raw_retention_days,
  });
  await store.open();
  const control = new MqttControlPort({
    mqttUrl,
    connection: mqtt,
    site: site.config.site.id,
    log: log.child('control-rpc'),
  });
  const health = async (): Promise<Record<string, ServiceStatus>> => {
    const storeOk = await store.ping().catch(() => false);
    return redactDeep({
      store: { state: storeOk ? 'running' : 'degraded', detail: { kind: store.kind } },
      control: control.status(),
    });
  };
  let api: Awaited<ReturnType<typeof startApi>>;
  try {
    api = await startApi({
      dataDir,
      store,
      health,
      log,
      port,
      host,
      tls,
      ...(trustProxy !== undefined ? { trustProxy } : {}),
      site,
      reports: createReports({ site, store, ledgerFile: join(dataDir, 'ledger.db'), dataDir }),
      control,
      // Device availability over the gateways' retained topics, as in jieneng start.
      mqttUrl,
      mqtt,
      clock: systemClock,
    });
  } catch (err) {
    await control.stop();
    await store.close();
    throw err;
  }
  io.out(
    `jieneng api — site "${site.config.site.name}"\n` +
      `  console: ${consoleLine(`${tls ? 'https' : 'http'}://${host}:${api.port}`)}\n` +
      `  API:     ${tls ? 'https' : 'http'}://${host}:${api.port}/api/v1/health\n` +
      `  control: over MQTT ${redactCredentials(mqttUrl)}\n` +
      `  store:   ${influxUrl ? `InfluxDB ${redactCredentials(influxUrl)}` : `embedded ${resolve(dataDir, 'jieneng.db')}`}\n`,
  );
  return await untilSignal(async () => {
    await api.stop();
    await control.stop();
    await store.close();
  }, log);
}
