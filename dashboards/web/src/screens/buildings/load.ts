/**
 * What the screen reads from the API for one node and period: the node's totals (this period and
 * its base period) per energy category, every meter's total of the period (for 总分表平衡), and the
 * hour or day series of the node's meters (this period, and the base period of its total meters).
 */
import { api, ok } from '../../api/client';
import { apiRange, type DateRange, defaultTimeZone } from '../../period';
import {
  type BalanceGroup,
  bucketKey,
  bucketsOf,
  type Granularity,
  type NodeKind,
  type Series,
  type SiteTree,
  seriesOf,
} from './model';

export interface Total {
  key: string;
  category: string;
  value: number;
  estimated: number;
  unit: string | null;
}

export interface NodeData {
  granularity: Granularity;
  buckets: string[];
  baseBuckets: string[];
  /** Totals of the node per category, this period and the base period. */
  totals: Total[];
  baseTotals: Total[];
  /** Every meter's total of this period. */
  meterTotals: Total[];
  series: Map<string, Series>;
  baseSeries: Map<string, Series>;
}

const groupBy: Record<NodeKind, 'organization' | 'building' | 'area' | 'meter'> = {
  organization: 'organization',
  building: 'building',
  area: 'area',
  meter: 'meter',
};

async function totals(
  r: DateRange,
  by: (typeof groupBy)[NodeKind],
  timeZone = defaultTimeZone,
): Promise<Total[]> {
  const data = await ok(
    // A partial last day (today so far, and its base periods) ends at the same time of day.
    api.GET('/api/v1/consumption', { params: { query: { ...apiRange(r, timeZone), group_by: by } } }),
  );
  // Only the virtual 其他/未计量 of group_by=subitem (not asked for here) can be null.
  return data.totals.flatMap((t) =>
    t.value === null
      ? []
      : [{ key: t.key, category: t.category, value: t.value, estimated: t.estimated, unit: t.unit ?? null }],
  );
}

async function meterSeries(r: DateRange, g: Granularity, meter: string, timeZone: string): Promise<Series> {
  const data = await ok(
    api.GET('/api/v1/consumption', {
      params: { query: { ...apiRange(r, timeZone), period: g, group_by: 'meter', meter } },
    }),
  );
  return seriesOf(data.series ?? [], g, timeZone);
}

/** The meters whose base-period series the trend needs: each group's main meters, else its sub-meters. */
const totalMeters = (groups: readonly BalanceGroup[]) =>
  groups.flatMap((g) => (g.mains.length > 0 ? g.mains : g.subs));

export async function loadNode(
  tree: SiteTree,
  kind: NodeKind,
  key: string,
  groups: readonly BalanceGroup[],
  period: DateRange,
  base: DateRange,
  granularity: Granularity,
): Promise<NodeData> {
  const tz = tree.timezone;
  const nowKey = bucketKey(new Date().toISOString(), 'hour', tz);
  const meters = [...new Set(groups.flatMap((g) => [...g.mains, ...g.subs]).map((m) => m.id))];
  const baseMeters = [...new Set(totalMeters(groups).map((m) => m.id))];
  const [current, previous, all, series, baseSeries] = await Promise.all([
    totals(period, groupBy[kind], tz),
    totals(base, groupBy[kind], tz),
    totals(period, 'meter', tz),
    Promise.all(meters.map(async (id) => [id, await meterSeries(period, granularity, id, tz)] as const)),
    Promise.all(baseMeters.map(async (id) => [id, await meterSeries(base, granularity, id, tz)] as const)),
  ]);
  const mine = (t: Total) => t.key === key;
  return {
    granularity,
    buckets: bucketsOf(period, granularity, nowKey),
    // The base period is past: all its buckets.
    baseBuckets: bucketsOf(base, granularity, `${base.to} 23`),
    totals: current.filter(mine),
    baseTotals: previous.filter(mine),
    meterTotals: all,
    series: new Map(series),
    baseSeries: new Map(baseSeries),
  };
}
