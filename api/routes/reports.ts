import { Router } from 'express';
import { z } from 'zod';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import { JnError } from '../../core/errors.ts';
import { buildReport } from '../../core/reports/build.ts';
import { Ledger } from '../../core/reports/ledger.ts';
import { renderReport, reportContentTypes } from '../../core/reports/render.ts';
import type { Store } from '../../core/store/store.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a local date YYYY-MM-DD');
const querySchema = z
  .object({
    from: date,
    to: date,
    baseline: z.coerce.number().int().min(1990).max(2100).optional(),
    basis: z.enum(['equivalent', 'generation']).default('equivalent'),
    format: z.enum(['json', 'csv', 'xlsx', 'pdf']).default('json'),
  })
  .strict();

/**
 * `GET /api/v1/reports/intensity?from=2025-01-01&to=2026-01-01&baseline=2020&basis=equivalent&format=json|csv|xlsx|pdf`:
 * the intensity report (see core/reports), as JSON, CSV for Excel (UTF-8 with BOM), XLSX or PDF.
 */
export function reportRoutes(store: Store, site: LoadedSite, ledgerFile: string): Router {
  const router = Router();
  router.get('/reports/intensity', async (req, res) => {
    const parsed = querySchema.safeParse(req.query);
    if (!parsed.success)
      throw new JnError(
        'bad_request',
        parsed.error.issues
          .map((i) =>
            i.code === 'unrecognized_keys'
              ? `unknown parameter(s) ${i.keys.join(', ')}; allowed: from, to, baseline, basis, format`
              : `${i.path.join('.') || '(query)'}: ${i.message}`,
          )
          .join('; '),
      );
    const q = parsed.data;
    if (!(q.to > q.from)) throw new JnError('bad_request', `to (${q.to}) must be after from (${q.from})`);
    const ledger = new Ledger(ledgerFile);
    try {
      const report = await buildReport({
        site,
        store,
        ledger,
        from: q.from,
        to: q.to,
        baselineYear: q.baseline,
        basis: q.basis,
      });
      if (q.format === 'json') {
        res.json(report);
        return;
      }
      res
        .type(reportContentTypes[q.format])
        .attachment(`intensity_${q.from}_${q.to}.${q.format}`)
        .send(await renderReport(report, q.format));
    } finally {
      ledger.close();
    }
  });
  return router;
}
