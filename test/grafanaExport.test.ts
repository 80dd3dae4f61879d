import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Dashboard, defaultDashboard, defaultPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { main } from '../cli/main.ts';
import { dashboardQueries } from '../dashboards/grafana/dashboards.ts';

/** `jieneng ARGS` in this process (cli/main.ts, as bin/jieneng.js runs it), `env` set meanwhile. */
async function runCli(args: string[], options: { env?: Record<string, string> } = {}) {
  for (const [k, v] of Object.entries(options.env ?? {})) vi.stubEnv(k, v);
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

const uids = ['jieneng-building', 'jieneng-device-health', 'jieneng-overview'];

async function exportTo(args: string[] = [], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'jn-grafana-'));
  const r = await runCli(['dashboards', 'export', dir, ...args], { env });
  expect(r.code, r.err).toBe(0);
  const dashboards = readdirSync(join(dir, 'dashboards'))
    .sort()
    .map((f) => ({ file: f, text: readFileSync(join(dir, 'dashboards', f), 'utf8') }));
  const yaml = (path: string) => parse(readFileSync(join(dir, 'provisioning', path), 'utf8'));
  return { dir, r, dashboards, yaml };
}

interface PanelJson {
  type: string;
  title?: string;
  datasource?: { type: string; uid: string };
  targets?: { refId: string; query: string; rawQuery: boolean; resultFormat: string; datasource?: unknown }[];
  gridPos?: { x: number; y: number; w: number; h: number };
  id?: number;
}

describe('jieneng dashboards export (Grafana as code)', () => {
  it('writes the three dashboards and the provisioning files; the same bytes and uids on a second export', async () => {
    const first = await exportTo(['--influx-url', 'http://influx.example:8086/jieneng_site']);
    const second = await exportTo(['--influx-url', 'http://influx.example:8086/jieneng_site']);
    expect(first.dashboards.map((d) => d.file)).toEqual(uids.map((u) => `${u}.json`));
    expect(second.dashboards).toEqual(first.dashboards);
    expect(first.r.out).toContain(
      '3 dashboards (jieneng-overview 能耗总览, jieneng-building 楼宇详情, jieneng-device-health 设备健康)',
    );

    const providers = first.yaml('dashboards/jieneng.yaml') as { apiVersion: number; providers: unknown[] };
    expect(providers).toEqual({
      apiVersion: 1,
      providers: [
        {
          name: 'jieneng',
          orgId: 1,
          folder: '节能',
          folderUid: 'jieneng',
          type: 'file',
          disableDeletion: false,
          updateIntervalSeconds: 30,
          allowUiUpdates: false,
          options: { path: join(first.dir, 'dashboards'), foldersFromFilesStructure: false },
        },
      ],
    });
    expect(first.yaml('datasources/jieneng-influx.yaml')).toEqual({
      apiVersion: 1,
      datasources: [
        {
          name: 'jieneng InfluxDB',
          uid: 'jieneng-influx',
          type: 'influxdb',
          access: 'proxy',
          url: 'http://influx.example:8086',
          isDefault: false,
          editable: false,
          jsonData: { version: 'InfluxQL', dbName: 'jieneng_site', httpMode: 'POST', timeInterval: '10s' },
        },
      ],
    });
  });

  it("has the SDK dashboard's required fields, Chinese titles with units, the building variable and Asia/Shanghai", async () => {
    const { dashboards } = await exportTo();
    // Required in the SDK's Dashboard type (schemaVersion, templating, annotations) and what the SDK's
    // own default dashboard sets: each exported file has every one of them, of the same JSON type.
    const required = defaultDashboard();
    for (const { file, text } of dashboards) {
      const d = JSON.parse(text) as Dashboard & { panels: PanelJson[] };
      for (const [key, value] of Object.entries(required))
        expect(typeof (d as unknown as Record<string, unknown>)[key], `${file}: ${key}`).toBe(typeof value);
      expect(d.schemaVersion).toBe(required.schemaVersion);
      expect(d.uid).toBe(file.replace(/\.json$/, ''));
      expect(d.title).toMatch(/^(能耗总览|楼宇详情|设备健康)$/);
      expect(d.timezone).toBe('Asia/Shanghai');
      expect(d.weekStart).toBe('monday');
      expect(d.templating.list?.map((v) => [v.type, v.name, v.label, v.query])).toEqual([
        ['query', 'building', '楼宇', 'SHOW TAG VALUES FROM "reading" WITH KEY = "building"'],
      ]);
      expect(d.panels.length).toBeGreaterThan(4);
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size, `${file}: panel ids unique`).toBe(ids.length);
      for (const p of d.panels) {
        expect(typeof p.type).toBe(typeof defaultPanel().type);
        expect(p.gridPos, `${file}: ${p.title} placed`).toBeDefined();
        expect((p.gridPos?.x ?? 0) + (p.gridPos?.w ?? 0)).toBeLessThanOrEqual(24);
        if (p.type === 'row') continue;
        expect(p.title, `${file}: panel titles are Chinese`).toMatch(/[\u4e00-\u9fff]/);
        expect(p.datasource).toEqual({ type: 'influxdb', uid: 'jieneng-influx' });
        expect(p.targets?.length, `${file}: ${p.title} has a query`).toBeGreaterThan(0);
      }
    }
    const titles = dashboards.flatMap(({ text }) =>
      (JSON.parse(text) as { panels: PanelJson[] }).panels.map((p) => p.title),
    );
    expect(titles).toEqual(
      expect.arrayContaining([
        '总功率 kW',
        '各楼宇功率 kW',
        '分项用电 kWh',
        '各楼宇用水 m³',
        '最后上报',
        '最长上报间隔 s',
      ]),
    );
  });

  it('puts WHERE $timeFilter in every query and GROUP BY time($__interval) in every time series', async () => {
    const { dashboards } = await exportTo();
    let series = 0;
    for (const { file, text } of dashboards) {
      const d = JSON.parse(text) as Dashboard & { panels: PanelJson[] };
      expect(dashboardQueries(d).length).toBeGreaterThan(4);
      for (const p of d.panels)
        for (const t of p.targets ?? []) {
          const where = `${file}: ${p.title} ${t.refId}: ${t.query}`;
          expect(t.rawQuery, where).toBe(true);
          expect(t.query, where).toMatch(/\bWHERE\b.*\$timeFilter/);
          // Every SELECT of the query (subqueries too) is bounded by the dashboard's time range.
          expect(t.query.split(/\bSELECT\b/).length - 1, where).toBe(t.query.split('$timeFilter').length - 1);
          expect(t.datasource, where).toEqual({ type: 'influxdb', uid: 'jieneng-influx' });
          if (t.resultFormat === 'time_series') {
            series++;
            expect(t.query, where).toMatch(/GROUP BY time\(\$__interval\)/);
            expect(t.query, where).toMatch(/ tz\('Asia\/Shanghai'\)$/);
          } else expect(t.resultFormat, where).toBe('table');
        }
    }
    expect(series).toBeGreaterThan(10);
  });

  it('names the InfluxDB of the site file; a password stays out of the file, a token is referenced from the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-grafana-site-'));
    const site = join(dir, 'site.yaml');
    const demo = readFileSync('examples/demo-site.yaml', 'utf8');
    // The demo site with an InfluxDB of its own (platform.influx_url), profiles from the bundle.
    writeFileSync(site, `${demo}\nplatform:\n  influx_url: http://grafana:s3cret@10.1.2.3:8086/fz_energy\n`);
    const { yaml, r } = await exportTo(['--config', site], { INFLUX_TOKEN: '' });
    expect(r.out).not.toContain('s3cret');
    const ds = (yaml('datasources/jieneng-influx.yaml') as { datasources: Record<string, unknown>[] })
      .datasources[0];
    expect(ds).toMatchObject({
      url: 'http://10.1.2.3:8086',
      user: 'grafana',
      jsonData: { dbName: 'fz_energy' },
      secureJsonData: { password: '$INFLUX_PASSWORD' },
    });
    const withToken = await exportTo(['--influx-url', 'https://influx3.example:8181/jieneng'], {
      INFLUX_TOKEN: 'apiv3_secret',
    });
    const tokenDs = (
      withToken.yaml('datasources/jieneng-influx.yaml') as { datasources: Record<string, unknown>[] }
    ).datasources[0];
    expect(tokenDs).toMatchObject({
      url: 'https://influx3.example:8181',
      jsonData: { dbName: 'jieneng', httpHeaderName1: 'Authorization' },
      secureJsonData: { httpHeaderValue1: 'Token $INFLUX_TOKEN' },
    });
    expect(JSON.stringify(tokenDs)).not.toContain('apiv3_secret');
  });

  it('says when the site keeps its readings in the embedded store, which Grafana cannot read', async () => {
    const { r, yaml } = await exportTo();
    expect(r.err).toContain('keeps readings in the embedded store, which Grafana cannot read');
    expect(yaml('datasources/jieneng-influx.yaml')).toMatchObject({
      datasources: [{ url: 'http://127.0.0.1:8086', jsonData: { dbName: 'jieneng' } }],
    });
  });

  it('has its own help page (jieneng dashboards --help)', async () => {
    const page = await runCli(['dashboards', '--help']);
    expect(page.code).toBe(0);
    expect(page.out).toMatch(/^Usage: jieneng dashboards export DIR \| push /);
    for (const o of ['config', 'influx-url', 'grafana-path', 'url']) expect(page.out).toContain(`--${o}`);
    expect(page.out).toMatch(/\nExample:\n {2}jieneng dashboards export \.\/grafana .*\n$/);
    expect(await runCli(['help', 'dashboards'])).toEqual(page);
  });

  it('refuses a missing DIR or a stray option, exit 2', async () => {
    const noDir = await runCli(['dashboards', 'export']);
    expect(noDir.code).toBe(2);
    expect(noDir.err).toContain('usage: jieneng dashboards export DIR | push --url URL');
    const stray = await runCli(['dashboards', 'export', tmpdir(), '--url', 'http://127.0.0.1:3000']);
    expect(stray.code).toBe(2);
    expect(stray.err).toContain('--url is for push');
    const other = await runCli(['dashboards', 'import']);
    expect(other.code).toBe(2);
  });
});
