import { json, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import type { ControlPort, ScheduleVersionRef } from '../../core/control/port.ts';
import { scheduleSchema } from '../../core/control/schema.ts';
import { JnError } from '../../core/errors.ts';
import { actorOf } from '../caller.ts';
import {
  bodyDetail,
  dateOrInstant,
  endOf,
  instantOf,
  noQuery,
  parseQuery,
  text,
  wholeNumber,
} from '../params.ts';
import { sendProblem } from '../problem.ts';

/** A preview covers at most this many days per request. */
const MAX_DAYS = 366;
const DAY = 86_400_000;

/** The body of POST /schedules and PUT /schedules/:id (on PUT the path's id wins over the body's). */
export const scheduleBodySchema = scheduleSchema;

/** A version of a schedule's history, or `site` (the site file's). */
export const scheduleVersionRefSchema = z
  .union([z.number().int().positive(), z.literal('site')])
  .describe('A version number from GET /schedules/{id}/history, or "site" (the site file’s schedule)');

/** The body of POST /schedules/:id/revert. */
export const scheduleRevertSchema = z
  .object({
    version: scheduleVersionRefSchema,
    reason: z.string().max(500).optional().describe('Why, kept in the history'),
  })
  .strict();

/** `from`/`to` of a diff, `reason` of a change: query parameters. */
const versionParam = z
  .union([z.literal('site'), wholeNumber(1, 1_000_000_000)])
  .describe('a version number from the history (1, 2, …) or "site"');
/** The query of POST/PUT/DELETE /schedules…: why (exported for the OpenAPI document). */
export const reasonShape = {
  reason: text(500).optional().describe('why, kept in the history (at most 500 characters)'),
};
/** The query of GET /schedules/:id/diff. */
export const diffQuery = { from: versionParam, to: versionParam };

/** The query of GET /schedules/preview, by the site's time zone. */
export const previewQuery = (timeZone: string) => ({
  from: dateOrInstant(timeZone)
    .optional()
    .describe(`${dateOrInstant(timeZone).description} (default now)`),
  to: dateOrInstant(timeZone)
    .optional()
    .describe(`${dateOrInstant(timeZone).description} (default from + days)`),
  days: wholeNumber(1, MAX_DAYS).optional().describe(`a number of days from 1 to ${MAX_DAYS} (default 7)`),
});

/**
 * Schedule routes: the schedules in force (site file seeded, API versions in control.db over
 * it), their history, diff and revert, validation and the preview of what they will do.
 * Mutating handlers leave `res.locals.audit` (target `schedule:<id>`, before, after) for the audit trail.
 */
export function scheduleRoutes(control: ControlPort, site: LoadedSite): Router {
  const router = Router();
  const timeZone = site.config.site.timezone;
  const inForce = async (id: string) =>
    (await control.schedules()).find((s) => s.schedule.id === id)?.schedule ?? null;

  router.get('/schedules', async (req, res) => {
    noQuery(req.query);
    res.json({ schedules: await control.schedules() });
  });
  const previewShape = previewQuery(timeZone);
  router.get('/schedules/preview', async (req, res) => {
    const q = parseQuery(req.query, previewShape);
    if (q.to !== undefined && q.days !== undefined)
      throw new JnError('bad_request', 'days: given with to; allowed: either to or days', {
        zh: 'days：与 to 同时给出；允许：to 或 days 二选一',
      });
    const from = q.from ? instantOf(q.from, timeZone) : await control.now();
    const to = q.to ? endOf(q.to, timeZone) : from + (q.days ?? 7) * DAY;
    if (!(to > from))
      throw new JnError(
        'bad_request',
        `to: "${q.to}" ends before from "${q.from ?? 'now'}" starts; allowed: a last day on or after from (both included), or an instant after from`,
        {
          zh: `to："${q.to}" 早于 from "${q.from ?? '现在'}"；允许：不早于 from 的日期（首尾都包含），或晚于 from 的时刻`,
        },
      );
    if (to - from > MAX_DAYS * DAY)
      throw new JnError(
        'bad_request',
        `to: "${q.from ?? 'now'}" … "${q.to}" is more than ${MAX_DAYS} days; allowed: a preview of at most ${MAX_DAYS} days`,
        {
          zh: `to："${q.from ?? '现在'}" … "${q.to}" 超过 ${MAX_DAYS} 天；允许：预览最多 ${MAX_DAYS} 天`,
        },
      );
    res.json({
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      actions: await control.preview(from, to),
    });
  });
  router.post('/schedules/validate', json({ limit: '1mb' }), async (req, res) => {
    const r = await control.validateSchedule(req.body);
    res.status(r.problems.length ? 422 : 200).json({ valid: r.problems.length === 0, problems: r.problems });
  });
  const put = (status: number) => async (req: Request, res: Response) => {
    const { reason } = parseQuery(req.query, reasonShape);
    const body = req.params.id ? { ...(req.body as object), id: req.params.id } : req.body;
    const id = String((body as { id?: unknown } | undefined)?.id ?? '');
    const before = id ? await inForce(id) : null;
    const r = await control.putSchedule(body, actorOf(req, res), reason);
    if (r.conflict) return sendProblem(res, 409, 'conflict', r.conflict);
    if (r.problems.length > 0)
      return sendProblem(
        res,
        422,
        'invalid_schedule',
        { en: `${r.problems.length} problem(s) in the schedule`, zh: `时间表有 ${r.problems.length} 处问题` },
        { problems: r.problems },
      );
    res.locals.audit = { target: `schedule:${r.schedule?.id}`, before, after: r.schedule };
    res.status(status).json(r.schedule);
  };
  router.post('/schedules', json({ limit: '1mb' }), put(201));
  router.put('/schedules/:id', json({ limit: '1mb' }), put(200));
  router.delete('/schedules/:id', async (req, res) => {
    const { reason } = parseQuery(req.query, reasonShape);
    const id = req.params.id;
    const before = await inForce(id);
    const r = await control.deleteSchedule(id, actorOf(req, res), reason);
    if (r.conflict) return sendProblem(res, 409, 'conflict', r.conflict);
    if (!r.deleted) {
      await control.schedule(id); // throws the not_found naming what there is
      throw new JnError('not_found', `no schedule "${id}"`, { zh: `没有时间表 "${id}"` });
    }
    res.locals.audit = { target: `schedule:${id}`, before, after: null };
    res.status(204).end();
  });
  router.get('/schedules/:id', async (req, res) => {
    noQuery(req.query);
    res.json(await control.schedule(req.params.id));
  });
  router.get('/schedules/:id/history', async (req, res) => {
    noQuery(req.query);
    res.json(await control.scheduleHistory(req.params.id));
  });
  router.get('/schedules/:id/diff', async (req, res) => {
    const q = parseQuery(req.query, diffQuery);
    res.json(await control.scheduleDiff(req.params.id, q.from, q.to));
  });
  router.post('/schedules/:id/revert', json(), async (req, res) => {
    const input = req.body ?? {};
    const parsed = scheduleRevertSchema.safeParse(input);
    if (!parsed.success)
      return sendProblem(res, 400, 'bad_request', bodyDetail(scheduleRevertSchema, input, parsed.error));
    const id = req.params.id;
    const before = await inForce(id);
    const to: ScheduleVersionRef = parsed.data.version;
    const r = await control.revertSchedule(id, to, actorOf(req, res), parsed.data.reason);
    if (r.problems.length > 0)
      return sendProblem(
        res,
        422,
        'invalid_schedule',
        {
          en: `version ${to} of schedule "${id}" no longer passes: ${r.problems.length} problem(s); edit it instead`,
          zh: `时间表 "${id}" 的版本 ${to} 已不能通过校验：${r.problems.length} 处问题；请改为编辑它`,
        },
        { problems: r.problems },
      );
    res.locals.audit = { target: `schedule:${id}`, before, after: r.schedule?.schedule ?? null };
    res.json(r.schedule ?? { deleted: true });
  });
  return router;
}
