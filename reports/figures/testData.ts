import { siteSchema } from '../../core/config/siteSchema.ts';
import type { EnergyEntry } from '../../core/reports/report.ts';
import { loadFactors } from '../factors.ts';
import type { IntensityInput, MeteredDay } from './intensity.ts';

/** Test data of the golden cases: a site, metered days, entries. */

/** A building of a test site: one floor area and headcount since 2015. */
export const testBuilding = (id: string, name: string, area: number, people: number) => ({
  id,
  name,
  category: 'office',
  climate_zone: 'hot_summer_warm_winter',
  floor_area: [{ from: '2015-01-01', value: area }],
  headcount: [{ from: '2015-01-01', value: people }],
});

/** A site of these buildings (and any `reports:` settings). */
export const testSite = (buildings: ReturnType<typeof testBuilding>[], reports: object = {}) =>
  siteSchema.parse({
    version: 1,
    site: { id: 'test', name: '测试园区' },
    organization: { id: 'org', name: '某机关', buildings },
    reports,
  });

/** `perDay` metered every day of [from, last] (both included). */
export function meteredDays(
  building: string,
  category: string,
  from: string,
  last: string,
  perDay: number,
): MeteredDay[] {
  const out: MeteredDay[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000)
    out.push({
      building,
      category,
      date: new Date(t).toISOString().slice(0, 10),
      value: perDay,
      estimated: 0,
    });
  return out;
}

/** An entry (a bill) over an inclusive period. */
export const bill = (
  building: string,
  energy_type: EnergyEntry['energy_type'],
  period_start: string,
  period_end: string,
  quantity: number,
): EnergyEntry => ({ building, energy_type, period_start, period_end, quantity, source: '电费/水费单' });

/** An input with no data yet. */
export const emptyInput = (
  site: IntensityInput['site'],
  from: string,
  to: string,
): Pick<IntensityInput, 'site' | 'factors' | 'from' | 'to' | 'basis' | 'metered' | 'entries' | 'facts'> => ({
  site,
  factors: loadFactors(),
  from,
  to,
  basis: 'equivalent',
  metered: [],
  entries: [],
  facts: [],
});
