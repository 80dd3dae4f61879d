import { Router } from 'express';
import { z } from 'zod';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import type { SiteConfig } from '../../core/config/siteSchema.ts';
import { JnError } from '../../core/errors.ts';
import { aggregate, type GroupBy } from '../../core/rollup/aggregate.ts';
import { localDayStarter } from '../../core/rollup/consumption.ts';
import type { RollupRow, Store } from '../../core/store/store.ts';
import { dateOrInstant, endOf, instantOf, parseQuery, text } from '../params.ts';

/** Hours are asked for a short range: a year of hours per meter is what a chart can show. */
const MAX_HOUR_DAYS = 366;

/** The query of GET /consumption, by the site's time zone (exported for the OpenAPI document). */
export const consumptionQuery = (timeZone: string) => ({
  from: dateOrInstant(timeZone),
  to: dateOrInstant(timeZone),
  period: z.enum(['hour', 'day']).default('day').describe('hour, day (default day)'),
  group_by: z
    .enum(['meter', 'area', 'building', 'organization', 'subitem', 'item_code'])
    .default('building')
    .describe('meter, area, building, organization, subitem, item_code (default building)'),
  meter: text(200).optional().describe('a meter id of the site file'),
});

/**
 * Daily rows for [from, to). Whole local days come from the day rollups; a day the range cuts (an
 * instant `to` such as today so far and its base periods, or an instant `from`) is summed from
 * that part's hourly rollups into one row at the day's start — never the whole day's rollup for a
 * part of it (which counted all of last year's 2 December against 14 hours of today's). A cut day
 * without hourly rollups adds nothing (its coverage shows it missing).
 */
async function dayRows(store: Store, from: number, to: number, timeZone: string): Promise<RollupRow[]> {
  const dayStart = localDayStarter(timeZone);
  const nextDay = (ms: number) => dayStart(dayStart(ms) + 36 * 3_600_000);
  const firstWhole = dayStart(from) === from ? from : nextDay(from);
  const lastWhole = dayStart(to) === to ? to : dayStart(to);
  const parts: [number, number][] = [];
  // Both ends in one local day: that part alone; else the cut day at each end (a range from 20:00
  // to 04:00 is two days' parts, each dated by its own day).
  if (firstWhole > lastWhole) parts.push([from, to]);
  else {
    if (from < firstWhole) parts.push([from, firstWhole]);
    if (lastWhole < to) parts.push([lastWhole, to]);
  }
  const rows =
    firstWhole < lastWhole
      ? await store.queryRollups({ period: 'day', from: firstWhole, to: lastWhole })
      : [];
  for (const [a, b] of parts) {
    const hours = await store.queryRollups({ period: 'hour', from: a, to: b });
    const byMeter = new Map<string, RollupRow>();
    for (const h of hours) {
      const row = byMeter.get(h.meter);
      if (row) {
        row.value += h.value;
        row.estimated += h.estimated;
      } else byMeter.set(h.meter, { ...h, period: 'day', start: dayStart(a) });
    }
    rows.push(...byMeter.values());
  }
  return rows.sort((x, y) => x.start - y.start);
}

/**
 * `GET /api/v1/consumption?from=2025-07-01&to=2025-07-31&period=day&group_by=building`:
 * consumption from the rollups from `from` through `to` (local dates, both included; or ISO-8601
 * instants, `to` excluded), totalled through the site tree, with the estimated share of every
 * figure; `meter=<id>` adds that meter's hours or days as a series. Dates are local to the site
 * (Asia/Shanghai by default).
 */
export function consumptionRoutes(store: Store, site: LoadedSite): Router {
  const router = Router();
  const timeZone = site.config.site.timezone;
  const shape = consumptionQuery(timeZone);
  router.get('/consumption', async (req, res) => {
    const q = parseQuery(req.query, shape);
    const from = instantOf(q.from, timeZone);
    const to = endOf(q.to, timeZone);
    if (!(to > from))
      throw new JnError(
        'bad_request',
        `to: "${q.to}" ends before from "${q.from}" starts; allowed: a last day on or after from (both included), or an instant after from`,
      );
    if (q.period === 'hour' && to - from > MAX_HOUR_DAYS * 86_400_000)
      throw new JnError(
        'bad_request',
        `to: "${q.from}" … "${q.to}" is more than ${MAX_HOUR_DAYS} days of hours; allowed: at most ${MAX_HOUR_DAYS} days with period=hour (period=day for longer)`,
      );
    if (q.meter !== undefined && !site.config.meters.some((m) => m.id === q.meter))
      throw new JnError(
        'not_found',
        `no meter "${q.meter}"; meters are: ${site.config.meters.map((m) => m.id).join(', ')}`,
      );
    const rows =
      q.period === 'day'
        ? await dayRows(store, from, to, timeZone)
        : await store.queryRollups({ period: q.period, from, to });
    res.json({
      site: site.config.site.id,
      timezone: timeZone,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      period: q.period,
      group_by: q.group_by,
      totals: totalsOf(rows, site.config, q.group_by),
      ...(q.meter === undefined
        ? {}
        : {
            series: rows
              .filter((r) => r.meter === q.meter)
              .map((r) => ({
                start: new Date(r.start).toISOString(),
                value: r.value,
                estimated: r.estimated,
                unit: r.unit ?? null,
              })),
          }),
    });
  });
  return router;
}

/**
 * The group totals as the document has them: `unit` always present (null when no reading said it),
 * and the virtual 其他/未计量 null — not 0 — when no main electricity meter reported in the range:
 * main − Σ sub-meters is unknown then, and a 0 would read as "everything is sub-metered".
 */
function totalsOf(rows: readonly RollupRow[], config: SiteConfig, groupBy: GroupBy) {
  const mains = new Set(
    config.meters.filter((m) => m.category === 'electricity' && m.role === 'main').map((m) => m.id),
  );
  const mainReported = rows.some((r) => mains.has(r.meter));
  return aggregate(rows, config, groupBy).map((t) =>
    t.virtual && !mainReported
      ? {
          ...t,
          value: null,
          estimated: 0,
          unit: t.unit ?? null,
          note: `${t.note ?? ''}; no main meter (总表) reported in the range, so it cannot be computed (缺数据)`,
        }
      : { ...t, unit: t.unit ?? null },
  );
}
