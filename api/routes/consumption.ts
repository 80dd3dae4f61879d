import { Router } from 'express';
import { z } from 'zod';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import { JnError } from '../../core/errors.ts';
import { aggregate } from '../../core/rollup/aggregate.ts';
import type { Store } from '../../core/store/store.ts';
import { dateOrInstant, instantOf } from '../params.ts';

const querySchema = z
  .object({
    from: dateOrInstant,
    to: dateOrInstant,
    period: z.enum(['hour', 'day']).default('day'),
    group_by: z.enum(['meter', 'area', 'building', 'organization', 'subitem']).default('building'),
    meter: z.string().optional(),
  })
  .strict();

/**
 * `GET /api/v1/consumption?from=2025-07-01&to=2025-08-01&period=day&group_by=building`:
 * consumption from the rollups over [from, to), totalled through the site tree, with the estimated
 * share of every figure; `meter=<id>` adds that meter's hours or days as a series. Dates are local
 * to the site (Asia/Shanghai by default).
 */
export function consumptionRoutes(store: Store, site: LoadedSite): Router {
  const router = Router();
  const timeZone = site.config.site.timezone;
  const instant = (text: string) => instantOf(text, timeZone);
  router.get('/consumption', async (req, res) => {
    const parsed = querySchema.safeParse(req.query);
    if (!parsed.success)
      throw new JnError(
        'bad_request',
        parsed.error.issues
          .map((i) => {
            if (i.code === 'unrecognized_keys')
              return `unknown parameter(s) ${i.keys.join(', ')}; allowed: from, to, period, group_by, meter`;
            return `${i.path.join('.') || '(query)'}: ${i.message}`;
          })
          .join('; '),
      );
    const q = parsed.data;
    const from = instant(q.from);
    const to = instant(q.to);
    if (!(to > from)) throw new JnError('bad_request', `to (${q.to}) must be after from (${q.from})`);
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
