import { Router } from 'express';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import { JnError } from '../../core/errors.ts';
import { bucketProblem, DAY_MS, MAX_BUCKETS } from '../../core/store/buckets.ts';
import type { Store } from '../../core/store/store.ts';
import type { DeviceAvailabilityView } from '../availability.ts';
import { dateOrInstant, endOf, instantOf, noQuery, parseQuery, quote, text } from '../params.ts';
import { deviceOf, pointOf } from '../siteDevices.ts';
import { siteInstant } from '../timestamps.ts';

const units: Record<string, number> = { s: 1000, min: 60_000, h: 3_600_000, d: DAY_MS };
/** Default intervals, shortest first: the first that gives at most `TARGET_BUCKETS` is taken. */
const defaults = ['1min', '5min', '15min', '30min', '1h', '3h', '6h', '12h', '1d', '7d', '30d'];
const TARGET_BUCKETS = 1000;

/** ms of an interval like 15min, 1h, 1d; undefined when it is not one. */
export function intervalMs(interval: string): number | undefined {
  const m = /^([1-9]\d{0,4})(s|min|h|d)$/.exec(interval);
  if (!m) return undefined;
  const ms = Number(m[1]) * (units[m[2] as string] as number);
  return bucketProblem(ms) ? undefined : ms;
}

/** The query of `GET /readings/history` (also the OpenAPI document's). */
export const historyQuery = (timeZone: string) => ({
  device: text(200).describe('a device id of the site file'),
  point: text(200).describe('a point id of the device’s profile'),
  from: dateOrInstant(timeZone).optional(),
  to: dateOrInstant(timeZone).optional(),
  interval: text(20)
    .superRefine((t, ctx) => {
      if (intervalMs(t) === undefined)
        ctx.addIssue({ code: 'custom', message: `${quote(t)} is not an interval` });
    })
    .optional()
    .describe(
      `an interval that divides a day (1min, 5min, 15min, 30min, 1h, 2h, 3h, 6h, 12h) or whole local days (1d, 7d); default by the range, at most ${MAX_BUCKETS} buckets`,
    ),
});

export interface ReadingRouteOptions {
  availability?: (device: string) => DeviceAvailabilityView | undefined;
  now?: () => number;
  /** The site file: devices and points of the history, and the time zone of every timestamp. */
  site?: LoadedSite | undefined;
}

/**
 * `GET /api/v1/readings/latest`: the newest reading of every device point, from the store, with its
 * age (`age_s`, seconds since the device was read, by `now`, default the system clock) and its
 * device's availability (`availability`: state, since, reason, gateway; null when unknown).
 *
 * `GET /api/v1/readings/history?device=&point=&from=&to=&interval=` (with a site): the point's
 * readings as buckets `{ start, min, max, avg, count }` (an empty bucket is a gap: count 0, nulls),
 * `from`/`to` as the other routes take them (default the last 24 hours), buckets of a day or more
 * local days; every timestamp local with the site's offset.
 */
export function readingRoutes(store: Store, options: ReadingRouteOptions = {}): Router {
  const router = Router();
  const now = options.now ?? Date.now;
  const timeZone = options.site?.config.site.timezone ?? 'Asia/Shanghai';
  const at = (ms: number) => siteInstant(ms, timeZone);
  router.get('/readings/latest', async (req, res) => {
    noQuery(req.query);
    const rows = await store.latest();
    const t = now();
    res.json(
      rows.map((r) => ({
        device: r.device,
        point: r.point,
        value: r.value,
        unit: r.unit ?? null,
        ts: at(r.ts),
        age_s: Math.round((t - r.ts) / 100) / 10,
        quality: r.quality,
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.building ? { building: r.building } : {}),
        ...(r.meter ? { meter: r.meter, category: r.category, subitem: r.subitem ?? null } : {}),
        availability: options.availability?.(r.device) ?? null,
      })),
    );
  });
  const site = options.site;
  if (!site) return router;
  const shape = historyQuery(timeZone);
  router.get('/readings/history', async (req, res) => {
    const q = parseQuery(req.query, shape);
    const point = pointOf(deviceOf(site, q.device), q.point);
    const to = q.to === undefined ? now() : endOf(q.to, timeZone);
    const from = q.from === undefined ? to - DAY_MS : instantOf(q.from, timeZone);
    if (!(to > from))
      throw new JnError(
        'bad_request',
        `to: "${q.to ?? 'now'}" is not after from "${q.from ?? 'to − 24 h'}"; allowed: a last day on or after from (both included), or an instant after from`,
      );
    const interval =
      q.interval ?? defaults.find((i) => (to - from) / (intervalMs(i) as number) <= TARGET_BUCKETS) ?? '30d';
    const buckets = await store.history({
      device: q.device,
      point: q.point,
      from,
      to,
      bucketMs: intervalMs(interval) as number,
      timeZone,
    });
    res.json({
      device: q.device,
      point: q.point,
      unit: point.unit ?? null,
      interval,
      from: at(from),
      to: at(to),
      timezone: timeZone,
      buckets: buckets.map((b) => ({ ...b, start: at(b.start) })),
    });
  });
  return router;
}
