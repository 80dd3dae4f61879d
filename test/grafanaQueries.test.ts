import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../cli/main.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { dashboardQueries } from '../dashboards/grafana/dashboards.ts';
import { type ConsoleSite, startConsoleSite } from './helpers/console.ts';
import { waitFor } from './helpers/wait.ts';

const buildings = ['zonghe-lou', 'fuwu-lou', 'dangan-lou'];

/**
 * A query as Grafana sends it to InfluxDB: `$timeFilter` → the last hour, `$__interval` → 1m, and
 * `$building` as Grafana's InfluxDB datasource interpolates a variable — a multi-value one as the
 * regex group `(a|b|c)`, a single value as it is.
 */
function withMacros(query: string, building: string | string[]): string {
  const value = Array.isArray(building) ? `(${building.join('|')})` : building;
  return query
    .replaceAll('$timeFilter', 'time > now() - 1h')
    .replaceAll('$__interval', '1m')
    .replaceAll('$building', value);
}

interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

describe('the exported Grafana dashboards against the real InfluxDB the demo writes to', () => {
  let site: ConsoleSite | undefined;
  const database = `grafana_${process.pid}`;
  const influxUrl = `${inject('influxUrl')}/${database}`;

  beforeAll(async () => {
    // The demo site and its simulated building, as `jieneng start --influx-url` runs them: gateways
    // poll the simulators, the collector writes readings and hourly rollups into InfluxDB.
    site = await startConsoleSite({ extra: ['--influx-url', influxUrl] });
  }, 240_000);

  afterAll(async () => {
    await site?.stop();
  });

  it('runs every panel query, macros substituted, and each returns values of the simulated buildings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-grafana-q-'));
    const code = await main(['dashboards', 'export', dir, '--influx-url', influxUrl], {
      out: () => {},
      err: () => {},
    });
    expect(code).toBe(0);
    // The InfluxDB and database the exported datasource names: the queries go where Grafana sends them.
    const ds = (
      parse(readFileSync(join(dir, 'provisioning/datasources/jieneng-influx.yaml'), 'utf8')) as {
        datasources: { url: string; jsonData: { dbName: string } }[];
      }
    ).datasources[0];
    expect(ds?.url).toBe(inject('influxUrl'));
    expect(ds?.jsonData.dbName).toBe(database);
    const influxQuery = async (q: string) => {
      const u = new URL('/query', ds?.url);
      u.searchParams.set('db', ds?.jsonData.dbName ?? '');
      u.searchParams.set('q', q);
      const res = await fetch(u);
      const body = (await res.json()) as {
        results?: { series?: InfluxSeries[]; error?: string }[];
        error?: string;
      };
      const result = body.results?.[0];
      return { status: res.status, error: body.error ?? result?.error, series: result?.series ?? [] };
    };

    const dashboards = readdirSync(join(dir, 'dashboards')).map(
      (f) => JSON.parse(readFileSync(join(dir, 'dashboards', f), 'utf8')) as Dashboard,
    );
    const cases = dashboards.flatMap((d) =>
      dashboardQueries(d).map((q) => ({
        name: `${d.uid} / ${q.panel} / ${q.refId}`,
        // 楼宇详情 shows one building (a single-value variable); the others all of them.
        query: withMacros(q.query, d.uid === 'jieneng-building' ? 'fuwu-lou' : buildings),
      })),
    );
    expect(cases.length).toBeGreaterThan(15);

    type Outcome = { name: string; query: string; error?: string; values: number; series: InfluxSeries[] };
    let outcomes: Outcome[] = [];
    const runAll = async () => {
      outcomes = [];
      for (const c of cases) {
        const r = await influxQuery(c.query);
        // A row counts when it holds a value: GROUP BY time(…) fill(null) also answers empty buckets.
        const values = r.series.reduce(
          (n, s) => n + s.values.filter((row) => row.slice(1).some((v) => v !== null)).length,
          0,
        );
        outcomes.push({ ...c, ...(r.error ? { error: r.error } : {}), values, series: r.series });
      }
      return outcomes;
    };
    const named = (part: string) => outcomes.find((o) => o.name.includes(part));
    const tagValues = (o: Outcome | undefined, tag: string) =>
      [...new Set(o?.series.map((s) => s.tags?.[tag]))].sort();
    const devices = [...loadSite('examples/demo-site.yaml').devices.keys()].sort();
    // Readings arrive within seconds (the water meters every 10 s, OPC UA on change); the hourly
    // rollups of the current hour within the rollup job's minute.
    await waitFor(
      'every dashboard query to return values, and every device of the site to have reported',
      async () =>
        (await runAll()).every((o) => o.error === undefined && o.values > 0) &&
        tagValues(named('jieneng-device-health / 最后上报'), 'device').length === devices.length,
      {
        timeoutMs: 240_000,
        seen: () => outcomes.filter((o) => o.error || o.values === 0).map((o) => o.name),
      },
    );
    expect(outcomes.filter((o) => o.error)).toEqual([]);

    // A closer look at some: every building's power, the 分项 of the sub-meters, every device's health.
    expect(tagValues(named('jieneng-overview / 各楼宇功率 kW'), 'building')).toEqual([...buildings].sort());
    expect(tagValues(named('jieneng-overview / 各楼宇用水 m³'), 'building')).toEqual([...buildings].sort());
    expect(tagValues(named('jieneng-overview / 分项用电 kWh'), 'subitem')).toEqual([
      'hvac',
      'lighting_socket',
      'power',
      'special',
    ]);
    const power = named('jieneng-overview / 总功率 kW')?.series[0]?.values.filter((r) => r[1] !== null) ?? [];
    // The compound draws tens to hundreds of kW (device-sims/scenarios/fuzhou-compound.yaml).
    expect(Number(power.at(-1)?.[1])).toBeGreaterThan(5);
    expect(tagValues(named('jieneng-building / 总表用电 kWh'), 'meter')).toEqual(['fuwu-main']);
    // Devices without a building (the OPC UA air-conditioners, the lighting relays) are listed too.
    expect(tagValues(named('jieneng-device-health / 最后上报'), 'device')).toEqual(devices);
    expect(tagValues(named('jieneng-device-health / 读数质量（所选时段，条）'), 'device')).toEqual(devices);

    // The building variable's own query lists the site's buildings.
    const variable = await influxQuery(
      (dashboards[0]?.templating.list?.[0]?.query as string | undefined) ?? 'missing variable',
    );
    expect(variable.series[0]?.values.map((v) => v[1]).sort()).toEqual([...buildings].sort());
  }, 420_000);
});
