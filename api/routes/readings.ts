import { Router } from 'express';
import type { Store } from '../../core/store/store.ts';
import type { DeviceAvailabilityView } from '../availability.ts';
import { noQuery } from '../params.ts';

/**
 * `GET /api/v1/readings/latest`: the newest reading of every device point, from the store, with its
 * age (`age_s`, seconds since the device was read, by `now`, default the system clock) and its
 * device's availability (`availability`: state, since, reason, gateway; null when unknown).
 */
export function readingRoutes(
  store: Store,
  options: { availability?: (device: string) => DeviceAvailabilityView | undefined; now?: () => number } = {},
): Router {
  const router = Router();
  const now = options.now ?? Date.now;
  router.get('/readings/latest', async (req, res) => {
    noQuery(req.query);
    const rows = await store.latest();
    const at = now();
    res.json(
      rows.map((r) => ({
        device: r.device,
        point: r.point,
        value: r.value,
        unit: r.unit ?? null,
        ts: new Date(r.ts).toISOString(),
        age_s: Math.round((at - r.ts) / 100) / 10,
        quality: r.quality,
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.building ? { building: r.building } : {}),
        ...(r.meter ? { meter: r.meter, category: r.category, subitem: r.subitem ?? null } : {}),
        availability: options.availability?.(r.device) ?? null,
      })),
    );
  });
  return router;
}
