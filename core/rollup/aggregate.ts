import type { SiteConfig } from '../config/siteSchema.ts';
import { itemCode, meterItemCode } from '../itemCodes/itemCodes.ts';
import type { RollupRow } from '../store/store.ts';

export type GroupBy = 'meter' | 'area' | 'building' | 'organization' | 'subitem' | 'item_code';

/** Consumption of one group over a range, per energy category (分类). */
export interface GroupTotal {
  /** Meter id, `<building>/<area>`, building id, organization id, sub-item (分项) or item code (分项编码). */
  key: string;
  category: string;
  value: number;
  /** The part of `value` that is interpolated (gaps, frozen meters, resets), not measured. */
  estimated: number;
  unit?: string;
  /** A virtual meter, computed rather than metered (e.g. `<building>/other` = main − Σ sub-meters). */
  virtual?: boolean;
  /** Why a figure is what it is (no main meter, sub-meters exceeding the main meter, …). */
  note?: string;
  /** group_by item_code: the code's Chinese name (01B00 → 空调用电), the code it rolls up into, its 分项. */
  name?: string;
  parent?: string | null;
  subitem?: string;
}

interface Sum {
  value: number;
  estimated: number;
  unit?: string | undefined;
}

function addTo(map: Map<string, Sum>, key: string, value: number, estimated: number, unit?: string): void {
  const s = map.get(key) ?? { value: 0, estimated: 0, unit };
  s.value += value;
  s.estimated += estimated;
  s.unit ??= unit;
  map.set(key, s);
}

/**
 * Totals of consumption rollups through the site tree: per meter, per area, per building, for the
 * organization, or per electricity sub-item (分项). A building's total for a category is its main
 * meter(s) (总表); only without one is it the sum of its sub-meters — main and sub are never added
 * together. Sub-items get a virtual `other` (其他/未计量) per building: main − Σ sub-meters, so the
 * sub-items add up to the main meter; when the sub-meters exceed the main meter it is 0 and says so.
 * By item code (分项编码), the same sub-meters by their codes (core/itemCodes): the rows with a
 * given `subitem` add up to that sub-item's row of the 分项 grouping, `other` is the same.
 */
export function aggregate(rows: readonly RollupRow[], site: SiteConfig, groupBy: GroupBy): GroupTotal[] {
  const meters = new Map(site.meters.map((m) => [m.id, m]));
  const perMeter = new Map<string, Sum>();
  for (const r of rows) {
    if (!meters.has(r.meter)) continue; // a meter since removed from the site file
    addTo(perMeter, r.meter, r.value, r.estimated, r.unit);
  }
  const out: GroupTotal[] = [];
  const push = (key: string, category: string, s: Sum, extra: Partial<GroupTotal> = {}) =>
    out.push({
      key,
      category,
      value: s.value,
      estimated: s.estimated,
      ...(s.unit ? { unit: s.unit } : {}),
      ...extra,
    });

  if (groupBy === 'meter' || groupBy === 'area') {
    const groups = new Map<string, Sum & { category: string }>();
    for (const [id, s] of perMeter) {
      const m = meters.get(id);
      if (!m) continue;
      if (groupBy === 'area' && m.area === undefined) continue;
      const key = groupBy === 'meter' ? id : `${m.building}/${m.area}\u0000${m.category}`;
      const g = groups.get(key) ?? { value: 0, estimated: 0, unit: s.unit, category: m.category };
      g.value += s.value;
      g.estimated += s.estimated;
      groups.set(key, g);
    }
    for (const [key, g] of groups) push(key.split('\u0000')[0] ?? key, g.category, g);
    return out.sort((a, b) => a.key.localeCompare(b.key) || a.category.localeCompare(b.category));
  }

  // Building totals per category: main meters, else the sum of sub-meters.
  const buildings = site.organization.buildings.map((b) => b.id);
  const totals = new Map<string, Sum & { note?: string }>();
  const subsBy = new Map<string, Sum>();
  for (const building of buildings) {
    const own = [...perMeter.entries()].filter(([id]) => meters.get(id)?.building === building);
    const categories = new Set(own.map(([id]) => meters.get(id)?.category ?? 'other'));
    for (const category of categories) {
      const inCat = own.filter(([id]) => meters.get(id)?.category === category);
      const mains = inCat.filter(([id]) => meters.get(id)?.role === 'main');
      const subs = inCat.filter(([id]) => meters.get(id)?.role === 'sub');
      const total: Sum & { note?: string } = { value: 0, estimated: 0 };
      for (const [, s] of mains.length > 0 ? mains : subs) {
        total.value += s.value;
        total.estimated += s.estimated;
        total.unit ??= s.unit;
      }
      if (mains.length === 0) total.note = 'no main meter (总表): the sum of the sub-meters';
      totals.set(`${building}\u0000${category}`, total);
      const subSum: Sum = { value: 0, estimated: 0 };
      for (const [, s] of subs) {
        subSum.value += s.value;
        subSum.estimated += s.estimated;
      }
      if (mains.length > 0) subsBy.set(`${building}\u0000${category}`, subSum);
    }
  }

  if (groupBy === 'building') {
    for (const [key, t] of totals) {
      const [building = '', category = ''] = key.split('\u0000');
      push(building, category, t, t.note ? { note: t.note } : {});
    }
    return out.sort((a, b) => a.key.localeCompare(b.key) || a.category.localeCompare(b.category));
  }

  if (groupBy === 'organization') {
    const byCategory = new Map<string, Sum>();
    for (const [key, t] of totals)
      addTo(byCategory, key.split('\u0000')[1] ?? '', t.value, t.estimated, t.unit);
    for (const [category, s] of byCategory) push(site.organization.id, category, s);
    return out.sort((a, b) => a.category.localeCompare(b.category));
  }

  // groupBy === 'subitem': electricity sub-items, plus the virtual "other" of each building;
  // 'item_code': the same sub-meters by their code (01B1C, 01B20 …), which roll up to the sub-items.
  const bySubitem = new Map<string, Sum>();
  const subitemOf = new Map<string, string>();
  const notes: string[] = [];
  for (const [id, s] of perMeter) {
    const m = meters.get(id);
    if (m?.category !== 'electricity' || m.role !== 'sub' || !m.subitem) continue;
    const key = groupBy === 'item_code' ? meterItemCode(m) : m.subitem;
    addTo(bySubitem, key, s.value, s.estimated, s.unit);
    subitemOf.set(key, m.subitem);
  }
  const other: Sum = { value: 0, estimated: 0 };
  for (const [key, subs] of subsBy) {
    const [building, category] = key.split('\u0000');
    if (category !== 'electricity') continue;
    const main = totals.get(key);
    if (!main) continue;
    const rest = main.value - subs.value;
    other.unit ??= main.unit;
    if (rest < 0) {
      notes.push(
        `${building}: sub-meters exceed the main meter by ${(-rest).toFixed(3)} ${main.unit ?? ''}`.trim(),
      );
      continue;
    }
    other.value += rest;
    // What is estimated in the main meter or the sub-meters is estimated in the difference too.
    other.estimated += Math.min(rest, main.estimated + subs.estimated);
  }
  const coded = (code: string): Partial<GroupTotal> => {
    const entry = itemCode(code);
    const subitem = subitemOf.get(code);
    return { name: entry?.name ?? code, parent: entry?.parent ?? null, ...(subitem ? { subitem } : {}) };
  };
  const keys = [...bySubitem.keys()].sort();
  for (const key of groupBy === 'item_code' ? keys : bySubitem.keys()) {
    const s = bySubitem.get(key) as Sum;
    push(key, 'electricity', s, groupBy === 'item_code' ? coded(key) : {});
  }
  push('other', 'electricity', other, {
    virtual: true,
    note: ['main meter − Σ sub-meters (未计量/其他)', ...notes].join('; '),
    ...(groupBy === 'item_code' ? { name: '其他（未分项计量）', parent: '01000' } : {}),
  });
  return out;
}
