import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueTextMode,
  GraphDrawStyle,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  type DynamicConfigValue,
  MappingType,
  type Panel,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  PanelBuilder as PieChart,
  PieChartLegendOptionsBuilder,
  PieChartLegendValues,
  PieChartType,
} from '@grafana/grafana-foundation-sdk/piechart';
import { PanelBuilder as Stat } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as Table } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { InfluxQLBuilder, oneOf, stringLit } from './influxql.ts';
import { categoryInfo, type GrafanaSite, type PowerPoint, subitemNames } from './siteModel.ts';

/** The datasource every panel and variable reads: provisioned with this uid (provisioning.ts). */
export const datasourceUid = 'jieneng-influx';
const influx = { type: 'influxdb', uid: datasourceUid };

/** The Grafana folder the dashboards go in (file provisioning and `jieneng dashboards push`). */
export const folder = { uid: 'jieneng', title: '节能' };

/** Stable uids: links and bookmarks to a dashboard survive every export and push. */
export const dashboardUids = {
  overview: 'jieneng-overview',
  building: 'jieneng-building',
  deviceHealth: 'jieneng-device-health',
} as const;

/** Raw readings (default retention policy) and consumption rollups (kept forever), as core/store/influxStore.ts writes them. */
const READING = '"reading"';
const CONSUMPTION = '"forever"."consumption"';

type AnyPanel = Builder<Panel> & { id(id: number): unknown };

/**
 * The three dashboards of a site, built with the SDK's builders over InfluxQL (dashboards/README.md).
 * Every panel query has `WHERE $timeFilter`; every time series groups by `time($__interval)` in the
 * site's zone (`tz()`), so a day bucket is a local day.
 */
export function siteDashboards(site: GrafanaSite): Dashboard[] {
  return [overview(site), building(site), deviceHealth(site)];
}

function overview(site: GrafanaSite): Dashboard {
  const q = queries(site);
  const ids = counter();
  const d = base(site, dashboardUids.overview, '能耗总览', 'now-24h')
    .description(
      `${site.name}：各楼宇的功率、用电（分项）与用水，数据来自 jieneng 写入 InfluxDB 的读数和小时能耗（${site.timezone}）。`,
    )
    .withVariable(buildingVariable(true));
  d.withRow(new RowBuilder('实时功率').id(ids()));
  d.withPanel(
    panel(
      ids,
      new Stat()
        .title('总功率 kW')
        .description('所选楼宇总表有功功率之和，每个时间段取各表平均值后相加；显示最新一段。')
        .unit('kwatt')
        .decimals(1)
        .withTarget(target('A', q.sitePower))
        .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
        .graphMode(BigValueGraphMode.Area)
        .colorMode(BigValueColorMode.None)
        .textMode(BigValueTextMode.Value),
      6,
      8,
    ),
  );
  d.withPanel(
    panel(
      ids,
      withBuildingNames(
        site,
        new TimeSeries()
          .title('各楼宇功率 kW')
          .description('每栋楼总表的有功功率（各时间段平均值）。')
          .unit('kwatt')
          .withTarget(target('A', q.buildingPower).alias('$tag_building'))
          .legend(legend(['mean', 'max', 'lastNotNull'])),
      ),
      18,
      8,
    ),
  );
  d.withRow(new RowBuilder('能耗（小时汇总）').id(ids()));
  for (const category of site.categories.filter((c) => c === 'electricity')) {
    const info = categoryInfo[category] ?? { name: category, unit: 'short', unitText: '' };
    d.withPanel(
      panel(
        ids,
        new Stat()
          .title(`${info.name}总量 ${info.unitText}`)
          .description('所选时段内所选楼宇总表的小时能耗之和。')
          .unit(info.unit)
          .decimals(1)
          .withTarget(target('A', q.consumptionTotal(category)))
          .reduceOptions(new ReduceDataOptionsBuilder().calcs(['sum']))
          .graphMode(BigValueGraphMode.None)
          .colorMode(BigValueColorMode.None),
        6,
        8,
      ),
    );
    d.withPanel(
      panel(
        ids,
        withBuildingNames(site, bars(`各楼宇${info.name} ${info.unitText}`, info.unit))
          .description('每栋楼总表每个时间段的能耗（小时汇总相加），按楼宇堆叠。')
          .withTarget(target('A', q.consumptionByBuilding(category)).alias('$tag_building')),
        12,
        8,
      ),
    );
  }
  if (site.subitems.length > 0)
    d.withPanel(
      panel(
        ids,
        withSubitemNames(
          new PieChart()
            .title('分项用电 kWh')
            .description('所选时段内所选楼宇分项电表的用电量（照明插座、空调、动力、特殊）。')
            .unit('kwatth')
            .decimals(1)
            .withTarget(target('A', q.subitemEnergy).alias('$tag_subitem'))
            .reduceOptions(new ReduceDataOptionsBuilder().calcs(['sum']))
            .pieType(PieChartType.Donut)
            .legend(
              new PieChartLegendOptionsBuilder()
                .showLegend(true)
                .displayMode(LegendDisplayMode.Table)
                .placement(LegendPlacement.Right)
                .values([PieChartLegendValues.Value, PieChartLegendValues.Percent]),
            ),
        ),
        6,
        8,
      ),
    );
  const others = site.categories.filter((c) => c !== 'electricity');
  if (others.length > 0) d.withRow(new RowBuilder('用水与燃气').id(ids()));
  for (const category of others) {
    const info = categoryInfo[category] ?? { name: category, unit: 'short', unitText: '' };
    d.withPanel(
      panel(
        ids,
        new Stat()
          .title(`${info.name}总量 ${info.unitText}`)
          .description('所选时段内所选楼宇的小时汇总之和。')
          .unit(info.unit)
          .decimals(1)
          .withTarget(target('A', q.consumptionTotal(category)))
          .reduceOptions(new ReduceDataOptionsBuilder().calcs(['sum']))
          .graphMode(BigValueGraphMode.None)
          .colorMode(BigValueColorMode.None),
        6,
        8,
      ),
    );
    d.withPanel(
      panel(
        ids,
        withBuildingNames(site, bars(`各楼宇${info.name} ${info.unitText}`, info.unit))
          .description('每栋楼每个时间段的用量（小时汇总相加），按楼宇堆叠。')
          .withTarget(target('A', q.consumptionByBuilding(category)).alias('$tag_building')),
        18,
        8,
      ),
    );
  }
  return d.build();
}

function building(site: GrafanaSite): Dashboard {
  const q = queries(site);
  const ids = counter();
  const d = base(site, dashboardUids.building, '楼宇详情', 'now-7d')
    .description(`${site.name}：一栋楼的总表与分项功率、分项用电、用水和各电表的最新读数。`)
    .withVariable(buildingVariable(false));
  d.withRow(new RowBuilder('功率').id(ids()));
  d.withPanel(
    panel(
      ids,
      new Stat()
        .title('当前功率 kW')
        .description('本楼总表有功功率之和（最新一段的平均值）。')
        .unit('kwatt')
        .decimals(1)
        .withTarget(target('A', q.sitePower))
        .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
        .graphMode(BigValueGraphMode.Area)
        .colorMode(BigValueColorMode.None),
      6,
      8,
    ),
  );
  d.withPanel(
    panel(
      ids,
      withDeviceNames(
        site,
        new TimeSeries()
          .title('总表功率 kW（平均 / 最大 / 最小）')
          .description('每个时间段的平均值和最大、最小值：汇总不会抹平尖峰。')
          .unit('kwatt')
          .targets(
            q
              .meterPower('main', ['mean', 'max', 'min'])
              .map((s, i) => target(ref(i), s).alias('$tag_device $col')),
          )
          .legend(legend(['mean', 'max'])),
        [' 平均', ' 最大', ' 最小'],
        ['mean', 'max', 'min'],
      ),
      18,
      8,
    ),
  );
  d.withPanel(
    panel(
      ids,
      withDeviceNames(
        site,
        new TimeSeries()
          .title('分项电表功率 kW')
          .description('本楼各分项电表的有功功率（各时间段平均值）。')
          .unit('kwatt')
          .targets(q.meterPower('sub', ['mean']).map((s, i) => target(ref(i), s).alias('$tag_device')))
          .legend(legend(['mean', 'max', 'lastNotNull'])),
      ),
      24,
      8,
    ),
  );
  d.withRow(new RowBuilder('能耗（小时汇总）').id(ids()));
  if (site.subitems.length > 0)
    d.withPanel(
      panel(
        ids,
        withSubitemNames(bars('分项用电 kWh', 'kwatth'))
          .description('本楼分项电表每个时间段的用电量，按分项堆叠。')
          .withTarget(target('A', q.subitemEnergy).alias('$tag_subitem')),
        12,
        8,
      ),
    );
  for (const category of site.categories) {
    const info = categoryInfo[category] ?? { name: category, unit: 'short', unitText: '' };
    d.withPanel(
      panel(
        ids,
        withNames(site.meterNames, bars(`总表${info.name} ${info.unitText}`, info.unit))
          .description('本楼总表每个时间段的用量（小时汇总相加）。')
          .withTarget(target('A', q.consumptionByMeter(category)).alias('$tag_meter')),
        category === 'electricity' ? 12 : 8,
        8,
      ),
    );
  }
  d.withRow(new RowBuilder('最新读数').id(ids()));
  d.withPanel(
    panel(
      ids,
      deviceColumn(
        site,
        new Table()
          .title('各设备最新读数')
          .description('所选时段内本楼各设备每个点位的最后一个读数和单位。')
          .withTarget(target('A', q.latestValues).table())
          .withTransformation({
            id: 'organize',
            options: {
              excludeByName: { Time: true },
              renameByName: { point: '点位', value: '读数', unit: '单位' },
            },
          }),
      ),
      24,
      10,
    ),
  );
  return d.build();
}

function deviceHealth(site: GrafanaSite): Dashboard {
  const q = queries(site);
  const ids = counter();
  const d = base(site, dashboardUids.deviceHealth, '设备健康', 'now-6h')
    .description(
      `${site.name}：每台设备最后一次上报、读数质量和上报间隔。未挂在楼宇下的设备（空调、照明回路等）在选任何楼宇时都列出。`,
    )
    .withVariable(buildingVariable(true));
  d.withPanel(
    panel(
      ids,
      deviceColumn(
        site,
        new Table()
          .title('最后上报')
          .description('每台设备最后一个读数的时间和质量（良好 / 存疑 / 坏）。')
          .withTarget(target('A', q.lastSeen).table())
          .overrideByName('Time', [
            { id: 'displayName', value: '最后上报' },
            { id: 'unit', value: 'dateTimeFromNow' },
          ])
          .overrideByName('quality', [
            { id: 'displayName', value: '质量' },
            {
              id: 'mappings',
              value: [
                {
                  type: MappingType.ValueToText,
                  options: {
                    good: { text: '良好', color: 'green', index: 0 },
                    uncertain: { text: '存疑', color: 'orange', index: 1 },
                    bad: { text: '坏', color: 'red', index: 2 },
                  },
                },
              ],
            },
            { id: 'custom.cellOptions', value: { type: 'color-text' } },
          ]),
      ),
      10,
      12,
    ),
  );
  d.withPanel(
    panel(
      ids,
      deviceColumn(
        site,
        new Table()
          .title('读数质量（所选时段，条）')
          .description('每台设备的读数条数：良好，以及存疑或坏（带原因的读数，如 stale、通信失败）。')
          .withTarget(target('A', q.qualityTable).table())
          .withTransformation({
            id: 'organize',
            options: {
              excludeByName: { Time: true },
              renameByName: { readings: '读数', good: '良好', not_good: '存疑或坏' },
            },
          }),
      ),
      14,
      12,
    ),
  );
  d.withPanel(
    panel(
      ids,
      withDeviceNames(
        site,
        new TimeSeries()
          .title('上报读数（条/时间段）')
          .description('每台设备每个时间段收到的读数条数；降到 0 的地方就是断档。')
          .unit('short')
          .withTarget(target('A', q.readingCount).alias('$tag_device'))
          .legend(legend(['min', 'mean'])),
      ),
      12,
      9,
    ),
  );
  d.withPanel(
    panel(
      ids,
      withDeviceNames(
        site,
        new TimeSeries()
          .title('最长上报间隔 s')
          .description('每台设备同一点位相邻两个读数之间的最长间隔（秒），高于轮询周期即有漏读。')
          .unit('s')
          .withTarget(target('A', q.longestGap).alias('$tag_device'))
          .legend(legend(['max'])),
      ),
      12,
      9,
    ),
  );
  d.withPanel(
    panel(
      ids,
      bars('读数质量（条/时间段）', 'short')
        .description('所有所选设备每个时间段的良好读数与存疑或坏读数，堆叠。')
        .withTarget(target('A', q.qualitySeries).alias('$col'))
        .overrideByName('not_good', [
          { id: 'displayName', value: '存疑或坏' },
          { id: 'color', value: { mode: 'fixed', fixedColor: 'orange' } },
        ])
        .overrideByName('good', [
          { id: 'displayName', value: '良好' },
          { id: 'color', value: { mode: 'fixed', fixedColor: 'green' } },
        ]),
      24,
      8,
    ),
  );
  return d.build();
}

/** Every InfluxQL query of the dashboards, with Grafana's macros and `$building` still in. */
function queries(site: GrafanaSite) {
  const tz = `tz(${stringLit(site.timezone)})`;
  const inBuilding = `"building" =~ /^$building$/`;
  // Devices without a building tag (no meter on them) are listed whichever building is chosen.
  const inBuildingOrNone = `("building" =~ /^$building$/ OR "building" = '')`;
  const interval = 'time($__interval)';
  /** kW per device and time bucket of the power points of `role`, one subquery per point and unit. */
  const powerSubqueries = (role: PowerPoint['role']) =>
    groupPower(site.power.filter((p) => p.role === role)).map(
      (g) =>
        `(SELECT mean("value") * ${g.toKw} AS "kw" FROM ${READING} WHERE "point" = ${stringLit(g.point)} AND "device" =~ ${oneOf(g.devices)} AND ${inBuilding} AND $timeFilter GROUP BY ${interval}, "device", "building")`,
    );
  const consumption = (category: string, role: 'main' | 'sub') =>
    `FROM ${CONSUMPTION} WHERE "period" = 'hour' AND "category" = ${stringLit(category)} AND "role" = ${stringLit(role)} AND ${inBuilding} AND $timeFilter`;
  return {
    sitePower: `SELECT sum("kw") FROM ${powerSubqueries('main').join(', ')} WHERE $timeFilter GROUP BY ${interval} fill(null) ${tz}`,
    buildingPower: `SELECT sum("kw") FROM ${powerSubqueries('main').join(', ')} WHERE $timeFilter GROUP BY ${interval}, "building" fill(null) ${tz}`,
    /** One query per point and unit group: mean, max, min … in kW per device. */
    meterPower: (role: PowerPoint['role'], fns: string[]) =>
      groupPower(site.power.filter((p) => p.role === role)).map(
        (g) =>
          `SELECT ${fns.map((f) => `${f}("value") * ${g.toKw} AS "${f}"`).join(', ')} FROM ${READING} WHERE "point" = ${stringLit(g.point)} AND "device" =~ ${oneOf(g.devices)} AND ${inBuilding} AND $timeFilter GROUP BY ${interval}, "device" fill(null) ${tz}`,
      ),
    consumptionTotal: (category: string) =>
      `SELECT sum("value") ${consumption(category, 'main')} GROUP BY ${interval} fill(none) ${tz}`,
    consumptionByBuilding: (category: string) =>
      `SELECT sum("value") ${consumption(category, 'main')} GROUP BY ${interval}, "building" fill(none) ${tz}`,
    consumptionByMeter: (category: string) =>
      `SELECT sum("value") ${consumption(category, 'main')} GROUP BY ${interval}, "meter" fill(none) ${tz}`,
    subitemEnergy: `SELECT sum("value") ${consumption('electricity', 'sub')} GROUP BY ${interval}, "subitem" fill(none) ${tz}`,
    latestValues: `SELECT last("value") AS "value", last("unit") AS "unit" FROM ${READING} WHERE ${inBuilding} AND $timeFilter GROUP BY "device", "point"`,
    lastSeen: `SELECT last("quality") AS "quality" FROM ${READING} WHERE ${inBuildingOrNone} AND $timeFilter GROUP BY "device"`,
    // A reading that is not good carries a reason (stale, a failed read): count("reason"). fill(0)
    // turns "no such reading" into 0 rather than dropping the whole expression.
    qualityTable: `SELECT count("quality") AS "readings", count("quality") - count("reason") AS "good", count("reason") AS "not_good" FROM ${READING} WHERE ${inBuildingOrNone} AND $timeFilter GROUP BY "device" fill(0)`,
    qualitySeries: `SELECT count("quality") - count("reason") AS "good", count("reason") AS "not_good" FROM ${READING} WHERE ${inBuildingOrNone} AND $timeFilter GROUP BY ${interval} fill(0) ${tz}`,
    readingCount: `SELECT count("quality") FROM ${READING} WHERE ${inBuildingOrNone} AND $timeFilter GROUP BY ${interval}, "device" fill(0) ${tz}`,
    longestGap: `SELECT max("gap") FROM (SELECT elapsed("quality", 1s) AS "gap" FROM ${READING} WHERE ${inBuildingOrNone} AND $timeFilter GROUP BY "device", "point") WHERE $timeFilter GROUP BY ${interval}, "device" fill(none) ${tz}`,
  };
}

/** Power points grouped by point id and unit factor (one InfluxQL subquery each). */
function groupPower(points: PowerPoint[]): { point: string; toKw: number; devices: string[] }[] {
  const groups = new Map<string, { point: string; toKw: number; devices: string[] }>();
  for (const p of points) {
    const key = `${p.point}\u0000${p.toKw}`;
    let g = groups.get(key);
    if (!g) {
      g = { point: p.point, toKw: p.toKw, devices: [] };
      groups.set(key, g);
    }
    g.devices.push(p.device);
  }
  return [...groups.values()];
}

function base(site: GrafanaSite, uid: string, title: string, from: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .tags(['jieneng', site.id])
    .timezone(site.timezone)
    .weekStart('monday')
    .time({ from, to: 'now' })
    .refresh('1m')
    .tooltip(DashboardCursorSync.Crosshair)
    .readonly();
}

/** `$building`: the building tag's values in InfluxDB (SHOW TAG VALUES), all of them by default or one. */
function buildingVariable(multi: boolean): QueryVariableBuilder {
  const v = new QueryVariableBuilder('building')
    .label('楼宇')
    .description('jieneng 站点文件中的楼宇编号（读数的 building 标签）')
    .datasource(influx)
    .query(`SHOW TAG VALUES FROM ${READING} WITH KEY = "building"`)
    .refresh(VariableRefresh.OnDashboardLoad)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(multi);
  return multi ? v.includeAll(true) : v.includeAll(false);
}

function target(refId: string, query: string): InfluxQLBuilder {
  return new InfluxQLBuilder(query).refId(refId).datasource(influx);
}

const ref = (i: number) => String.fromCharCode(65 + i);

function counter(): () => number {
  let n = 0;
  return () => ++n;
}

interface Sized {
  id(id: number): unknown;
  span(w: number): unknown;
  height(h: number): unknown;
  datasource(ds: typeof influx): unknown;
}

/** A panel with the next id, its width and height on the 24-column grid, reading the jieneng datasource. */
function panel<P extends AnyPanel & Sized>(ids: () => number, p: P, w: number, h: number): P {
  p.id(ids());
  p.span(w);
  p.height(h);
  p.datasource(influx);
  return p;
}

function bars(title: string, unit: string): TimeSeries {
  return new TimeSeries()
    .title(title)
    .unit(unit)
    .interval('1h')
    .drawStyle(GraphDrawStyle.Bars)
    .fillOpacity(80)
    .lineWidth(1)
    .stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
    .legend(legend(['sum']));
}

function legend(calcs: string[]): VizLegendOptionsBuilder {
  return new VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(LegendDisplayMode.Table)
    .placement(LegendPlacement.Bottom)
    .calcs(calcs);
}

interface Overridable {
  overrideByName(name: string, properties: DynamicConfigValue[]): unknown;
}

const displayName = (value: string): DynamicConfigValue[] => [{ id: 'displayName', value }];

/** Series named by building id (`$tag_building`) shown with the building's name. */
function withBuildingNames<P extends Overridable>(site: GrafanaSite, p: P): P {
  for (const b of site.buildings) p.overrideByName(b.id, displayName(b.name));
  return p;
}

function withSubitemNames<P extends Overridable>(p: P): P {
  for (const [id, name] of Object.entries(subitemNames)) p.overrideByName(id, displayName(name));
  return p;
}

/** Series named by device id (`$tag_device`, with `suffixes` per column) shown with the device's name. */
function withDeviceNames<P extends Overridable>(
  site: GrafanaSite,
  p: P,
  suffixes: string[] = [''],
  columns: string[] = [''],
): P {
  return withNames(site.deviceNames, p, suffixes, columns);
}

/** Series named by an id (`$tag_device`, `$tag_meter`, with `suffixes` per column) shown with its name. */
function withNames<P extends Overridable>(
  names: Map<string, string>,
  p: P,
  suffixes: string[] = [''],
  columns: string[] = [''],
): P {
  for (const [id, name] of names)
    suffixes.forEach((suffix, i) => {
      const column = columns[i] ? ` ${columns[i]}` : '';
      p.overrideByName(`${id}${column}`, displayName(`${name}${suffix}`));
    });
  return p;
}

/** A table's `device` column shown as 设备 with the devices' names. */
function deviceColumn<P extends Overridable>(site: GrafanaSite, p: P): P {
  const options: Record<string, { text: string }> = {};
  for (const [id, name] of site.deviceNames) options[id] = { text: name };
  p.overrideByName('device', [
    { id: 'displayName', value: '设备' },
    { id: 'mappings', value: [{ type: MappingType.ValueToText, options }] },
  ]);
  return p;
}

/** Every InfluxQL query of a dashboard's panels (rows and nested panels included). */
export function dashboardQueries(d: Dashboard): { panel: string; refId: string; query: string }[] {
  const out: { panel: string; refId: string; query: string }[] = [];
  const visit = (p: { title?: string; targets?: unknown[]; panels?: unknown[] }) => {
    for (const t of (p.targets ?? []) as { refId?: string; query?: string }[])
      if (typeof t.query === 'string')
        out.push({ panel: p.title ?? '', refId: t.refId ?? '', query: t.query });
    for (const child of (p.panels ?? []) as (typeof p)[]) visit(child);
  };
  for (const p of d.panels ?? []) visit(p as Parameters<typeof visit>[0]);
  return out;
}
