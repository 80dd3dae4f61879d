import { json, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import { JnError } from '../../core/errors.ts';
import { buildReport } from '../../core/reports/build.ts';
import { ImportError, Ledger } from '../../core/reports/ledger.ts';
import { renderReport, reportContentTypes } from '../../core/reports/render.ts';
import type { Store } from '../../core/store/store.ts';
import { callerOf } from '../caller.ts';

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
  // Facts and entries officers enter (the same checks and all-or-none as `jieneng import`).
  // Until authentication lands (issue #7), the caller names itself in X-Jieneng-User (percent-encoded
  // UTF-8); it is audited.
  const enter = (kind: 'facts' | 'entries') => (req: Request, res: Response) => {
    const who = callerOf(req);
    const body = req.body as unknown;
    const items = Array.isArray(body) ? body : body === undefined ? [] : [body];
    const ledger = new Ledger(ledgerFile);
    try {
      const r = ledger.enter(kind, items, who, site.config);
      res.status(201).json({ ...r, [kind]: kind === 'facts' ? ledger.facts() : ledger.entries() });
    } catch (err) {
      if (!(err instanceof ImportError)) throw err;
      res.status(422).type('application/problem+json').json({
        type: 'urn:jieneng:problem:invalid_input',
        title: 'invalid_input',
        status: 422,
        detail: err.message,
        problems: err.problems,
      });
    } finally {
      ledger.close();
    }
  };
  router.post('/facts', json({ limit: '1mb' }), enter('facts'));
  router.post('/entries', json({ limit: '1mb' }), enter('entries'));
  const read = (what: 'facts' | 'entries' | 'audit') => (_req: Request, res: Response) => {
    const ledger = new Ledger(ledgerFile);
    try {
      res.json(what === 'facts' ? ledger.facts() : what === 'entries' ? ledger.entries() : ledger.auditLog());
    } finally {
      ledger.close();
    }
  };
  router.get('/facts', read('facts'));
  router.get('/entries', read('entries'));
  router.get('/ledger/audit', read('audit'));
  return router;
}
