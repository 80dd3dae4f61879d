import { Router } from 'express';
import type { ServiceStatus } from '../../core/status.ts';

/** `GET /api/v1/health`: 200 with the state of each service; 503 when any is not running. No token needed. */
export function healthRoutes(health: () => Promise<Record<string, ServiceStatus>>): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const services = await health();
    const ok = Object.values(services).every((s) => s.state === 'running');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', services });
  });
  return router;
}
