import type { LoadedSite } from '../../core/config/loadSite.ts';
import type { IntensityReport } from '../../core/reports/report.ts';
import { aggregate } from '../../core/rollup/aggregate.ts';
import { localMidnight } from '../../core/rollup/consumption.ts';
import type { Store } from '../../core/store/store.ts';
import type { ElectricityBasis } from '../factors.ts';
import { loadFactors } from '../factors.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { intensityReport, type MeteredDay } from './intensity.ts';

/** The day after a YYYY-MM-DD date. */
const dayAfter = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * Assembles an intensity report from the store's daily rollups (building totals per category and
 * local day — main meters, never main plus subs) and the ledger's facts and entries.
 */
export async function buildReport(ctx: {
  site: LoadedSite;
  store: Store;
  ledger: Ledger;
  /** YYYY-MM-DD, first day. */
  from: string;
  /** YYYY-MM-DD, last day, included. */
  to: string;
  baselineYear?: number | undefined;
  basis: ElectricityBasis;
}): Promise<IntensityReport> {
  const timeZone = ctx.site.config.site.timezone;
  const to = dayAfter(ctx.to); // half-open inside
  const midnight = (date: string) => localMidnight(date, timeZone);
  const starts = [ctx.from, ...(ctx.baselineYear === undefined ? [] : [`${ctx.baselineYear}-01-01`])].sort();
  const rows = await ctx.store.queryRollups({
    period: 'day',
    from: midnight(starts[0] ?? ctx.from),
    to: midnight(to),
  });
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const byDay = new Map<number, typeof rows>();
  for (const r of rows) byDay.set(r.start, [...(byDay.get(r.start) ?? []), r]);
  const metered: MeteredDay[] = [];
  for (const [start, dayRows] of byDay) {
    const date = fmt.format(new Date(start));
    for (const t of aggregate(dayRows, ctx.site.config, 'building'))
      metered.push({ building: t.key, category: t.category, date, value: t.value, estimated: t.estimated });
    // Areas with their own meters (key <building>/<area>): reported apart, never added to the building.
    for (const t of aggregate(dayRows, ctx.site.config, 'area')) {
      const [building = '', area = ''] = t.key.split('/');
      metered.push({ building, area, category: t.category, date, value: t.value, estimated: t.estimated });
    }
  }
  const report = intensityReport({
    site: ctx.site.config,
    factors: loadFactors(),
    from: ctx.from,
    to,
    ...(ctx.baselineYear === undefined ? {} : { baselineYear: ctx.baselineYear }),
    basis: ctx.basis,
    region: ctx.site.config.reports.grid_region,
    overrides: ctx.site.config.reports.factor_overrides,
    metered,
    entries: ctx.ledger.entries(),
    facts: ctx.ledger.facts(),
  });
  const inRange = rows.filter((r) => r.start >= midnight(ctx.from));
  report.subitems = aggregate(inRange, ctx.site.config, 'subitem').map(({ category: _c, ...rest }) => rest);
  return report;
}
