import { JnError } from '../core/errors.ts';
import { energyTypesText } from '../reports/energy.ts';
import { alarmsCommandSpec } from './alarmsCommand.ts';
import { apiCommand } from './apiCommand.ts';
import { auditCommandSpec } from './auditCommand.ts';
import type { CommandSpec, OptionSpec } from './commandSpec.ts';
import { dashboardsCommandSpec } from './dashboardsCommand.ts';
import { mqttCommandSpec } from './mqttCommand.ts';
import { secretsCommandSpec } from './secretsCommand.ts';
import { tlsOptionSpecs } from './tlsOptions.ts';
import { tokenCommandSpec } from './tokenCommand.ts';
import { userCommandSpec } from './userCommand.ts';

export type { CommandSpec, OptionSpec } from './commandSpec.ts';

const dataDir: OptionSpec = {
  name: 'data-dir',
  arg: 'DIR',
  default: './data',
  text: 'Where spools, the embedded store, control.db and ledger.db live',
};
const siteConfig = (required: boolean): OptionSpec => ({
  name: 'config',
  arg: 'FILE',
  ...(required ? { defaultText: 'required' } : { defaultText: 'the demo site, examples/demo-site.yaml' }),
  text: 'Site file (YAML, see core/README.md)',
});
const mqttUrl = (embedded: boolean): OptionSpec => ({
  name: 'mqtt-url',
  arg: 'URL',
  defaultText: embedded
    ? 'platform.mqtt_url of the site, else the embedded broker'
    : 'platform.mqtt_url of the site, else mqtt://127.0.0.1:1883',
  text: 'MQTT broker, e.g. mqtt://jieneng@broker:1883 — the password from $MQTT_PASSWORD, not the URL',
});
const influxUrl = (what: string): OptionSpec => ({
  name: 'influx-url',
  arg: 'URL',
  defaultText: 'platform.influx_url of the site, else the embedded store',
  text: `InfluxDB v1 API with the database as path, e.g. http://influx:8086/jieneng, for ${what} (token in $INFLUX_TOKEN)`,
});
const speed = (dflt: string): OptionSpec => ({
  name: 'speed',
  arg: 'N',
  defaultText: dflt,
  text: 'Simulated seconds per real second',
});

export const commands: CommandSpec[] = [
  {
    name: 'start',
    summary:
      'Everything in one process: MQTT broker and store (embedded unless --mqtt-url / --influx-url), gateways, collector, control and the HTTP API; the simulated building only for the demo site or with --sims.',
    notes:
      'Without --config it runs the demo site against the simulated building. With a site file of your own it polls the devices the file names and starts no simulator, unless --sims (or --scenario) asks.\n' +
      'SIGHUP re-reads the site file: gateways, collector, control and API restart on the new one; a file with problems is refused (each problem logged) and the running configuration stays.\n' +
      'SIGINT / SIGTERM stop it cleanly (exit 0).',
    options: [
      siteConfig(false),
      {
        name: 'sims',
        defaultText: 'on for the demo site, off with --config',
        text: 'Also run the simulated building (device-sims) in this process',
      },
      {
        name: 'scenario',
        arg: 'FILE',
        defaultText: 'device-sims/scenarios/fuzhou-compound.yaml',
        text: 'Scenario of the simulated building; implies --sims',
      },
      dataDir,
      { name: 'port', arg: 'N', default: '8080', text: 'HTTP API port (0: any free port)' },
      ...tlsOptionSpecs,
      {
        name: 'broker-port',
        arg: 'N',
        default: '1883',
        text: 'Embedded MQTT broker port (0: any free port)',
      },
      mqttUrl(true),
      influxUrl('readings and rollups'),
      speed("the scenario's clock speed, else 1"),
      {
        name: 'history',
        arg: 'DATE|none',
        defaultText: '2020-01-01 for the demo site, none with --config',
        text: "Write the simulated building's consumption from DATE to now into an empty store, so the console and reports have years to show (demo data; never over stored figures)",
      },
    ],
    example: 'jieneng start --config /etc/jieneng/site.yaml --mqtt-url mqtt://jieneng@127.0.0.1:1883',
  },
  {
    name: 'gateway',
    summary: 'One gateway of the site: polls its connections and publishes telemetry over MQTT.',
    notes: 'SIGHUP re-reads the site file (a file with problems is refused; the spool is kept either way).',
    options: [
      siteConfig(true),
      { name: 'id', arg: 'GATEWAY', defaultText: 'the only gateway of the site', text: 'Gateway id to run' },
      mqttUrl(false),
      dataDir,
      speed('1'),
    ],
    example: 'jieneng gateway --config site.yaml --id gw-zonghe --mqtt-url mqtt://jieneng@broker:1883',
  },
  {
    name: 'collector',
    summary: 'Telemetry from MQTT into the store (InfluxDB or embedded), with rollups.',
    notes:
      'Several collectors split the telemetry through the shared subscription $share/GROUP/…; give each a --client-id of its own and keep it across restarts: the broker holds unacknowledged telemetry for that session.\n' +
      'SIGHUP is logged and ignored (restart it to apply a changed site file).',
    options: [
      siteConfig(true),
      mqttUrl(false),
      influxUrl('readings and rollups'),
      dataDir,
      {
        name: 'client-id',
        arg: 'ID',
        defaultText: 'jn-collector-<site>-<host>',
        text: 'MQTT client id (the broker keeps its session)',
      },
      {
        name: 'share',
        arg: 'GROUP|none',
        default: 'jieneng',
        text: 'Shared-subscription group; none for a plain subscription',
      },
      {
        name: 'connections',
        arg: 'N',
        defaultText: '8, 1 with --share none',
        text: 'MQTT connections in the group, each with up to 16 batches in flight (1–64)',
      },
    ],
    example: 'jieneng collector --config site.yaml --influx-url http://127.0.0.1:8086/jieneng',
  },
  {
    name: 'control',
    summary:
      "Schedules, overrides and strategies of the site's control section; every command passes policy and priority arbitration and is audited in DIR/control.db.",
    notes: 'SIGHUP is logged and ignored (restart it to apply a changed site file).',
    options: [siteConfig(true), mqttUrl(false), dataDir, speed('1')],
    example: 'jieneng control --config site.yaml --mqtt-url mqtt://jieneng@broker:1883',
  },
  {
    name: 'alarm-service',
    summary:
      'The alarm service on its own (jieneng start runs it too): conditions from telemetry, availability, the data rules and the other services into alarms in DIR/alarms.db, published on MQTT and notified where the site file routes them.',
    notes:
      'Run one per site, with the data dir the API reads DIR/alarms.db from. SIGHUP is logged and ignored (restart it to apply a changed site file). The alarms themselves: jieneng alarms list | ack.',
    options: [siteConfig(true), mqttUrl(false), influxUrl('the data rules'), dataDir, speed('1')],
    example: 'jieneng alarm-service --config site.yaml --mqtt-url mqtt://jieneng@broker:1883',
  },
  apiCommand,
  {
    name: 'schedules',
    operands: '[preview] | list | show ID | edit ID | history ID | diff ID A B | revert ID VERSION|site',
    summary:
      'Every change the schedules will make, per device, on the working calendar (chinese-days and the calendar overrides), including what was stored through the API (DIR/control.db).',
    notes:
      'preview (the default) reads the site file and DIR/control.db, offline. The other subcommands talk to the running API (--api): list, show, edit (the schedule as YAML in $VISUAL / $EDITOR, else vi; saved as a new version, or the problems printed and the file kept for edit ID --file FILE), history, diff between two versions, revert to a version or to the site file. The token comes from $JIENENG_TOKEN or --token-file.',
    options: [
      siteConfig(false),
      { name: 'from', arg: 'DATE', defaultText: 'today (site time)', text: 'First local day, YYYY-MM-DD' },
      { name: 'days', arg: 'N', default: '7', text: 'Number of days, 1–366' },
      dataDir,
      {
        name: 'api',
        arg: 'URL',
        defaultText: 'http://127.0.0.1:8080',
        text: 'The running API (edit, list, …)',
      },
      {
        name: 'token-file',
        arg: 'FILE',
        defaultText: '$JIENENG_TOKEN',
        text: 'API token, sent as Authorization: Bearer',
      },
      { name: 'reason', arg: 'TEXT', text: 'Why (edit, revert): kept in the schedule’s history' },
      {
        name: 'file',
        arg: 'FILE',
        text: 'edit: send this YAML (e.g. the file a refused edit kept) instead of opening the editor',
      },
    ],
    example: 'jieneng schedules preview --from 2025-09-27 --days 10',
  },
  {
    name: 'sims',
    operands: '[fault add DEVICE KIND | fault clear DEVICE [KIND] | fault list]',
    summary:
      'The simulated building alone; prints where each device answers. Its meters keep counting across restarts (DIR/sims-state.json). `sims fault` breaks a device of the running simulator (this command or jieneng start with the simulated building) without a restart, to try the alarms.',
    notes:
      'SIGHUP is logged and ignored.\n' +
      'Fault kinds: offline, slow (--delay MS), exception (--code N), stuck, counter_reset, meter_replacement, value (--point ID --value N), ignore_writes, refuse_writes (--code N, default 4); OPC UA units (DEVICE building.zone, e.g. zonghe-lou.f1-3) take ignore_writes and refuse_writes. ' +
      "`sims fault` needs an API token of the engineer role ($JIENENG_TOKEN or --token-file) and the running simulator's data dir (it finds the loopback endpoint in DIR/sims-faults.json); a site that is not simulated has no endpoint and is refused.",
    options: [
      {
        name: 'scenario',
        arg: 'FILE',
        defaultText: 'device-sims/scenarios/fuzhou-compound.yaml',
        text: 'Scenario to simulate',
      },
      speed("the scenario's clock speed, else 1"),
      dataDir,
      {
        name: 'for',
        arg: 'DURATION',
        text: 'fault add: remove the fault after this long, real time (e.g. 10m)',
      },
      { name: 'delay', arg: 'MS', text: 'fault add slow: reply delay, ms' },
      { name: 'code', arg: 'N', text: 'fault add exception, refuse_writes: Modbus exception code' },
      { name: 'point', arg: 'ID', text: 'fault add value: the point that reads --value' },
      { name: 'value', arg: 'N', text: 'fault add value: what the point reads' },
      {
        name: 'token-file',
        arg: 'FILE',
        defaultText: '$JIENENG_TOKEN',
        text: 'fault: API token (engineer role)',
      },
    ],
    example: 'jieneng sims fault add zonghe-lou.f1-3 ignore_writes --for 10m',
  },
  {
    name: 'import',
    operands: 'facts|entries FILE.csv|FILE.xlsx  |  template facts|entries -o FILE.xlsx',
    summary:
      'Building facts or energy entries from CSV (UTF-8, or GBK/GB18030 as Excel saves it) or XLSX: every row is checked and all are imported, or none. Audited in DIR/ledger.db. `import template` writes an XLSX to fill in, with Chinese headers and drop-down lists.',
    notes: importNotes(),
    options: [
      siteConfig(true),
      dataDir,
      {
        name: 'replace',
        text: 'Replace the stored entries (or facts) the file overlaps; what was replaced is in the audit',
      },
      {
        name: 'output',
        arg: 'FILE',
        defaultText: 'required for template',
        text: 'Where to write the template',
      },
    ],
    example: 'jieneng import entries bills-2020.csv --config site.yaml',
  },
  {
    name: 'report',
    summary:
      "Energy, water and carbon intensity per building and for the organization from --from through --to (local dates, both included), against the baseline year and the plan's targets, with the data coverage of every figure.",
    notes:
      'A whole year is compared with the whole baseline year; any other range with the same dates of the baseline year; a year to date (ending today or yesterday) by its full-year projection. Missing data reads 缺数据 and makes the status 数据不完整 (incomplete), never on track. The report names the site, store and data directory it comes from (on stderr).\njieneng report statistics --year YEAR [--out FILE.xlsx]: the annual statistics return (公共机构能源资源消费统计, 基层表) of the calendar year instead — basic information, quantity and cost of each item, laid out as the form, with the check list of what is missing before filing (printed too); --from, --to, --baseline, --basis and --coal-rate do not apply to it.\njieneng report assessment --plan 十四五 [--format json|csv|xlsx] [-o FILE]: a plan’s final assessment (终期考核) — its end year against its base year, whole calendar years (十四五: 2025 against 2020), all four indicators per building and for the organization, each against the full target: 完成, 未完成, or 数据不全 (never 完成), with the coverage of both years and the shares estimated and entered; an unpublished plan (十五五) or an end year not over is refused.',
    options: [
      { name: 'from', arg: 'DATE', defaultText: 'required', text: 'First local day, YYYY-MM-DD' },
      { name: 'to', arg: 'DATE', defaultText: 'required', text: 'Last local day, YYYY-MM-DD, included' },
      {
        name: 'year',
        arg: 'YEAR',
        defaultText: 'required for statistics',
        text: 'report statistics: the calendar year of the return, e.g. 2025',
      },
      {
        name: 'out',
        arg: 'FILE',
        text: 'report statistics: write the return to FILE (.xlsx; .json for its JSON); same as -o',
      },
      {
        name: 'plan',
        arg: 'PLAN',
        defaultText: 'required for assessment',
        text: 'report assessment: the plan by short name or id (十四五, 14th-five-year) or a site target set’s id',
      },
      {
        name: 'baseline',
        arg: 'YEAR',
        defaultText: 'the base year of the plan the report year falls in (十四五: 2020; 十五五: 2025)',
        text: 'Year to compare against, from 2000 to 2100 and before the report year, e.g. 2020',
      },
      {
        name: 'basis',
        arg: 'equivalent|generation',
        default: 'equivalent',
        text: 'Electricity 折标准煤 basis: 当量值 or 等价值',
      },
      {
        name: 'coal-rate',
        arg: 'one|each',
        default: 'one',
        text: "One footing across years: every period on the report year's grid CO₂ factor and, with 等价值, its generation coal rate (one); or each year's own (each)",
      },
      {
        name: 'format',
        arg: 'json|csv|xlsx|pdf',
        default: 'json',
        text: 'Output format (csv: a zip of CSV tables)',
      },
      {
        name: 'output',
        arg: 'FILE',
        defaultText: 'stdout for json; csv, xlsx and pdf need a file',
        text: 'Write the report to FILE',
      },
      siteConfig(true),
      influxUrl('the rollups'),
      dataDir,
    ],
    example:
      'jieneng report --from 2025-01-01 --to 2025-12-31 --baseline 2020 --format pdf -o 2025.pdf --config site.yaml',
  },
  userCommandSpec,
  tokenCommandSpec,
  auditCommandSpec,
  secretsCommandSpec,
  mqttCommandSpec,
  dashboardsCommandSpec,
  alarmsCommandSpec,
  {
    name: 'config',
    operands: 'check FILE',
    summary: 'Validate a site file: prints every problem and exits 1, or a one-line summary and exits 0.',
    options: [],
    example: 'jieneng config check site.yaml',
  },
  {
    name: 'help',
    operands: '[COMMAND]',
    summary: 'This page, or the page of one command (same as jieneng COMMAND --help).',
    options: [],
    example: 'jieneng help report',
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return commands.find((c) => c.name === name);
}

/**
 * Refuses options that `command` does not take (they would be ignored silently), then fills the
 * literal defaults in.
 */
export function withDefaults(
  c: CommandSpec,
  values: Record<string, string | boolean | undefined>,
): Record<string, string | boolean | undefined> {
  const known = new Set(c.options.map((o) => o.name));
  for (const [name, v] of Object.entries(values))
    if (v !== undefined && name !== 'help' && !known.has(name))
      throw new JnError(
        'usage',
        `jieneng ${c.name} does not take --${name}; its options are: ${c.options.map((o) => `--${o.name}`).join(', ') || '(none)'} (jieneng ${c.name} --help)`,
      );
  const out = { ...values };
  for (const o of c.options)
    if (out[o.name] === undefined && o.default !== undefined) out[o.name] = o.default;
  return out;
}

/** The import page's notes: the columns and the energy types with the units each may be entered in. */
function importNotes(): string {
  return [
    'facts: building, effective_from, floor_area_m2, headcount.',
    'entries: building, period_start, period_end (both days included), energy_type, quantity, unit, source[, cost_yuan]. Chinese headers are accepted too.',
    `Energy types (also by their Chinese names) and their units: ${energyTypesText().split('\n').join('; ')}.`,
    'Overlapping periods of one building and energy type are refused (name --replace to replace the stored ones).',
  ].join('\n');
}
