import { json, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import { JnError } from '../../core/errors.ts';
import { buildReport } from '../../core/reports/build.ts';
import { ImportError, Ledger } from '../../core/reports/ledger.ts';
import { renderReport, reportContentTypes } from '../../core/reports/render.ts';
import type { Store } from '../../core/store/store.ts';
import { callerOf } from '../caller.ts';
import { localDate, nextDay, noQuery, parseQuery, wholeNumber } from '../params.ts';

const query = (timeZone: string) => ({
  from: localDate(timeZone),
  to: localDate(timeZone),
  baseline: wholeNumber(2000, 2100)
    .optional()
    .describe("a baseline year from 2000 to 2100 (default: the plan's)"),
  basis: z
    .enum(['equivalent', 'generation'])
    .default('equivalent')
    .describe('equivalent, generation (default equivalent)'),
  format: z
    .enum(['json', 'csv', 'xlsx', 'pdf'])
    .default('json')
    .describe('json, csv, xlsx, pdf (default json)'),
});

/**
 * `GET /api/v1/reports/intensity?from=2025-01-01&to=2025-12-31&baseline=2020&basis=equivalent&format=json|csv|xlsx|pdf`:
 * the intensity report (see core/reports) from `from` through `to` (local dates, both included),
 * as JSON, CSV for Excel (UTF-8 with BOM), XLSX or PDF. The report's own `to` is the day after the
 * last (core/reports counts [from, to)).
 */
export function reportRoutes(store: Store, site: LoadedSite, ledgerFile: string): Router {
  const router = Router();
  const shape = query(site.config.site.timezone);
  router.get('/reports/intensity', async (req, res) => {
    const q = parseQuery(req.query, shape);
    if (q.to < q.from)
      throw new JnError(
        'bad_request',
        `to: "${q.to}" is before from "${q.from}"; allowed: a last day on or after from (both included)`,
      );
    const ledger = new Ledger(ledgerFile);
    try {
      const report = await buildReport({
        site,
        store,
        ledger,
        from: q.from,
        to: nextDay(q.to),
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
  const read = (what: 'facts' | 'entries' | 'audit') => (req: Request, res: Response) => {
    noQuery(req.query);
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
