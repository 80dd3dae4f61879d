import { localClock, localTimestamp } from '../../core/localTime.ts';
import type { StatisticsReport } from '../../core/reports/statistics.ts';
import { localMidnight } from '../../core/rollup/consumption.ts';
import type { RollupRow } from '../../core/store/store.ts';
import { dayNumber } from '../figures/dates.ts';
import { coveredTotals } from '../figures/mainMeters.ts';
import { type MeteredDay, meteredType } from '../figures/quantities.ts';
import type { ReportSources } from '../kinds/kind.ts';
import type { HourlyDays } from './costs.ts';
import { loadStatisticsForm } from './form.ts';
import { statisticsReturn } from './statistics.ts';

/** A statistics return request: the calendar year. */
export interface StatisticsQuery {
  year: number;
}

/** Rollup rows grouped by their start. */
function byStart(rows: readonly RollupRow[]): Map<number, RollupRow[]> {
  const out = new Map<number, RollupRow[]>();
  for (const r of rows) {
    const list = out.get(r.start);
    if (list) list.push(r);
    else out.set(r.start, [r]);
  }
  return out;
}

/**
 * The hourly consumption of each building's main meters (as coveredTotals counts a day), by
 * building × energy type and local day: what a time-of-use tariff prices.
 */
function hourlyOf(rows: readonly RollupRow[], sources: ReportSources): Map<string, HourlyDays> {
  const timeZone = sources.site.config.site.timezone;
  const out = new Map<string, HourlyDays>();
  for (const [start, hourRows] of byStart(rows)) {
    const clock = localClock(start, timeZone);
    const day = dayNumber(clock.date);
    const hour = Number(clock.time.slice(0, 2));
    for (const t of coveredTotals(hourRows, sources.site.config)) {
      const type = meteredType[t.category];
      if (!type) continue;
      const k = `${t.key}\u0000${type}`;
      const days = out.get(k) ?? new Map<number, number[]>();
      out.set(k, days);
      const hours = days.get(day) ?? new Array<number>(24).fill(0);
      days.set(day, hours);
      hours[hour] = (hours[hour] ?? 0) + t.value;
    }
  }
  return out;
}

/**
 * The statistics return of `year` from the store's daily rollups (building totals from main meters,
 * as the intensity report counts them), the hourly rollups where a time-of-use tariff prices them,
 * and the ledger's entries and facts.
 */
export async function buildStatistics(
  sources: ReportSources,
  query: StatisticsQuery,
): Promise<StatisticsReport> {
  const { site, store, ledger } = sources;
  const timeZone = site.config.site.timezone;
  const at = (sources.now ?? Date.now)();
  const from = localMidnight(`${query.year}-01-01`, timeZone);
  const to = localMidnight(`${query.year + 1}-01-01`, timeZone);
  const dayRows = await store.queryRollups({ period: 'day', from, to });
  const metered: MeteredDay[] = [];
  for (const [start, rows] of byStart(dayRows)) {
    const date = localClock(start, timeZone).date;
    for (const t of coveredTotals(rows, site.config))
      metered.push({ building: t.key, category: t.category, date, value: t.value, estimated: t.estimated });
  }
  const needsHours = site.config.reports.tariffs.some((t) => t.time_of_use);
  const hourly = needsHours
    ? hourlyOf(await store.queryRollups({ period: 'hour', from, to }), sources)
    : new Map<string, HourlyDays>();
  return statisticsReturn({
    site: site.config,
    form: loadStatisticsForm(),
    year: query.year,
    today: localClock(at, timeZone).date,
    metered,
    hourly,
    entries: ledger.entries(),
    facts: ledger.facts(),
    origin: {
      site_file: site.file,
      organization: site.config.organization.name,
      data_dir: sources.dataDir,
      store: store.kind,
      made_at: localTimestamp(at, timeZone),
    },
  });
}
