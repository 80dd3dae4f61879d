import { Router } from 'express';
import { z } from 'zod';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import { JnError } from '../../core/errors.ts';
import { aggregate } from '../../core/rollup/aggregate.ts';
import type { Store } from '../../core/store/store.ts';
import { dateOrInstant, endOf, instantOf, parseQuery, text } from '../params.ts';

/** Hours are asked for a short range: a year of hours per meter is what a chart can show. */
const MAX_HOUR_DAYS = 366;

/** The query of GET /consumption, by the site's time zone (exported for the OpenAPI document). */
export const consumptionQuery = (timeZone: string) => ({
  from: dateOrInstant(timeZone),
  to: dateOrInstant(timeZone),
  period: z.enum(['hour', 'day']).default('day').describe('hour, day (default day)'),
  group_by: z
    .enum(['meter', 'area', 'building', 'organization', 'subitem'])
    .default('building')
    .describe('meter, area, building, organization, subitem (default building)'),
  meter: text(200).optional().describe('a meter id of the site file'),
});

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
    const rows = await store.queryRollups({ period: q.period, from, to });
    res.json({
      site: site.config.site.id,
      timezone: timeZone,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      period: q.period,
      group_by: q.group_by,
      totals: aggregate(rows, site.config, q.group_by),
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
