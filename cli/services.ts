import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { startAlarms } from '../alarms/main.ts';
import { consoleLine } from '../api/console.ts';
import { startCollector } from '../collector/main.ts';
import { startControl } from '../control/main.ts';
import { JnError } from '../core/errors.ts';
import { gatewayUser } from '../core/mqtt/acl.ts';
import { loadSecrets } from '../core/secrets.ts';
import { createStore } from '../core/store/openStore.ts';
import { startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { serveGatewayHttp } from '../gateway/httpEndpoint.ts';
import { startGateway } from '../gateway/main.ts';
import { runApi } from './apiCommand.ts';
import {
  type CommandContext,
  clockFor,
  demoSite,
  loadSiteLogged,
  portOption,
  reloadSite,
  requireConfig,
  text,
} from './context.ts';
import { mqttUrlWithEnv, principalBroker } from './credentials.ts';
import { firstLogin } from './firstLogin.ts';
import type { HangupHandler } from './signals.ts';
import { untilSignal } from './signals.ts';
import { serveSimsFaults, simsFault, simsFaultUsage } from './simsFaultCommand.ts';
import { startPlatform } from './start.ts';
import { tlsOf, trustProxyOf } from './tlsOptions.ts';

/** The long-running subcommands; each gets the SIGHUP handler installed before it starts anything. */
export type ServiceCommand = (ctx: CommandContext, hangup: HangupHandler) => Promise<number>;

function connectionsOption(value: string | undefined, shareGroup: string | undefined): number {
  if (value === undefined) return shareGroup ? 8 : 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new JnError('usage', `--connections ${value}: give a whole number from 1 to 64`);
  return n;
}

/** --mqtt-url, else the site's platform.mqtt_url, else `fallback`; MQTT_PASSWORD applied. */
function brokerUrl(ctx: CommandContext, siteUrl: string | undefined, fallback: string): string;
function brokerUrl(ctx: CommandContext, siteUrl: string | undefined): string | undefined;
function brokerUrl(ctx: CommandContext, siteUrl: string | undefined, fallback?: string): string | undefined {
  const url = text(ctx, 'mqtt-url') ?? siteUrl ?? fallback;
  return url === undefined ? undefined : mqttUrlWithEnv(url);
}

/** --history: a local date, `none`; default 2020-01-01 (the 十四五 baseline year) for the demo only. */
function historyOption(
  value: string | undefined,
  where: { demo: boolean; simulate: boolean; external: boolean },
): string | undefined {
  if (value === 'none') return undefined;
  // Not by default into an InfluxDB given: that store may hold real figures of other sites.
  if (value === undefined) return where.demo && !where.external ? '2020-01-01' : undefined;
  if (!where.simulate)
    throw new JnError(
      'usage',
      "--history writes the simulated building's past: it needs the simulator (the demo site, --sims or --scenario)",
    );
  const real =
    !Number.isNaN(Date.parse(value)) && new Date(Date.parse(value)).toISOString().startsWith(value);
  if (!/^\d{4}-\d\d-\d\d$/.test(value) || !real || value < '2000-01-01')
    throw new JnError(
      'usage',
      `--history "${value}": allowed: a date YYYY-MM-DD from 2000-01-01 on, or none`,
    );
  return value;
}

const start: ServiceCommand = async (ctx, hangup) => {
  const { io, log } = ctx;
  const configFile = text(ctx, 'config');
  const site = loadSiteLogged(configFile ?? demoSite, log);
  // The simulated building is the demo's devices; a site of one's own polls its real devices, and
  // the simulator's fixed ports would collide with them (or with a second jieneng start).
  const simulate =
    configFile === undefined || ctx.values.sims === true || text(ctx, 'scenario') !== undefined;
  const scenario = simulate ? loadScenario(text(ctx, 'scenario') ?? defaultScenarioFile) : undefined;
  if (!simulate && text(ctx, 'speed') !== undefined)
    throw new JnError(
      'usage',
      '--speed runs the simulated building faster; a site of its own runs on real time (add --sims to simulate it)',
    );
  const dataDir = text(ctx, 'data-dir') ?? './data';
  const apiTls = tlsOf(ctx);
  const platform = await startPlatform({
    site,
    scenario,
    dataDir,
    port: portOption('port', text(ctx, 'port')),
    apiTls,
    apiTrustProxy: trustProxyOf(ctx),
    brokerPort: portOption('broker-port', text(ctx, 'broker-port')),
    mqttUrl: brokerUrl(ctx, site.config.platform.mqtt_url),
    influxUrl: text(ctx, 'influx-url'),
    clock: clockFor(scenario, text(ctx, 'speed')),
    log,
    history: historyOption(text(ctx, 'history'), {
      demo: configFile === undefined,
      simulate,
      external: (text(ctx, 'influx-url') ?? site.config.platform.influx_url) !== undefined,
    }),
  });
  hangup.onReload(() => reloadSite(site.file, log, platform.reload));
  const login = await firstLogin({
    dataDir,
    demo: configFile === undefined,
    timeZone: site.config.site.timezone,
    configFile,
    log,
  });
  io.out(
    `jieneng is running — site "${site.config.site.name}"${platform.simulated ? ' (simulated building)' : ''}\n` +
      `  console: ${consoleLine(`${apiTls ? 'https' : 'http'}://127.0.0.1:${platform.apiPort}`)}\n` +
      `  API:    ${apiTls ? 'https' : 'http'}://127.0.0.1:${platform.apiPort}/api/v1/readings/latest (docs: /api/docs)\n` +
      login +
      (platform.history ? `  history: ${platform.history}\n` : '') +
      `  MQTT:   ${platform.mqttUrl}\n  store:  ${platform.storeDescription}\n` +
      `  Ctrl-C stops it; kill -HUP ${process.pid} reloads ${site.file}.\n`,
  );
  return await untilSignal(async () => {
    await hangup.settle();
    await platform.stop();
  }, log);
};

const gateway: ServiceCommand = async (ctx, hangup) => {
  const { io, log } = ctx;
  const site = requireConfig(text(ctx, 'config'), 'gateway', ctx.log);
  const gatewayId =
    text(ctx, 'id') ?? (site.config.gateways.length === 1 ? site.config.gateways[0]?.id : undefined);
  if (!gatewayId)
    throw new JnError(
      'usage',
      `site has ${site.config.gateways.length} gateways; choose one with --id (${site.config.gateways.map((g) => g.id).join(', ')})`,
    );
  const gw = await startGateway({
    site,
    gatewayId,
    ...principalBroker({ site, user: gatewayUser(gatewayId), urlOption: text(ctx, 'mqtt-url'), log }),
    dataDir: text(ctx, 'data-dir') ?? './data',
    clock: clockFor(undefined, text(ctx, 'speed')),
    log,
    // The key control signs its commands with; without a secrets file none, and every command is refused.
    commandKey: loadSecrets(site, { users: [] })?.commandKeys.get(gatewayId),
  });
  const http = site.config.gateways.find((g) => g.id === gatewayId)?.metrics;
  const endpoint = http
    ? await serveGatewayHttp({ ...http, registry: gw.metrics, status: gw.status })
    : undefined;
  if (endpoint && http) io.out(`gateway metrics: http://${http.host}:${endpoint.port}/metrics\n`);
  hangup.onReload(() => reloadSite(site.file, log, (next) => gw.reload(next)));
  return await untilSignal(async () => {
    await hangup.settle();
    await endpoint?.close();
    await gw.stop();
  }, log);
};

const collector: ServiceCommand = async (ctx) => {
  const site = requireConfig(text(ctx, 'config'), 'collector', ctx.log);
  const store = createStore({
    influxUrl: text(ctx, 'influx-url') ?? site.config.platform.influx_url,
    dataDir: text(ctx, 'data-dir') ?? './data',
    rawRetentionDays: site.config.platform.raw_retention_days,
  });
  await store.open();
  const share = text(ctx, 'share');
  const shareGroup = share === 'none' ? undefined : share;
  const running = await startCollector({
    site,
    ...principalBroker({ site, user: 'collector', urlOption: text(ctx, 'mqtt-url'), log: ctx.log }),
    store,
    log: ctx.log,
    clientId: text(ctx, 'client-id') ?? `jn-collector-${site.config.site.id}-${hostname()}`,
    shareGroup,
    connections: connectionsOption(text(ctx, 'connections'), shareGroup),
  });
  return await untilSignal(async () => {
    await running.stop();
    await store.close();
  }, ctx.log);
};

const control: ServiceCommand = async (ctx) => {
  const site = requireConfig(text(ctx, 'config'), 'control', ctx.log);
  const dataDir = text(ctx, 'data-dir') ?? './data';
  mkdirSync(dataDir, { recursive: true });
  const running = await startControl({
    site,
    ...principalBroker({ site, user: 'control', urlOption: text(ctx, 'mqtt-url'), log: ctx.log }),
    dbFile: join(dataDir, 'control.db'),
    clock: clockFor(undefined, text(ctx, 'speed')),
    log: ctx.log,
    commandKeys: loadSecrets(site, { users: [] })?.commandKeys,
    rpc: true, // jieneng api reaches it over MQTT 5 request/response
  });
  return await untilSignal(() => running.stop(), ctx.log);
};

/** `jieneng alarm-service`: the alarm service of the split deployment (alarms/main.ts). */
const alarmService: ServiceCommand = async (ctx) => {
  const site = requireConfig(text(ctx, 'config'), 'alarm-service', ctx.log);
  const dataDir = text(ctx, 'data-dir') ?? './data';
  mkdirSync(dataDir, { recursive: true });
  const store = createStore({
    influxUrl: text(ctx, 'influx-url') ?? site.config.platform.influx_url,
    dataDir,
    rawRetentionDays: site.config.platform.raw_retention_days,
  });
  await store.open();
  const running = await startAlarms({
    site,
    ...principalBroker({ site, user: 'alarms', urlOption: text(ctx, 'mqtt-url'), log: ctx.log }),
    store,
    dbFile: join(dataDir, 'alarms.db'),
    clock: clockFor(undefined, text(ctx, 'speed')),
    log: ctx.log,
  });
  return await untilSignal(async () => {
    await running.stop();
    await store.close();
  }, ctx.log);
};

const sims: ServiceCommand = async (ctx) => {
  const { io, log } = ctx;
  if (ctx.operands[0] === 'fault') return await simsFault(ctx);
  if (ctx.operands.length > 0)
    throw new JnError('usage', `jieneng sims takes no "${ctx.operands[0]}"; ${simsFaultUsage}`);
  const scenario = loadScenario(text(ctx, 'scenario') ?? defaultScenarioFile);
  const dataDir = text(ctx, 'data-dir') ?? './data';
  const running = await startSims({
    scenario,
    clock: clockFor(scenario, text(ctx, 'speed')),
    log: log.child('sims'),
    statePath: join(dataDir, 'sims-state.json'),
  });
  const faults = await serveSimsFaults(running.faults, dataDir, log.child('sims'));
  const stopSims = running.stop;
  running.stop = async () => {
    await faults.stop();
    await stopSims();
  };
  io.out(
    `simulating "${scenario.scenario.name}" from ${new Date(running.simulation.time).toISOString()} at ${text(ctx, 'speed') ?? scenario.scenario.clock.speed}× real time\n`,
  );
  for (const e of running.endpoints) {
    const unit = e.protocol === 'opcua' ? '' : ` unit ${String(e.unitId).padEnd(3)}`;
    io.out(`  ${e.device.padEnd(24)} ${e.protocol} ${e.address}${unit} ${e.profile}\n`);
  }
  return await untilSignal(running.stop, log);
};

/** The long-running subcommands: `reloads` says whether SIGHUP re-reads the site file. */
export const serviceCommands: Record<string, { run: ServiceCommand; reloads: boolean }> = {
  start: { run: start, reloads: true },
  gateway: { run: gateway, reloads: true },
  collector: { run: collector, reloads: false },
  control: { run: control, reloads: false },
  'alarm-service': { run: alarmService, reloads: false },
  api: { run: runApi, reloads: false },
  sims: { run: sims, reloads: false },
};
