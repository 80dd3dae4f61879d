import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { JnError } from '../core/errors.ts';
import { redactCredentials } from '../core/redact.ts';
import { siteDashboards } from '../dashboards/grafana/dashboards.ts';
import { exportFiles } from '../dashboards/grafana/provisioning.ts';
import { GrafanaError, pushDashboards } from '../dashboards/grafana/push.ts';
import { grafanaSite } from '../dashboards/grafana/siteModel.ts';
import type { CommandSpec } from './commandSpec.ts';
import { demoSite, loadSiteLogged, type ToolCommand, text } from './context.ts';

/** Where the datasource points when neither the site nor --influx-url names an InfluxDB. */
const defaultInfluxUrl = 'http://127.0.0.1:8086/jieneng';

/** `jieneng dashboards`: its usage line, help page and options (registered in cli/commands.ts). */
export const dashboardsCommandSpec: CommandSpec = {
  name: 'dashboards',
  operands: 'export DIR | push',
  summary:
    'Grafana dashboards of the site over the InfluxDB the collector writes (能耗总览, 楼宇详情, 设备健康; InfluxQL, Asia/Shanghai): export writes their JSON and the file-provisioning YAML of the dashboards and the datasource; push saves them into a running Grafana over its HTTP API.',
  notes: [
    'export DIR writes DIR/dashboards/<uid>.json and DIR/provisioning/{dashboards,datasources}/*.yaml: point Grafana’s provisioning folder (GF_PATHS_PROVISIONING) at DIR/provisioning. The dashboards go into the folder 节能 (uid jieneng) and read the datasource with uid jieneng-influx; their uids stay the same across exports (jieneng-overview, jieneng-building, jieneng-device-health).',
    'The datasource file takes the InfluxDB URL and database from --influx-url, else platform.influx_url of the site; a user in the URL is written with the password as $INFLUX_PASSWORD, and with INFLUX_TOKEN set the header as Token $INFLUX_TOKEN (Grafana fills both in from its own environment).',
    'push needs a Grafana service account token (Editor) in $GRAFANA_TOKEN, sent as Authorization: Bearer: it makes sure the folder exists (GET, else POST /api/folders), then saves each dashboard with POST /api/dashboards/db (overwrite). A refusal of Grafana stops it with Grafana’s message and exit 1.',
  ].join('\n'),
  options: [
    {
      name: 'config',
      arg: 'FILE',
      defaultText: 'the demo site, examples/demo-site.yaml',
      text: 'Site file (YAML): its buildings, meters and devices make the panels',
    },
    {
      name: 'influx-url',
      arg: 'URL',
      defaultText: `platform.influx_url of the site, else ${defaultInfluxUrl}`,
      text: 'export: InfluxDB as Grafana reaches it, with the database as path, e.g. http://influx:8086/jieneng',
    },
    {
      name: 'grafana-path',
      arg: 'DIR',
      defaultText: 'the absolute path of DIR/dashboards',
      text: 'export: where Grafana reads the dashboard files (its container’s path, e.g. /var/lib/grafana/dashboards/jieneng)',
    },
    {
      name: 'url',
      arg: 'URL',
      defaultText: 'required for push',
      text: 'push: Grafana, e.g. http://127.0.0.1:3000 (the token from $GRAFANA_TOKEN)',
    },
  ],
  example: 'jieneng dashboards export ./grafana --config site.yaml --influx-url http://influx:8086/jieneng',
};

/** `jieneng dashboards export DIR | push --url URL`. */
export const dashboardsCommand: ToolCommand = async (ctx) => {
  const [sub, dir, extra] = ctx.operands;
  const usage = 'usage: jieneng dashboards export DIR | push --url URL';
  if (sub === 'export') {
    if (dir === undefined || extra !== undefined) throw new JnError('usage', usage);
    if (text(ctx, 'url') !== undefined)
      throw new JnError('usage', 'jieneng dashboards export writes files; --url is for push');
  } else if (sub === 'push') {
    if (dir !== undefined) throw new JnError('usage', usage);
    for (const o of ['influx-url', 'grafana-path'])
      if (text(ctx, o) !== undefined)
        throw new JnError(
          'usage',
          `jieneng dashboards push: --${o} is for export (push sends the dashboards only)`,
        );
  } else throw new JnError('usage', usage);

  const site = loadSiteLogged(text(ctx, 'config') ?? demoSite, ctx.log);
  const dashboards = siteDashboards(grafanaSite(site));

  if (sub === 'export') {
    const out = resolve(dir as string);
    let influxUrl = text(ctx, 'influx-url') ?? site.config.platform.influx_url;
    if (influxUrl === undefined) {
      influxUrl = defaultInfluxUrl;
      ctx.io.err(
        `note: ${site.file} keeps readings in the embedded store, which Grafana cannot read; the datasource points at ${defaultInfluxUrl} — run jieneng with --influx-url (or platform.influx_url) and export with the same --influx-url\n`,
      );
    }
    const files = exportFiles(dashboards, {
      influxUrl,
      dashboardsPath: text(ctx, 'grafana-path') ?? join(out, 'dashboards'),
      influxToken: process.env.INFLUX_TOKEN !== undefined && process.env.INFLUX_TOKEN !== '',
    });
    for (const f of files) {
      const path = join(out, f.path);
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, f.text);
      } catch (err) {
        throw new JnError('output', `${path}: ${(err as Error).message}`, { cause: err });
      }
      ctx.io.out(`${path}\n`);
    }
    ctx.io.out(
      `${dashboards.length} dashboards (${dashboards.map((d) => `${d.uid} ${d.title}`).join(', ')}) for ${site.config.site.name}; datasource jieneng-influx → ${redactCredentials(influxUrl)}\n`,
    );
    return 0;
  }

  const url = text(ctx, 'url');
  if (url === undefined)
    throw new JnError('usage', 'jieneng dashboards push: --url URL of Grafana is required');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  // A URL that does not parse may hide a password anywhere before the host's "@": show none of it.
  const shown = (u: string) =>
    redactCredentials(
      u.includes('@') ? `${u.slice(0, u.indexOf('//') + 2)}***@${u.slice(u.lastIndexOf('@') + 1)}` : u,
    );
  if (!parsed || !/^https?:$/.test(parsed.protocol))
    throw new JnError('usage', `--url ${shown(url)}: Grafana's address, e.g. http://127.0.0.1:3000`);
  // The token goes in GRAFANA_TOKEN, never in the URL (fetch refuses user info; a query or a
  // fragment would end up before /api/…).
  if (parsed.username || parsed.password || parsed.search || parsed.hash || /[?#]/.test(url))
    throw new JnError(
      'usage',
      `--url ${shown(url)}: allowed: Grafana's address and path only (no user, password, query or #); the token goes in GRAFANA_TOKEN`,
    );
  if (parsed.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname))
    ctx.io.err(`warning: ${url} is plain HTTP: the Grafana token travels unencrypted; prefer https://\n`);
  const token = process.env.GRAFANA_TOKEN;
  if (token === undefined || token === '')
    throw new JnError(
      'usage',
      'jieneng dashboards push: no Grafana token — set GRAFANA_TOKEN to a service account token with the Editor role (Grafana: Administration → Users and access → Service accounts); it is sent as Authorization: Bearer',
    );
  try {
    await pushDashboards({
      url,
      token,
      dashboards,
      message: `jieneng dashboards push: ${site.config.site.name} (${site.config.site.id})`,
      say: (line) => ctx.io.out(`${line}\n`),
    });
  } catch (err) {
    if (err instanceof GrafanaError) {
      ctx.io.err(`jieneng dashboards push: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  ctx.io.out(`${dashboards.length} dashboards in Grafana ${url}, folder 节能\n`);
  return 0;
};
