import { json, type Response, Router } from 'express';
import { z } from 'zod';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import { policyData } from '../../core/control/policyData.ts';
import type { ControlPort } from '../../core/control/port.ts';
import { parseDuration } from '../../core/duration.ts';
import { JnError } from '../../core/errors.ts';
import { localParts } from '../../core/localTime.ts';
import { localMidnight } from '../../core/rollup/consumption.ts';
import { actorOf } from '../caller.ts';
import {
  bodyDetail,
  dateProblems,
  daysBetween,
  localDate,
  noQuery,
  parseQuery,
  quote,
  text,
  wholeNumber,
} from '../params.ts';
import { sendProblem } from '../problem.ts';

/** The body of PUT /points/:device/:point/override (exported for the OpenAPI document). */
export const overrideSchema = z
  .object({
    // Bounded so that no typo (1e300) reaches a device; the policies then hold each point to its own range.
    value: z
      .number()
      .finite()
      .min(-1e6)
      .max(1e6)
      .describe("Value in the point's unit (°C for a setpoint, 0/1 for on_off, % for a dimmer), -1e6 … 1e6"),
    priority: z.number().int().min(1).max(16).default(8).describe('8: operator override'),
    for: z.string().max(40).optional().describe('How long, e.g. "30min", "2h"'),
    until: z.iso.datetime({ offset: true }).optional().describe('Or until when'),
    reason: z.string().max(500).optional().describe('Why, at most 500 characters'),
  })
  .strict();

/** The body of POST /overtime. */
export const overtimeSchema = z
  .object({
    group: z.string().min(1).max(200),
    until: z
      .string()
      .max(40)
      .describe('Local time tonight (HH:MM, e.g. "21:00") or an ISO-8601 instant with offset'),
    reason: z.string().max(500).optional().describe('Why, at most 500 characters'),
  })
  .strict();

/** A calendar covers at most this many days per request. */
const MAX_DAYS = 366;

/** The query of DELETE /points/:device/:point/override. */
export const relinquishQuery = {
  priority: wholeNumber(1, 16).default(8).describe('a priority level from 1 to 16 (default 8)'),
};

/** The query of GET /calendar. */
export const calendarQuery = (timeZone: string) => ({ from: localDate(timeZone), to: localDate(timeZone) });

/** The body of PUT /calendar/overrides/:date. */
export const calendarOverrideSchema = z
  .object({
    type: z.enum(['workday', 'weekend', 'holiday', 'makeup_workday']),
    note: z.string().max(200).optional(),
  })
  .strict();

/** The query of GET /control/audit. */
export const controlAuditQuery = {
  device: text(200).optional().describe('a device id'),
  point: text(200).optional().describe('a point id'),
  source: text(200).optional().describe('a source such as user:王工 or schedule:<id>'),
  limit: wholeNumber(1, 1000).default(100).describe('a number of entries from 1 to 1000 (default 100)'),
  before: wholeNumber(1, Number.MAX_SAFE_INTEGER)
    .optional()
    .describe('an audit entry id: entries before it (the next page)'),
};

/** The longest `for` of an override: the policy's longest override (command_privileges.max_expiry), in days. */
const maxForDays = policyData.command_privileges.max_expiry.value;

/** Why `text` is no usable `for` of an override, in both languages; undefined when it is one. */
function forProblem(text: string, ms: number | undefined): { en: string; zh: string } | undefined {
  const allowed = `a duration from 1ms to ${maxForDays}d (the longest override, command_privileges.max_expiry), e.g. "30min" or "2h"`;
  const allowedZh = `1ms 至 ${maxForDays}d 之间的时长（超控的最长期限，command_privileges.max_expiry），如 "30min" 或 "2h"`;
  if (ms === undefined || ms <= 0)
    return {
      en: `for: ${quote(text)} is not a duration; allowed: ${allowed}`,
      zh: `for：${quote(text)} 不是时长；允许：${allowedZh}`,
    };
  if (ms > maxForDays * 86_400_000)
    return {
      en: `for: ${quote(text)} is longer than the longest override; allowed: ${allowed}`,
      zh: `for：${quote(text)} 超过超控的最长期限；允许：${allowedZh}`,
    };
  return undefined;
}

/** A refused command: 403 `priority_not_allowed` (with the rule) for a privilege, else 422 `command_rejected`. */
function refused(
  res: Response,
  r: { reason?: string; reason_zh?: string; code?: 'priority_not_allowed'; rule?: string },
  extra: Record<string, unknown> = {},
): void {
  const en = r.reason ?? (r.code === 'priority_not_allowed' ? 'not allowed' : 'rejected');
  const detail = r.reason_zh ? { zh: r.reason_zh, en } : en;
  if (r.code === 'priority_not_allowed') sendProblem(res, 403, r.code, detail, { rule: r.rule, ...extra });
  else sendProblem(res, 422, 'command_rejected', detail, extra);
}

/**
 * Control routes. Every command goes through the control service (`ControlPort`): policy, then
 * priority arbitration, then the gateway, all audited. The caller is the authenticated actor
 * (api/caller.ts).
 */
export function controlRoutes(control: ControlPort, site: LoadedSite): Router {
  const router = Router();
  const timeZone = site.config.site.timezone;

  router.get('/points', async (req, res) => {
    noQuery(req.query);
    res.json({ points: await control.points() });
  });
  /** A 404 problem unless `device`/`point` is a writable point, naming what there is instead. */
  const mustExist = async (device: string, point: string) => {
    if (await control.array(device, point)) return;
    const points = (await control.points()).filter((p) => p.device === device);
    const list = points.map((p) => p.point).join(', ');
    throw points.length === 0
      ? new JnError(
          'not_found',
          `no device "${device}" with writable points; GET /api/v1/points lists them`,
          {
            zh: `没有设备 "${device}" 的可写点位；GET /api/v1/points 列出全部可写点位`,
          },
        )
      : new JnError(
          'not_found',
          `device "${device}" has no writable point "${point}"; its writable points are: ${list}`,
          { zh: `设备 "${device}" 没有可写点位 "${point}"；它的可写点位有：${list}` },
        );
  };
  /** The audit's view of a point: the slot at `level` and the value in effect. */
  const pointState = async (device: string, point: string, level: number) => {
    const a = (await control.array(device, point)) as
      | { levels?: { level: number }[]; effective?: unknown }
      | undefined;
    return { slot: a?.levels?.find((l) => l.level === level) ?? null, effective: a?.effective ?? null };
  };
  /** Notes target, before and after of a command for the audit middleware (api/auditTrail.ts). */
  const auditCommand = async (
    res: Response,
    at: { device: string; point: string; level: number },
    run: () => Promise<Awaited<ReturnType<ControlPort['command']>>>,
  ) => {
    const target = `point:${at.device}/${at.point}@${at.level}`;
    const before = await pointState(at.device, at.point, at.level);
    res.locals.audit = { target, before };
    const r = await run();
    res.locals.audit = {
      target,
      before,
      after: { ...(await pointState(at.device, at.point, at.level)), result: r },
    };
    return r;
  };
  router.get('/points/:device/:point', async (req, res) => {
    noQuery(req.query);
    await mustExist(req.params.device, req.params.point);
    res.json(await control.array(req.params.device, req.params.point));
  });
  router.put('/points/:device/:point/override', json(), async (req, res) => {
    await mustExist(req.params.device, req.params.point);
    const body = req.body ?? {};
    const parsed = overrideSchema.safeParse(body);
    if (!parsed.success)
      return sendProblem(res, 400, 'bad_request', bodyDetail(overrideSchema, body, parsed.error));
    const b = parsed.data;
    let expiresAt: number | undefined;
    if (b.for !== undefined) {
      const ms = parseDuration(b.for);
      const problem = forProblem(b.for, ms);
      if (problem || ms === undefined) return sendProblem(res, 400, 'bad_request', problem ?? b.for);
      expiresAt = (await control.now()) + ms;
    }
    if (b.until !== undefined) expiresAt = Date.parse(b.until);
    // Who may take which priority, with or without an expiry, is control's (command_privileges).
    const { device, point } = req.params;
    const r = await auditCommand(res, { device, point, level: b.priority }, () =>
      control.command({
        device,
        point,
        priority: b.priority,
        value: b.value,
        actor: actorOf(req, res),
        reason: b.reason,
        expiresAt,
      }),
    );
    if (!r.accepted) return refused(res, r, { effective: r.effective });
    res.json(r);
  });
  router.delete('/points/:device/:point/override', async (req, res) => {
    await mustExist(req.params.device, req.params.point);
    const { priority } = parseQuery(req.query, relinquishQuery);
    const { device, point } = req.params;
    const r = await auditCommand(res, { device, point, level: priority }, () =>
      control.command({
        device,
        point,
        priority,
        value: null,
        actor: actorOf(req, res),
        reason: 'relinquished through the API',
      }),
    );
    if (!r.accepted) return refused(res, r);
    res.json(r);
  });
  router.post('/overtime', json(), async (req, res) => {
    const body = req.body ?? {};
    const parsed = overtimeSchema.safeParse(body);
    if (!parsed.success)
      return sendProblem(res, 400, 'bad_request', bodyDetail(overtimeSchema, body, parsed.error));
    const b = parsed.data;
    let until: number;
    if (/^\d{2}:\d{2}$/.test(b.until)) {
      const today = localParts(await control.now(), timeZone).date;
      until =
        localMidnight(today, timeZone) +
        (Number(b.until.slice(0, 2)) * 60 + Number(b.until.slice(3))) * 60_000;
    } else until = Date.parse(b.until);
    if (!Number.isFinite(until))
      return sendProblem(res, 400, 'bad_request', {
        en: `until: "${b.until}" is neither HH:MM nor an ISO-8601 instant`,
        zh: `until："${b.until}" 既不是 HH:MM，也不是 ISO-8601 时刻`,
      });
    const r = await control.overtime({ group: b.group, until, actor: actorOf(req, res), reason: b.reason });
    if (!r.accepted) return refused(res, r, { results: r.results });
    res.json(r);
  });

  const calendarShape = calendarQuery(timeZone);
  router.get('/calendar', async (req, res) => {
    const q = parseQuery(req.query, calendarShape);
    if (q.to < q.from)
      throw new JnError(
        'bad_request',
        `to: "${q.to}" is before from "${q.from}"; allowed: a last day on or after from (both included)`,
        { zh: `to："${q.to}" 早于 from "${q.from}"；允许：不早于 from 的最后一天（首尾都包含）` },
      );
    if (daysBetween(q.from, q.to) >= MAX_DAYS)
      throw new JnError(
        'bad_request',
        `to: "${q.from}" … "${q.to}" is more than ${MAX_DAYS} days; allowed: at most ${MAX_DAYS} days per request`,
        { zh: `to："${q.from}" … "${q.to}" 超过 ${MAX_DAYS} 天；允许：每次最多 ${MAX_DAYS} 天` },
      );
    res.json({ days: await control.calendar(q.from, q.to) });
  });
  /** A date in the path: 400 when it is not a date at all, so a 404 always means "no such override". */
  const pathDate = (date: string) => {
    const problem = dateProblems(date);
    if (problem)
      throw new JnError('bad_request', `date: ${problem.en}; allowed: ${localDate(timeZone).description}`, {
        zh: `date：${problem.zh}；允许：${localDate(timeZone).description}`,
      });
  };
  /** The day as the calendar shows it (type, holiday, the override and who made it): an audit's before/after. */
  const dayOf = async (date: string) => (await control.calendar(date, date))[0] ?? null;
  router.put('/calendar/overrides/:date', json(), async (req, res) => {
    pathDate(req.params.date);
    const input = req.body ?? {};
    const body = calendarOverrideSchema.safeParse(input);
    if (!body.success)
      return sendProblem(res, 400, 'bad_request', bodyDetail(calendarOverrideSchema, input, body.error));
    const date = req.params.date;
    const before = await dayOf(date);
    await control.putCalendarOverride({ date, ...body.data }, actorOf(req, res));
    const days = await control.calendar(date, date);
    res.locals.audit = { target: `calendar:${date}`, before, after: days[0] ?? null };
    res.json({ days });
  });
  router.delete('/calendar/overrides/:date', async (req, res) => {
    pathDate(req.params.date);
    const date = req.params.date;
    const before = await dayOf(date);
    if (!(await control.deleteCalendarOverride(date, actorOf(req, res))))
      throw new JnError('not_found', `no calendar override made through the API on ${date}`, {
        zh: `${date} 没有通过 API 设置的日历调整`,
      });
    res.locals.audit = { target: `calendar:${date}`, before, after: (await dayOf(date)) ?? null };
    res.status(204).end();
  });

  const auditShape = controlAuditQuery;
  router.get('/control/audit', async (req, res) => {
    res.json({ entries: await control.audit(parseQuery(req.query, auditShape)) });
  });
  return router;
}
