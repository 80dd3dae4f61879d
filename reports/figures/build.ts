import type { LoadedSite } from '../../core/config/loadSite.ts';
import { localClock, localTimestamp } from '../../core/localTime.ts';
import type { CoalRateChoice, IntensityReport } from '../../core/reports/report.ts';
import { aggregate } from '../../core/rollup/aggregate.ts';
import { localMidnight } from '../../core/rollup/consumption.ts';
import type { Store } from '../../core/store/store.ts';
import type { ElectricityBasis } from '../factors.ts';
import { loadFactors } from '../factors.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { dateOf, dayNumber } from './dates.ts';
import { firstDayNeeded, intensityReport, type MeteredDay } from './intensity.ts';
import { itemCodesOf } from './itemCodes.ts';
import { coveredTotals } from './mainMeters.ts';
import { subitemsOf } from './subitems.ts';

export { localTimestamp };

/**
 * Assembles an intensity report from the store's daily rollups (building totals per category and
 * local day — main meters, never main plus subs) and the ledger's facts and entries, reading from
 * the baseline year (and last year, and the 环比 base) to the last day.
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
  /** The plan to judge against (id or short name); default the one the report year falls in. */
  plan?: string | undefined;
  basis: ElectricityBasis;
  coalRate?: CoalRateChoice['mode'] | undefined;
  /** Where the store and ledger live, as the report names it. */
  dataDir?: string | undefined;
  /** Now, ms since the epoch (default the system clock): what "today" and made_at are. */
  now?: (() => number) | undefined;
}): Promise<IntensityReport> {
  const timeZone = ctx.site.config.site.timezone;
  const at = (ctx.now ?? Date.now)();
  const factors = loadFactors();
  const midnight = (date: string) => localMidnight(date, timeZone);
  const baseline = ctx.baselineYear === undefined ? {} : { baselineYear: ctx.baselineYear };
  const first = firstDayNeeded({ site: ctx.site.config, factors, from: ctx.from, to: ctx.to, ...baseline });
  const rows = await ctx.store.queryRollups({
    period: 'day',
    from: midnight(first),
    to: midnight(dateOf(dayNumber(ctx.to) + 1)), // half-open inside
  });
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const byDay = new Map<number, typeof rows>();
  for (const r of rows) {
    const day = byDay.get(r.start);
    if (day) day.push(r);
    else byDay.set(r.start, [r]);
  }
  const metered: MeteredDay[] = [];
  for (const [start, dayRows] of byDay) {
    const date = fmt.format(new Date(start));
    for (const t of coveredTotals(dayRows, ctx.site.config))
      metered.push({ building: t.key, category: t.category, date, value: t.value, estimated: t.estimated });
    // Areas with their own meters (key <building>/<area>): reported apart, never added to the building.
    for (const t of aggregate(dayRows, ctx.site.config, 'area')) {
      const [building = '', area = ''] = t.key.split('/');
      metered.push({ building, area, category: t.category, date, value: t.value, estimated: t.estimated });
    }
  }
  const report = intensityReport({
    site: ctx.site.config,
    factors,
    from: ctx.from,
    to: ctx.to,
    today: localClock(at, timeZone).date,
    ...baseline,
    ...(ctx.plan === undefined ? {} : { plan: ctx.plan }),
    basis: ctx.basis,
    ...(ctx.coalRate === undefined ? {} : { coalRate: ctx.coalRate }),
    metered,
    entries: ctx.ledger.entries(),
    facts: ctx.ledger.facts(),
    origin: {
      site_file: ctx.site.file,
      organization: ctx.site.config.organization.name,
      data_dir: ctx.dataDir ?? '',
      store: ctx.store.kind,
      made_at: localTimestamp(at, timeZone),
    },
  });
  // only the days counted: today's rollup is still filling (second review, defect 5)
  const end = midnight(dateOf(dayNumber(report.counted_to ?? ctx.to) + 1));
  const inRange = rows.filter((r) => r.start >= midnight(ctx.from) && r.start < end);
  report.subitems = subitemsOf(inRange, ctx.site.config, report.days);
  report.item_codes = itemCodesOf(inRange, ctx.site.config, report.subitems, report.days);
  return report;
}
