import { Router } from 'express';
import type { Store } from '../../core/store/store.ts';
import { noQuery } from '../params.ts';

/** `GET /api/v1/readings/latest`: the newest reading of every device point, from the store. */
export function readingRoutes(store: Store): Router {
  const router = Router();
  router.get('/readings/latest', async (req, res) => {
    noQuery(req.query);
    const rows = await store.latest();
    res.json(
      rows.map((r) => ({
        device: r.device,
        point: r.point,
        value: r.value,
        unit: r.unit ?? null,
        ts: new Date(r.ts).toISOString(),
        quality: r.quality,
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.building ? { building: r.building } : {}),
        ...(r.meter ? { meter: r.meter, category: r.category, subitem: r.subitem ?? null } : {}),
      })),
    );
  });
  return router;
}
