import { json, type Response, Router } from 'express';
import { z } from 'zod';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import type { ControlPort } from '../../core/control/port.ts';
import { parseDuration } from '../../core/duration.ts';
import { JnError } from '../../core/errors.ts';
import { localParts } from '../../core/localTime.ts';
import { localMidnight } from '../../core/rollup/consumption.ts';
import { callerOf } from '../caller.ts';
import { dateOrInstant, instantOf } from '../params.ts';
import { sendProblem } from '../problem.ts';

const overrideSchema = z
  .object({
    value: z.number().finite(),
    priority: z.number().int().min(1).max(16).default(8).describe('8: operator override'),
    for: z.string().optional().describe('How long, e.g. "30min", "2h"'),
    until: z.iso.datetime({ offset: true }).optional().describe('Or until when'),
    reason: z.string().optional(),
  })
  .strict();

const overtimeSchema = z
  .object({
    group: z.string().min(1),
    until: z.string().describe('Local time tonight (HH:MM, e.g. "21:00") or an ISO-8601 instant with offset'),
    reason: z.string().optional(),
  })
  .strict();

function issues(error: z.ZodError): string {
  return error.issues
    .map((i) =>
      i.code === 'unrecognized_keys'
        ? `unknown field(s) ${i.keys.join(', ')}`
        : `${i.path.join('.') || '(body)'}: ${i.message}`,
    )
    .join('; ');
}

/**
 * Control routes. Every command goes through the control service (`ControlPort`): policy, then
 * priority arbitration, then the gateway, all audited. Until authentication lands, the caller
 * names itself in X-Jieneng-User; routes that change anything are the engineer role's.
 */
export function controlRoutes(control: ControlPort, site: LoadedSite): Router {
  const router = Router();
  const timeZone = site.config.site.timezone;
  const instant = (text: string) => instantOf(text, timeZone);

  router.get('/points', (_req, res) => {
    res.json({ points: control.points() });
  });
  router.get('/points/:device/:point', (req, res) => {
    const array = control.array(req.params.device, req.params.point);
    if (!array) throw new JnError('not_found', `no writable point ${req.params.device}/${req.params.point}`);
    res.json(array);
  });
  router.put('/points/:device/:point/override', json(), async (req, res) => {
    const parsed = overrideSchema.safeParse(req.body ?? {});
    if (!parsed.success) return sendProblem(res, 400, 'bad_request', issues(parsed.error));
    const b = parsed.data;
    let expiresAt: number | undefined;
    if (b.for !== undefined) {
      const ms = parseDuration(b.for);
      if (ms === undefined || ms <= 0)
        return sendProblem(
          res,
          400,
          'bad_request',
          `for: "${b.for}" is not a duration; write e.g. "30min" or "2h"`,
        );
      expiresAt = control.now() + ms;
    }
    if (b.until !== undefined) expiresAt = Date.parse(b.until);
    if (b.priority === 8 && expiresAt === undefined)
      return sendProblem(
        res,
        400,
        'bad_request',
        'an operator override (priority 8) needs an expiry: give "for" (e.g. "2h") or "until"',
      );
    const r = await control.command({
      device: req.params.device,
      point: req.params.point,
      priority: b.priority,
      value: b.value,
      user: callerOf(req),
      reason: b.reason,
      expiresAt,
    });
    if (!r.accepted)
      return sendProblem(res, 422, 'command_rejected', r.reason ?? 'rejected', { effective: r.effective });
    res.json(r);
  });
  router.delete('/points/:device/:point/override', async (req, res) => {
    const priority = Number(req.query.priority ?? 8);
    const r = await control.command({
      device: req.params.device,
      point: req.params.point,
      priority,
      value: null,
      user: callerOf(req),
      reason: 'relinquished through the API',
    });
    if (!r.accepted) return sendProblem(res, 422, 'command_rejected', r.reason ?? 'rejected');
    res.json(r);
  });
  router.post('/overtime', json(), async (req, res) => {
    const parsed = overtimeSchema.safeParse(req.body ?? {});
    if (!parsed.success) return sendProblem(res, 400, 'bad_request', issues(parsed.error));
    const b = parsed.data;
    let until: number;
    if (/^\d{2}:\d{2}$/.test(b.until)) {
      const today = localParts(control.now(), timeZone).date;
      until =
        localMidnight(today, timeZone) +
        (Number(b.until.slice(0, 2)) * 60 + Number(b.until.slice(3))) * 60_000;
    } else until = Date.parse(b.until);
    if (!Number.isFinite(until))
      return sendProblem(
        res,
        400,
        'bad_request',
        `until: "${b.until}" is neither HH:MM nor an ISO-8601 instant`,
      );
    const r = await control.overtime({ group: b.group, until, user: callerOf(req), reason: b.reason });
    if (!r.accepted)
      return sendProblem(res, 422, 'command_rejected', r.reason ?? 'rejected', { results: r.results });
    res.json(r);
  });

  router.get('/schedules', (_req, res) => {
    res.json({ schedules: control.schedules() });
  });
  router.get('/schedules/preview', (req, res) => {
    const q = z
      .object({
        from: dateOrInstant.optional(),
        to: dateOrInstant.optional(),
        days: z.coerce.number().int().min(1).max(366).optional(),
      })
      .strict()
      .safeParse(req.query);
    if (!q.success) throw new JnError('bad_request', issues(q.error));
    const from = q.data.from ? instant(q.data.from) : control.now();
    const to = q.data.to ? instant(q.data.to) : from + (q.data.days ?? 7) * 86_400_000;
    if (!(to > from)) throw new JnError('bad_request', 'to must be after from');
    if (to - from > 366 * 86_400_000) throw new JnError('bad_request', 'a preview covers at most 366 days');
    res.json({
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      actions: control.preview(from, to),
    });
  });
  router.post('/schedules/validate', json({ limit: '1mb' }), (req, res) => {
    const r = control.validateSchedule(req.body);
    res.status(r.problems.length ? 422 : 200).json({ valid: r.problems.length === 0, problems: r.problems });
  });
  const put = (status: number) => (req: Parameters<Parameters<typeof router.post>[1]>[0], res: Response) => {
    const body = req.params.id ? { ...(req.body as object), id: req.params.id } : req.body;
    const r = control.putSchedule(body, callerOf(req));
    if (r.conflict) return sendProblem(res, 409, 'conflict', r.conflict);
    if (r.problems.length > 0)
      return sendProblem(res, 422, 'invalid_schedule', `${r.problems.length} problem(s) in the schedule`, {
        problems: r.problems,
      });
    res.status(status).json(r.schedule);
  };
  router.post('/schedules', json({ limit: '1mb' }), put(201));
  router.put('/schedules/:id', json({ limit: '1mb' }), put(200));
  router.delete('/schedules/:id', (req, res) => {
    const r = control.deleteSchedule(req.params.id, callerOf(req));
    if (r.conflict) return sendProblem(res, 409, 'conflict', r.conflict);
    if (!r.deleted) throw new JnError('not_found', `no schedule "${req.params.id}" created through the API`);
    res.status(204).end();
  });

  router.get('/calendar', (req, res) => {
    const q = z.object({ from: z.iso.date(), to: z.iso.date() }).strict().safeParse(req.query);
    if (!q.success) throw new JnError('bad_request', issues(q.error));
    if (q.data.to < q.data.from) throw new JnError('bad_request', 'to must not be before from');
    if (Date.parse(q.data.to) - Date.parse(q.data.from) > 366 * 86_400_000)
      throw new JnError('bad_request', 'the calendar covers at most 366 days per request');
    res.json({ days: control.calendar(q.data.from, q.data.to) });
  });
  router.put('/calendar/overrides/:date', json(), (req, res) => {
    const date = z.iso.date().safeParse(req.params.date);
    if (!date.success)
      return sendProblem(res, 400, 'bad_request', `"${req.params.date}" is not a date YYYY-MM-DD`);
    const body = z
      .object({
        type: z.enum(['workday', 'weekend', 'holiday', 'makeup_workday']),
        note: z.string().max(200).optional(),
      })
      .strict()
      .safeParse(req.body ?? {});
    if (!body.success) return sendProblem(res, 400, 'bad_request', issues(body.error));
    control.putCalendarOverride({ date: date.data, ...body.data }, callerOf(req));
    res.json({ days: control.calendar(date.data, date.data) });
  });
  router.delete('/calendar/overrides/:date', (req, res) => {
    if (!control.deleteCalendarOverride(req.params.date, callerOf(req)))
      throw new JnError('not_found', `no calendar override made through the API on ${req.params.date}`);
    res.status(204).end();
  });

  router.get('/control/audit', (req, res) => {
    const q = z
      .object({
        device: z.string().optional(),
        point: z.string().optional(),
        source: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        before: z.coerce.number().int().positive().optional(),
      })
      .strict()
      .safeParse(req.query);
    if (!q.success) throw new JnError('bad_request', issues(q.error));
    res.json({ entries: control.audit(q.data) });
  });
  router.get('/alarms', (_req, res) => {
    res.json({ alarms: control.alarms() });
  });
  return router;
}
