import { json, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import { JnError } from '../../core/errors.ts';
import { ImportError, type ReportPort } from '../../core/reports/port.ts';
import { actorOf } from '../caller.ts';
import { bodyDetail, localDate, noQuery, parseQuery, wholeNumber } from '../params.ts';
import { sendProblem } from '../problem.ts';

/** The query of GET /reports/intensity, by the site's time zone (exported for the OpenAPI document). */
export const intensityQuery = (timeZone: string) => ({
  from: localDate(timeZone),
  to: localDate(timeZone),
  baseline: wholeNumber(2000, 2100)
    .optional()
    .describe("a baseline year from 2000 to 2100 (default: the plan's)"),
  basis: z
    .enum(['equivalent', 'generation'])
    .default('equivalent')
    .describe('equivalent, generation (default equivalent)'),
  coal_rate: z
    .enum(['one', 'each'])
    .default('one')
    .describe(
      "one (both years on the report year's generation coal rate), each (each year's own); default one",
    ),
  format: z
    .enum(['json', 'csv', 'xlsx', 'pdf'])
    .default('json')
    .describe('json, csv, xlsx, pdf (default json)'),
});

/** The query of GET /reports/assessment (exported for the OpenAPI document). */
export const assessmentQuery = {
  plan: z
    .string()
    .min(1)
    .max(100)
    .describe('The plan by short name or id (十四五, 14th-five-year) or a site target set’s id'),
  basis: z
    .enum(['equivalent', 'generation'])
    .default('equivalent')
    .describe('Electricity 折标准煤 basis: equivalent (当量值, default) or generation (等价值)'),
  format: z
    .enum(['json', 'csv', 'xlsx'])
    .default('json')
    .describe('json, csv (a zip of CSV tables), xlsx; default json'),
};

/** The query of GET /reports/statistics (exported for the OpenAPI document). */
export const statisticsQuery = {
  year: wholeNumber(2000, 2100).describe('the calendar year of the return, from 2000 to 2100'),
  format: z
    .enum(['json', 'xlsx'])
    .default('json')
    .describe('json, xlsx (laid out as the form; default json)'),
};

/** The query of POST /facts and /entries. */
export const replaceQuery = {
  replace: z
    .enum(['true', 'false'])
    .default('false')
    .describe(
      'true to replace the stored rows these overlap (audited), false to refuse them (default false)',
    ),
};

/**
 * The body of POST /facts/upload and /entries/upload: a CSV (UTF-8 or GBK) or XLSX file as
 * `jieneng import` reads it, base64 in JSON (the API reads JSON bodies only, at most 1 MB: a file of
 * about 750 KB, some 10,000 rows).
 */
export const uploadBody = z
  .object({
    name: z
      .string()
      .min(5)
      .max(200)
      .regex(/^[^/\\]+\.(csv|xlsx)$/i, 'a file name ending in .csv or .xlsx, without folders (no / or \\)')
      // NUL reached the file system (a 500 naming the temporary folder), a newline forged a line
      // of the audit's origin: no control character, tabs included.
      // Also format characters (U+202E turns "evil\u202excsv.xlsx" around on screen), line and
      // paragraph separators, and lone surrogates.
      .refine(
        (n) => !/[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u.test(n),
        'a file name without control or format characters (U+0000–U+001F, U+007F–U+009F, U+200B–U+200F, U+202A–U+202E, U+2028/9, U+FEFF …)',
      )
      .describe(
        'The file name, ending in .csv or .xlsx, without folders or control characters (problems name the rows by it)',
      ),
    content_base64: z
      .string()
      .min(4)
      .max(1_048_576)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 (A–Z, a–z, 0–9, +, /, = padding)')
      .describe("The file's bytes, base64"),
  })
  .strict();

/** The row number a ledger problem names ("台账.csv 第 3 行，unit 列：…"); null for the file or header as a whole. */
export function problemRow(problem: string): number | null {
  const row = /第 (\d+) 行(?!（表头）)/.exec(problem)?.[1];
  return row === undefined || /第 1 行（表头）/.test(problem) ? null : Number(row);
}

/** Problems grouped by row, in row order (the file's own problems first, row null). */
export function problemsByRow(problems: string[]): { row: number | null; problems: string[] }[] {
  const rows = new Map<number | null, string[]>();
  for (const p of problems) {
    const row = problemRow(p);
    rows.set(row, [...(rows.get(row) ?? []), p]);
  }
  return [...rows.entries()]
    .sort(([a], [b]) => (a ?? 0) - (b ?? 0))
    .map(([row, list]) => ({ row, problems: list }));
}

/**
 * `GET /api/v1/reports/intensity?from=2025-01-01&to=2025-12-31&baseline=2020&basis=equivalent&coal_rate=one&format=json|csv|xlsx|pdf`:
 * the intensity report (see reports/) from `from` through `to` (local dates, both included),
 * as JSON, a zip of CSV tables for Excel (each UTF-8 with BOM), XLSX or PDF.
 */
export function reportRoutes(reports: ReportPort, site: LoadedSite): Router {
  const router = Router();
  const shape = intensityQuery(site.config.site.timezone);
  router.get('/reports/intensity', async (req, res) => {
    const q = parseQuery(req.query, shape);
    if (q.to < q.from)
      throw new JnError(
        'bad_request',
        `to: "${q.to}" is before from "${q.from}"; allowed: a last day on or after from (both included)`,
      );
    const report = await reports.intensity({
      from: q.from,
      to: q.to,
      baselineYear: q.baseline,
      basis: q.basis,
      coalRate: q.coal_rate === 'one' ? 'one_rate' : 'each_year',
    });
    if (q.format === 'json') {
      res.json(report);
      return;
    }
    const { body, contentType, extension } = await reports.render(report, q.format);
    res.type(contentType).attachment(`intensity_${q.from}_${q.to}${extension}`).send(body);
  });
  // A plan's final assessment, as `jieneng report assessment --plan` makes it.
  router.get('/reports/assessment', async (req, res) => {
    const q = parseQuery(req.query, assessmentQuery);
    const report = await reports.assessment({ plan: q.plan, basis: q.basis });
    if (q.format === 'json') {
      res.json(report);
      return;
    }
    const { body, contentType, extension } = await reports.renderAssessment(report, q.format);
    res.type(contentType).attachment(`assessment_${report.plan.id}${extension}`).send(body);
  });
  // The annual statistics return, as `jieneng report statistics --year` makes it.
  router.get('/reports/statistics', async (req, res) => {
    const q = parseQuery(req.query, statisticsQuery);
    const report = await reports.statistics({ year: q.year });
    if (q.format === 'json') {
      res.json(report);
      return;
    }
    const { body, contentType, extension } = await reports.renderStatistics(report);
    res.type(contentType).attachment(`statistics_${q.year}${extension}`).send(body);
  });
  // Facts and entries officers enter (the same checks and all-or-none as `jieneng import`).
  const enter = (kind: 'facts' | 'entries') => (req: Request, res: Response) => {
    const who = actorOf(req, res).user;
    const { replace } = parseQuery(req.query, replaceQuery);
    const body = req.body as unknown;
    const items = Array.isArray(body) ? body : body === undefined ? [] : [body];
    try {
      const r = reports.enter(kind, items, who, { replace: replace === 'true' });
      res.status(201).json({ ...r, [kind]: kind === 'facts' ? reports.facts() : reports.entries() });
    } catch (err) {
      if (!(err instanceof ImportError)) throw err;
      sendProblem(res, 422, 'invalid_input', err.message, { problems: err.problems });
    }
  };
  // A file as `jieneng import` takes it (CSV UTF-8/GBK, XLSX): all rows or none, each bad row named
  // with its row number; `rows` groups the problems by row for a form to show.
  const upload = (kind: 'facts' | 'entries') => async (req: Request, res: Response) => {
    const who = actorOf(req, res).user;
    const { replace } = parseQuery(req.query, replaceQuery);
    const parsed = uploadBody.safeParse(req.body);
    if (!parsed.success)
      return void sendProblem(res, 400, 'bad_request', bodyDetail(uploadBody, req.body, parsed.error));
    const { name, content_base64 } = parsed.data;
    const bytes = Buffer.from(content_base64, 'base64');
    try {
      const r = await reports.enterFile(kind, { name, bytes }, who, { replace: replace === 'true' });
      res.status(201).json({ ...r, [kind]: kind === 'facts' ? reports.facts() : reports.entries() });
    } catch (err) {
      if (!(err instanceof ImportError)) throw err;
      sendProblem(res, 422, 'invalid_input', err.message, {
        problems: err.problems,
        rows: problemsByRow(err.problems),
      });
    }
  };
  router.post('/facts/upload', json({ limit: '1mb' }), upload('facts'));
  router.post('/entries/upload', json({ limit: '1mb' }), upload('entries'));
  router.post('/facts', json({ limit: '1mb' }), enter('facts'));
  router.post('/entries', json({ limit: '1mb' }), enter('entries'));
  const read = (what: 'facts' | 'entries' | 'audit') => (req: Request, res: Response) => {
    noQuery(req.query);
    res.json(what === 'facts' ? reports.facts() : what === 'entries' ? reports.entries() : reports.audit());
  };
  router.get('/facts', read('facts'));
  router.get('/entries', read('entries'));
  router.get('/ledger/audit', read('audit'));
  return router;
}
