/**
 * The 建筑与区域 screen's arithmetic, as pure functions (unit-tested in model.test.ts): the tree of
 * the site (organization → buildings → areas → meters), the buckets of a period (hours of one day,
 * days of a longer period), each meter's series on those buckets (a bucket without a rollup is
 * missing — null — never 0), and per bucket the 分项 of the node with "其他/未计量" = main − Σ subs,
 * which is never drawn negative: when the sub-meters add up to more than the main meter the bucket is
 * a balance problem, said in words.
 */
import { addDays, type DateRange } from '../../period';

export interface Meter {
  id: string;
  name: string | null;
  category: string;
  subitem: string | null;
  role: 'main' | 'sub';
  building: string;
  area: string | null;
  unit: string | null;
}
export interface Area {
  id: string;
  name: string;
  area_m2: number;
  meters: Meter[];
}
export interface Building {
  id: string;
  name: string;
  floor_area_m2: number | null;
  headcount: number | null;
  areas: Area[];
  meters: Meter[];
}
export interface SiteTree {
  timezone: string;
  organization: { id: string; name: string; buildings: Building[] };
}

export type NodeKind = 'organization' | 'building' | 'area' | 'meter';

/** A node of the el-tree: `id` is `<kind>:<key>` (key: organization id, building id, `<building>/<area>`, meter id). */
export interface TreeNode {
  id: string;
  kind: NodeKind;
  key: string;
  label: string;
  children?: TreeNode[];
}

/** The 分项 in the order of GB/T 51161 and the 2008 导则; `other` is main − Σ sub-meters. */
export const subitems = ['lighting_socket', 'hvac', 'power', 'special'] as const;
export type Subitem = (typeof subitems)[number];

/** Every meter of the building (its own and its areas'). */
export function buildingMeters(b: Building): Meter[] {
  return [...b.meters, ...b.areas.flatMap((a) => a.meters)];
}

/**
 * A meter's label under its building: its name without the building's name in front (综合办公楼照明插座
 * → 照明插座, as the tree already says which building), else its name, else its id.
 */
export function meterLabel(m: Meter, buildingName: string): string {
  const name = m.name ?? m.id;
  const rest = name.startsWith(buildingName) ? name.slice(buildingName.length).trim() : '';
  return rest || name;
}

/** The el-tree's data: the organization, its buildings, their areas, and the meters where they serve. */
export function treeNodes(tree: SiteTree, meterLabel: (m: Meter) => string): TreeNode[] {
  const meterNode = (m: Meter): TreeNode => ({
    id: `meter:${m.id}`,
    kind: 'meter',
    key: m.id,
    label: meterLabel(m),
  });
  const org = tree.organization;
  return [
    {
      id: `organization:${org.id}`,
      kind: 'organization',
      key: org.id,
      label: org.name,
      children: org.buildings.map((b) => ({
        id: `building:${b.id}`,
        kind: 'building',
        key: b.id,
        label: b.name,
        children: [
          ...b.areas.map(
            (a): TreeNode => ({
              id: `area:${b.id}/${a.id}`,
              kind: 'area',
              key: `${b.id}/${a.id}`,
              label: a.name,
              children: a.meters.map(meterNode),
            }),
          ),
          ...b.meters.map(meterNode),
        ],
      })),
    },
  ];
}

/** What a node adds up: groups of main and sub meters that balance against each other (one per building). */
export interface BalanceGroup {
  building: string;
  mains: Meter[];
  subs: Meter[];
}

/**
 * The meters whose 分项 a node shows, grouped by building: its electricity meters (an area's are one
 * group); a meter node is just that meter, of any category, as a sub-meter of nothing.
 */
export function electricityGroups(tree: SiteTree, kind: NodeKind, key: string): BalanceGroup[] {
  const elec = (ms: Meter[]) => ms.filter((m) => m.category === 'electricity');
  const group = (building: string, ms: Meter[]): BalanceGroup => ({
    building,
    mains: elec(ms).filter((m) => m.role === 'main'),
    subs: elec(ms).filter((m) => m.role === 'sub'),
  });
  const buildings = tree.organization.buildings;
  switch (kind) {
    case 'organization':
      return buildings.map((b) => group(b.id, buildingMeters(b)));
    case 'building': {
      const b = buildings.find((x) => x.id === key);
      return b ? [group(b.id, buildingMeters(b))] : [];
    }
    case 'area': {
      const [bid, aid] = key.split('/');
      const a = buildings.find((x) => x.id === bid)?.areas.find((x) => x.id === aid);
      return a && bid ? [group(bid, a.meters)] : [];
    }
    case 'meter': {
      // One meter of any category: its own consumption, nothing to balance against.
      const m = buildings.flatMap(buildingMeters).find((x) => x.id === key);
      return m ? [{ building: m.building, mains: [], subs: [m] }] : [];
    }
  }
}

/** Every meter of a node, any category. */
export function nodeMeters(tree: SiteTree, kind: NodeKind, key: string): Meter[] {
  const buildings = tree.organization.buildings;
  switch (kind) {
    case 'organization':
      return buildings.flatMap(buildingMeters);
    case 'building':
      return buildings.filter((b) => b.id === key).flatMap(buildingMeters);
    case 'area': {
      const [bid, aid] = key.split('/');
      return buildings.find((b) => b.id === bid)?.areas.find((a) => a.id === aid)?.meters ?? [];
    }
    case 'meter':
      return buildings.flatMap(buildingMeters).filter((m) => m.id === key);
  }
}

export type Granularity = 'hour' | 'day';

/** Hours for a one-day period, days otherwise. */
export const granularityOf = (r: DateRange): Granularity => (r.from === r.to ? 'hour' : 'day');

/** A bucket's key: `YYYY-MM-DD` (day) or `YYYY-MM-DD HH` (hour), local to the site. */
export function bucketKey(iso: string, g: Granularity, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = `${get('year')}-${get('month')}-${get('day')}`;
  return g === 'day' ? day : `${day} ${get('hour')}`;
}

/**
 * The buckets of a period up to `now` (the current hour or day included, later ones are not yet):
 * the keys every series is laid on, so a bucket without data is a gap, not a missing bar.
 */
export function bucketsOf(r: DateRange, g: Granularity, nowKey: string): string[] {
  const out: string[] = [];
  if (g === 'hour') {
    for (let h = 0; h < 24; h++) {
      const key = `${r.from} ${String(h).padStart(2, '0')}`;
      if (key > nowKey) break;
      out.push(key);
    }
    return out;
  }
  const today = nowKey.slice(0, 10);
  for (let d = r.from; d <= r.to && d <= today; d = addDays(d, 1)) out.push(d);
  return out;
}

/** A meter's values by bucket key (absent: no rollup for that bucket). */
export type Series = Map<string, { value: number; estimated: number }>;

export function seriesOf(
  points: readonly { start: string; value: number; estimated: number }[],
  g: Granularity,
  timeZone: string,
): Series {
  const s: Series = new Map();
  for (const p of points) {
    const k = bucketKey(p.start, g, timeZone);
    const was = s.get(k);
    s.set(k, { value: (was?.value ?? 0) + p.value, estimated: (was?.estimated ?? 0) + p.estimated });
  }
  return s;
}

/** The sum of these meters in a bucket; null when any of them has no value there (a gap stays a gap). */
function sumAt(meters: readonly Meter[], series: ReadonlyMap<string, Series>, key: string) {
  let value = 0;
  let estimated = 0;
  for (const m of meters) {
    const v = series.get(m.id)?.get(key);
    if (!v) return null;
    value += v.value;
    estimated += v.estimated;
  }
  return { value, estimated };
}

/** One bucket of a node's 分项 breakdown. null: missing (缺数据). */
export interface SubitemRow {
  key: string;
  /** Each 分项's consumption (the node's sub-meters of that 分项 summed); absent: the node has none. */
  subitems: Partial<Record<Subitem, number | null>>;
  /** The node's total: its main meters, or without one the sum of its sub-meters. */
  total: number | null;
  /** Σ sub-meters. */
  subs: number | null;
  /** 其他/未计量 = main − Σ subs, ≥ 0; null when missing, when there is no main meter, or when negative. */
  other: number | null;
  /** Σ subs − main where the sub-meters exceed the main meter (a balance problem), else 0. */
  excess: number;
  /** The buildings whose sub-meters exceed their main meter in this bucket. */
  excessIn: string[];
  /** Part of the total that is estimated (interpolated), in the unit. */
  estimated: number;
}

/**
 * The 分项 of a node per bucket. Per building (group): total = Σ main meters (Σ sub-meters when it
 * has none), other = main − Σ subs. A group whose sub-meters exceed its main meter gives no `other`
 * (never a negative bar) and is named in `excessIn` with the excess; the node's `other` is then null.
 */
export function subitemRows(
  groups: readonly BalanceGroup[],
  series: ReadonlyMap<string, Series>,
  buckets: readonly string[],
): SubitemRow[] {
  const present = new Set<Subitem>();
  for (const g of groups)
    for (const m of g.subs)
      if (m.subitem && (subitems as readonly string[]).includes(m.subitem)) present.add(m.subitem as Subitem);
  return buckets.map((key) => {
    const row: SubitemRow = {
      key,
      subitems: {},
      total: 0,
      subs: 0,
      other: 0,
      excess: 0,
      excessIn: [],
      estimated: 0,
    };
    let anyMain = false;
    for (const s of present) {
      const ms = groups.flatMap((g) => g.subs.filter((m) => m.subitem === s));
      row.subitems[s] = sumAt(ms, series, key)?.value ?? null;
    }
    for (const g of groups) {
      if (g.mains.length === 0 && g.subs.length === 0) continue;
      const main = g.mains.length > 0 ? sumAt(g.mains, series, key) : undefined;
      const subs = g.subs.length > 0 ? sumAt(g.subs, series, key) : { value: 0, estimated: 0 };
      const total = main === undefined ? subs : main;
      row.total = total === null || row.total === null ? null : row.total + total.value;
      if (total) row.estimated += total.estimated;
      row.subs = subs === null || row.subs === null ? null : row.subs + subs.value;
      if (main === undefined) continue; // no main meter: nothing to balance against
      anyMain = true;
      if (main === null || subs === null) {
        row.other = null;
        continue;
      }
      const rest = main.value - subs.value;
      if (rest < 0) {
        row.excess += -rest;
        row.excessIn.push(g.building);
        row.other = null;
      } else if (row.other !== null) row.other += rest;
    }
    if (!anyMain) row.other = null;
    return row;
  });
}

/** The subitems present in these rows (in 分项 order). */
export function presentSubitems(rows: readonly SubitemRow[]): Subitem[] {
  return subitems.filter((s) => rows.some((r) => s in r.subitems));
}

/** 总分表平衡 of a period: main, Σ subs, their difference and its share of the main meter. */
export interface Balance {
  main: number;
  subs: number;
  /** main − Σ subs (negative: the sub-meters exceed the main meter). */
  difference: number;
  /** difference / main; null without a main figure. */
  share: number | null;
  /** |share| within the tolerance (e.g. 0.05 for ±5 %). */
  within: boolean;
  /** The sub-meters add up to more than the main meter. */
  excess: boolean;
}

export function balanceOf(main: number, subs: number, tolerance: number): Balance {
  const difference = main - subs;
  const share = main > 0 ? difference / main : null;
  return {
    main,
    subs,
    difference,
    share,
    within: share !== null && Math.abs(share) <= tolerance,
    excess: difference < 0,
  };
}

/** The change of a total against its base period: share (0.12 = +12 %), null when the base is 0 or missing. */
export function changeOf(current: number | null, base: number | null): number | null {
  if (current === null || base === null || base === 0) return null;
  return (current - base) / base;
}
