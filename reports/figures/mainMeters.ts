import type { SiteConfig } from '../../core/config/siteSchema.ts';
import type { EnergyType } from '../../core/reports/report.ts';
import { aggregate, type GroupTotal } from '../../core/rollup/aggregate.ts';
import type { RollupRow } from '../../core/store/store.ts';
import { meteredType } from './quantities.ts';

/**
 * A building's totals of one day for the report (second review, defect 1): where the site file
 * gives the building a main meter (总表) of a category, the day counts only when every such main
 * meter reported — the sub-meters' sum is not the building's consumption (it misses what no
 * sub-meter measures), so that day is not covered rather than read as complete. Only a building
 * with no main meter of the category is the sum of its sub-meters (said in its notes,
 * `subMeterNotes`).
 */
export function coveredTotals(dayRows: readonly RollupRow[], site: SiteConfig): GroupTotal[] {
  const reported = new Set(dayRows.map((r) => r.meter));
  return aggregate(dayRows, site, 'building').filter((t) => {
    const mains = site.meters.filter(
      (m) => m.building === t.key && m.category === t.category && m.role === 'main',
    );
    return mains.every((m) => reported.has(m.id));
  });
}

/** The buildings × energy types counted as the sum of their sub-meters (no main meter configured), in words. */
export function subMeterNotes(
  site: SiteConfig,
  building: string,
  labels: Record<EnergyType, string>,
): string[] {
  const mine = site.meters.filter((m) => m.building === building);
  const categories = [...new Set(mine.map((m) => m.category))].sort();
  return categories.flatMap((c) => {
    const type = meteredType[c];
    if (!type || mine.some((m) => m.category === c && m.role === 'main')) return [];
    const subs = mine.filter((m) => m.category === c && m.role === 'sub');
    if (subs.length === 0) return [];
    return [
      `${labels[type]}：未配置总表，按各分表之和计（${subs.map((m) => m.name ?? m.id).join('、')}），未计量部分不在其中`,
    ];
  });
}
