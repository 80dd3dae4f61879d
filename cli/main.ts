import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCollector } from '../collector/main.ts';
import { startControl } from '../control/main.ts';
import { ControlService } from '../control/service.ts';
import { acceleratedClock, type Clock, systemClock } from '../core/clock.ts';
import { type LoadedSite, loadSite, summarizeSite } from '../core/config/loadSite.ts';
import { ConfigError, formatProblems } from '../core/config/problems.ts';
import { errorText, JnError } from '../core/errors.ts';
import { localParts } from '../core/localTime.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { buildReport } from '../core/reports/build.ts';
import { ImportError, Ledger } from '../core/reports/ledger.ts';
import { renderReport } from '../core/reports/render.ts';
import { localMidnight } from '../core/rollup/consumption.ts';
import { createStore } from '../core/store/openStore.ts';
import { startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, type LoadedScenario, loadScenario } from '../device-sims/scenario/load.ts';
import { serveGatewayHttp } from '../gateway/httpEndpoint.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { startPlatform } from './start.ts';

/** The bundled demo site `jieneng start` runs when no --config is given. */
export const demoSite = fileURLToPath(new URL('../examples/demo-site.yaml', import.meta.url));

const usage = `jieneng — 节能 energy management and building control

Usage:
  jieneng start [--config FILE] [--scenario FILE] [--data-dir DIR] [--port N] [--broker-port N]
                [--mqtt-url URL] [--influx-url URL] [--speed N]
      Everything in one process: embedded MQTT broker and store (unless --mqtt-url / --influx-url),
      the simulated building, gateway, collector and the HTTP API (default port 8080).
  jieneng gateway --config FILE [--id GATEWAY] [--mqtt-url URL] [--data-dir DIR]
      (SIGHUP reloads the site file; the spool is kept)
  jieneng collector --config FILE [--mqtt-url URL] [--influx-url URL] [--data-dir DIR]
                    [--client-id ID] [--share GROUP|none] [--connections N]
      Several collectors split the telemetry through the shared subscription $share/GROUP/…
      (default group jieneng); give each a --client-id of its own (default jn-collector-<site>-<host>),
      and keep it across restarts: the broker holds unacknowledged telemetry for that session.
      --connections: MQTT connections in the group (default 8, 1 with --share none), each with
      up to 16 batches in flight, acknowledged once stored; their writes are merged into group commits.
  jieneng control --config FILE [--mqtt-url URL] [--data-dir DIR] [--speed N]
      Schedules, overrides and strategies of the site's control section; every command passes
      policy and priority arbitration and is audited in DIR/control.db. (jieneng start runs it too.)
  jieneng schedules preview [--config FILE] [--from DATE] [--days N] [--data-dir DIR]
      Every change the schedules will make, per device, on the working calendar (chinese-days and
      the calendar overrides), including schedules and overrides made through the API (DIR/control.db).
  jieneng sims [--scenario FILE] [--speed N] [--data-dir DIR]
      The simulated building alone; prints where each device answers. Its meters keep
      counting across restarts (state in DIR/sims-state.json).
  jieneng import facts|entries FILE.csv [--config FILE] [--data-dir DIR]
      Building facts (building,effective_from,floor_area_m2,headcount) or energy entries
      (building,period_start,period_end,energy_type,quantity,unit,source): every row is checked
      (errors name row and column) and all are imported, or none. Audited in DIR/ledger.db.
  jieneng report --from DATE --to DATE [--baseline YEAR] [--basis equivalent|generation]
                 [--format json|csv|xlsx|pdf] [-o FILE] [--config FILE] [--data-dir DIR]
      Energy, water and carbon intensity per building and for the organization over [from, to)
      (local dates), against the baseline year and the plan's targets.
  jieneng config check FILE
      Validate a site file: prints every problem and exits 1, or a one-line summary and exits 0.

Defaults: --config examples/demo-site.yaml and --scenario device-sims/scenarios/fuzhou-compound.yaml
for start; --speed 1 (simulated seconds per real second); --data-dir ./data, --port 8080, --broker-port 1883, --mqtt-url mqtt://127.0.0.1:1883 for split services.
`;

const options = {
  config: { type: 'string' },
  scenario: { type: 'string' },
  speed: { type: 'string' },
  'data-dir': { type: 'string', default: './data' },
  port: { type: 'string', default: '8080' },
  'broker-port': { type: 'string', default: '1883' },
  'mqtt-url': { type: 'string' },
  'influx-url': { type: 'string' },
  id: { type: 'string' },
  'client-id': { type: 'string' },
  share: { type: 'string', default: 'jieneng' },
  connections: { type: 'string' },
  from: { type: 'string' },
  days: { type: 'string' },
  to: { type: 'string' },
  baseline: { type: 'string' },
  basis: { type: 'string', default: 'equivalent' },
  format: { type: 'string', default: 'json' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

function connectionsOption(value: string | undefined, shareGroup: string | undefined): number {
  if (value === undefined) return shareGroup ? 8 : 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new JnError('usage', `--connections ${value}: give a whole number from 1 to 64`);
  return n;
}

function portOption(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new JnError('usage', `--${name} "${value}": expected a port number 0–65535`);
  return n;
}

/**
 * The clock sims and platform share: the scenario's `clock` (start, speed), `--speed` overriding
 * its speed; real time when neither asks for anything else.
 */
function clockFor(scenario: LoadedScenario | undefined, speedOption: string | undefined): Clock {
  const speed = speedOption === undefined ? (scenario?.scenario.clock.speed ?? 1) : Number(speedOption);
  if (!Number.isFinite(speed) || speed <= 0)
    throw new JnError(
      'usage',
      `--speed "${speedOption}": expected a positive number of simulated seconds per real second`,
    );
  const start = scenario?.scenario.clock.start;
  if (speed === 1 && start === undefined) return systemClock;
  return acceleratedClock({ start: start === undefined ? Date.now() : Date.parse(start), speed });
}

/**
 * SIGHUP: re-reads the site file and applies it to the running gateway. A file with problems is
 * reported and ignored — the gateway keeps running on the configuration it had; the spool is kept
 * either way.
 */
async function reloadGateway(gw: Gateway, file: string, log: Logger): Promise<void> {
  log.info('SIGHUP received: reloading the configuration', { file });
  let site: LoadedSite;
  try {
    site = loadSite(file);
  } catch (err) {
    const detail = err instanceof ConfigError ? formatProblems(err.problems) : errorText(err);
    log.error('configuration not reloaded: the file has problems; still running the previous one', {
      file,
      problems: detail,
    });
    return;
  }
  try {
    await gw.reload(site);
  } catch (err) {
    log.error('configuration reload failed', { error: errorText(err) });
  }
}

/** Waits for SIGINT / SIGTERM, then runs `stop`; resolves with the exit code. */
function untilSignal(stop: () => Promise<void>, log: Logger): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      log.info(`${signal} received, stopping`);
      stop().then(
        () => resolve(0),
        (err: unknown) => {
          log.error('stop failed', { error: errorText(err) });
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function requireConfig(file: string | undefined, command: string): LoadedSite {
  if (!file) throw new JnError('usage', `jieneng ${command}: --config FILE is required`);
  return loadSite(file);
}

/** Runs the CLI; resolves with the process exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof options; allowPositionals: true; args: string[] }>
  >;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true });
  } catch (err) {
    io.err(`${errorText(err)}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, sub, arg] = positionals;
  if (values.help || !command) {
    io.out(usage);
    return command || values.help ? 0 : 2;
  }
  const log = createLogger();
  const dataDir = values['data-dir'];
  try {
    switch (command) {
      case 'config': {
        if (sub !== 'check' || !arg) throw new JnError('usage', 'usage: jieneng config check FILE');
        io.out(`${summarizeSite(loadSite(arg))}\n`);
        return 0;
      }
      case 'start': {
        const site = loadSite(values.config ?? demoSite);
        const scenario = loadScenario(values.scenario ?? defaultScenarioFile);
        const clock = clockFor(scenario, values.speed);
        const platform = await startPlatform({
          site,
          scenario,
          dataDir,
          port: portOption('port', values.port),
          brokerPort: portOption('broker-port', values['broker-port']),
          mqttUrl: values['mqtt-url'],
          influxUrl: values['influx-url'],
          clock,
          log,
        });
        io.out(
          `jieneng is running — site "${site.config.site.name}"\n` +
            `  API:    http://127.0.0.1:${platform.apiPort}/api/v1/readings/latest\n` +
            `  MQTT:   ${platform.mqttUrl}\n  store:  ${platform.storeDescription}\n  Ctrl-C stops it.\n`,
        );
        return await untilSignal(platform.stop, log);
      }
      case 'gateway': {
        const site = requireConfig(values.config, 'gateway');
        const gatewayId =
          values.id ?? (site.config.gateways.length === 1 ? site.config.gateways[0]?.id : undefined);
        if (!gatewayId)
          throw new JnError(
            'usage',
            `site has ${site.config.gateways.length} gateways; choose one with --id (${site.config.gateways.map((g) => g.id).join(', ')})`,
          );
        const mqttUrl = values['mqtt-url'] ?? site.config.platform.mqtt_url ?? 'mqtt://127.0.0.1:1883';
        const gw = await startGateway({
          site,
          gatewayId,
          mqttUrl,
          dataDir,
          clock: clockFor(undefined, values.speed),
          log,
        });
        const http = site.config.gateways.find((g) => g.id === gatewayId)?.metrics;
        const endpoint = http
          ? await serveGatewayHttp({ ...http, registry: gw.metrics, status: gw.status })
          : undefined;
        if (endpoint && http) io.out(`gateway metrics: http://${http.host}:${endpoint.port}/metrics\n`);
        const configFile = site.file;
        const onHangup = () => void reloadGateway(gw, configFile, log);
        process.on('SIGHUP', onHangup);
        return await untilSignal(async () => {
          process.off('SIGHUP', onHangup);
          await endpoint?.close();
          await gw.stop();
        }, log);
      }
      case 'collector': {
        const site = requireConfig(values.config, 'collector');
        const mqttUrl = values['mqtt-url'] ?? site.config.platform.mqtt_url ?? 'mqtt://127.0.0.1:1883';
        const store = createStore({
          influxUrl: values['influx-url'] ?? site.config.platform.influx_url,
          dataDir,
          rawRetentionDays: site.config.platform.raw_retention_days,
        });
        await store.open();
        const shareGroup = values.share === 'none' ? undefined : values.share;
        const collector = await startCollector({
          site,
          mqttUrl,
          store,
          log,
          clientId: values['client-id'] ?? `jn-collector-${site.config.site.id}-${hostname()}`,
          shareGroup,
          connections: connectionsOption(values.connections, shareGroup),
        });
        return await untilSignal(async () => {
          await collector.stop();
          await store.close();
        }, log);
      }
      case 'control': {
        const site = requireConfig(values.config, 'control');
        mkdirSync(dataDir, { recursive: true });
        const control = await startControl({
          site,
          mqttUrl: values['mqtt-url'] ?? site.config.platform.mqtt_url ?? 'mqtt://127.0.0.1:1883',
          dbFile: join(dataDir, 'control.db'),
          clock: clockFor(undefined, values.speed),
          log,
        });
        return await untilSignal(() => control.stop(), log);
      }
      case 'schedules': {
        if (sub !== 'preview')
          throw new JnError(
            'usage',
            'usage: jieneng schedules preview [--config FILE] [--from DATE] [--days N]',
          );
        const site = loadSite(values.config ?? demoSite);
        const tz = site.config.site.timezone;
        const fromText = values.from ?? localParts(Date.now(), tz).date;
        if (!/^\d{4}-\d{2}-\d{2}$/.test(fromText))
          throw new JnError('usage', `--from ${fromText}: a local date YYYY-MM-DD`);
        const days = values.days === undefined ? 7 : Number(values.days);
        if (!Number.isInteger(days) || days < 1 || days > 366)
          throw new JnError('usage', `--days ${values.days}: a whole number of days, 1–366`);
        const stored = join(dataDir, 'control.db');
        const dbFile = existsSync(stored)
          ? stored
          : join(mkdtempSync(join(tmpdir(), 'jn-preview-')), 'control.db');
        const service = new ControlService({
          site,
          dbFile,
          dispatcher: { write: async () => ({ status: 'rejected', reason: 'a preview writes nothing' }) },
          latest: () => undefined,
          clock: systemClock,
          log,
        });
        try {
          const from = localMidnight(fromText, tz);
          const actions = service.preview(from, from + days * 86_400_000);
          for (const a of actions)
            io.out(
              `${a.at.slice(0, 16).replace('T', ' ')}  ${a.device}/${a.point} ← ${a.value ?? 'relinquish'} (p${a.priority})  ${a.schedule}  ${a.because}\n`,
            );
          io.out(`${actions.length} action(s) from ${fromText} over ${days} day(s)\n`);
          return 0;
        } finally {
          service.close();
        }
      }
      case 'import': {
        const site = loadSite(values.config ?? demoSite);
        if ((sub !== 'facts' && sub !== 'entries') || !arg)
          throw new JnError(
            'usage',
            'usage: jieneng import facts|entries FILE.csv [--config FILE] [--data-dir DIR]',
          );
        const ledger = new Ledger(join(dataDir, 'ledger.db'));
        try {
          const r = ledger.importFile(sub, arg, site.config);
          io.out(`${arg}: ${r.imported} ${sub} imported (${r.replaced} replaced an earlier import)\n`);
          return 0;
        } catch (err) {
          if (err instanceof ImportError) {
            io.err(`${err.message}\n`);
            return 1;
          }
          throw err;
        } finally {
          ledger.close();
        }
      }
      case 'report': {
        const site = loadSite(values.config ?? demoSite);
        const date = (name: string, v: string | undefined) => {
          if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v))
            throw new JnError('usage', `jieneng report: --${name} YYYY-MM-DD is required (a local date)`);
          return v;
        };
        const from = date('from', values.from);
        const to = date('to', values.to);
        if (values.basis !== 'equivalent' && values.basis !== 'generation')
          throw new JnError('usage', `--basis ${values.basis}: equivalent (当量值) or generation (等价值)`);
        const format = values.format;
        if (format !== 'json' && format !== 'csv' && format !== 'xlsx' && format !== 'pdf')
          throw new JnError('usage', `--format ${format}: json, csv, xlsx or pdf`);
        if ((format === 'xlsx' || format === 'pdf') && !values.output)
          throw new JnError('usage', `--format ${format} writes a binary file: give it a name with -o FILE`);
        const baselineYear = values.baseline === undefined ? undefined : Number(values.baseline);
        if (baselineYear !== undefined && !(Number.isInteger(baselineYear) && baselineYear > 1990))
          throw new JnError('usage', `--baseline ${values.baseline}: a year, e.g. 2020`);
        const store = createStore({
          influxUrl: values['influx-url'] ?? site.config.platform.influx_url,
          dataDir,
        });
        await store.open();
        const ledger = new Ledger(join(dataDir, 'ledger.db'));
        try {
          const basis = values.basis;
          const report = await buildReport({ site, store, ledger, from, to, baselineYear, basis });
          const body = await renderReport(report, format);
          if (values.output) {
            writeFileSync(values.output, body);
            io.out(`${values.output}: ${format}, ${body.length} bytes\n`);
          } else io.out(body.toString('utf8'));
          return 0;
        } finally {
          ledger.close();
          await store.close();
        }
      }
      case 'sims': {
        const scenario = loadScenario(values.scenario ?? defaultScenarioFile);
        const sims = await startSims({
          scenario,
          clock: clockFor(scenario, values.speed),
          log: log.child('sims'),
          statePath: join(dataDir, 'sims-state.json'),
        });
        io.out(
          `simulating "${scenario.scenario.name}" from ${new Date(sims.simulation.time).toISOString()} at ${values.speed ?? scenario.scenario.clock.speed}× real time\n`,
        );
        for (const e of sims.endpoints) {
          const unit = e.protocol === 'opcua' ? '' : ` unit ${String(e.unitId).padEnd(3)}`;
          io.out(`  ${e.device.padEnd(24)} ${e.protocol} ${e.address}${unit} ${e.profile}\n`);
        }
        return await untilSignal(sims.stop, log);
      }
      default:
        io.err(`unknown command "${command}"\n\n${usage}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      const later =
        err.stage === 'structure'
          ? ' References between entries (devices, points, buildings) are checked once these are fixed.'
          : '';
      io.err(
        `${formatProblems(err.problems)}\n${err.problems.length} problem(s) found; nothing was started.${later}\n`,
      );
      return 1;
    }
    if (err instanceof JnError && err.code === 'usage') {
      io.err(`${err.message}\n`);
      return 2;
    }
    io.err(`jieneng ${command}: ${errorText(err)}\n`);
    return 1;
  }
}
