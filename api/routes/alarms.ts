import { json, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { AlarmActionError, type AlarmDb, type AlarmFilter } from '../../core/alarms/db.ts';
import { type Alarm, alarmRules, alarmSeverities } from '../../core/alarms/model.ts';
import { deliveryStatuses, NotificationLog } from '../../core/alarms/notificationLog.ts';
import type { Actor } from '../../core/auth/actor.ts';
import { JnError } from '../../core/errors.ts';
import { localMidnight } from '../../core/rollup/consumption.ts';
import { alarmsCsv, alarmsXlsx, exportContentType, exportFileName } from '../alarmExport.ts';
import { actorOf } from '../caller.ts';
import { bodyDetail, localDate, nextDay, noQuery, parseQuery, quote, text, wholeNumber } from '../params.ts';
import { sendProblem } from '../problem.ts';

/**
 * The alarms of the site (issue 17), from `<data-dir>/alarms.db` (core/alarms/db.ts), which the
 * alarm service writes too (raise, clear): the API lists them and lets people acknowledge, shelve,
 * unshelve and close them. Each of those is a transition in the DB; the alarm service reads it
 * (`since`) and publishes and notifies it, so the API never talks to the alarm service itself.
 *
 * Roles (api/access.ts decides the route, this file the alarm): admin and engineer may do
 * everything; an officer may acknowledge and close the alarms of the data rules — figures from
 * reports and meters, the officer's own work — but not those of devices and infrastructure.
 */

/** The rules whose alarms an officer may acknowledge and close (design: issue 17). */
export const officerRules: readonly Alarm['rule'][] = [
  'meter_balance',
  'after_hours',
  'night_flow',
  'target_trend',
  'quota',
];

/** The longest shelving: an alarm put away for longer is an alarm switched off, which the rule's settings do. */
export const MAX_SHELVE_DAYS = 30;

const statuses = ['open', 'closed', 'all'] as const;
const lists = ['pending', 'in_progress', 'done'] as const;
const formats = ['json', 'csv', 'xlsx'] as const;

/**
 * The most alarms one export file holds: more is a question to narrow (dates, rule). exceljs builds
 * an XLSX of 10 000 alarms in ~5 s on this kind of machine, during which the API answers nothing.
 */
export const MAX_EXPORT_ROWS = 20_000;

/** The query of GET /alarms, by the site's time zone (exported for the OpenAPI document). */
export const alarmListQuery = (timeZone: string) => ({
  status: z
    .enum(statuses)
    .optional()
    .describe('open (not closed), closed, all (default open; with list=done, closed)'),
  list: z
    .enum(lists)
    .optional()
    .describe(
      'pending (待处理: open, unacknowledged), in_progress (处理中: open, acknowledged), done (已处理: closed)',
    ),
  rule: z
    .enum(alarmRules)
    .optional()
    .describe(`a rule: ${alarmRules.join(', ')}`),
  severity: z
    .enum(alarmSeverities)
    .optional()
    .describe(`a severity: ${alarmSeverities.join(', ')}`),
  building: text(200).optional().describe('a building id'),
  device: text(200).optional().describe('a device id'),
  from: localDate(timeZone)
    .optional()
    .describe(`a local date YYYY-MM-DD (${timeZone}): alarms raised (or raised again) on or after it`),
  to: localDate(timeZone)
    .optional()
    .describe(`a local date YYYY-MM-DD (${timeZone}): alarms first raised on or before it (included)`),
  limit: wholeNumber(1, 1000).default(200).describe('a number of alarms from 1 to 1000 (default 200)'),
  before: wholeNumber(1, Number.MAX_SAFE_INTEGER)
    .optional()
    .describe('an alarm id: alarms older than it (the next page, newest first)'),
  format: z
    .enum(formats)
    .default('json')
    .describe(
      `json (default), csv (UTF-8 with BOM, for Excel), xlsx: csv and xlsx are a file of every alarm the filters match (at most ${MAX_EXPORT_ROWS}; limit only when given), columns in Chinese, times local`,
    ),
});

/** The query of GET /alarms/notifications. */
export const notificationQuery = {
  status: z
    .enum(deliveryStatuses)
    .optional()
    .describe(
      'failed, pending (queued or retrying), sent, held (quiet hours, rate limit), digested (default: all)',
    ),
  alarm: wholeNumber(1, Number.MAX_SAFE_INTEGER).optional().describe('an alarm id: its notifications only'),
  limit: wholeNumber(1, 1000).default(200).describe('a number of notifications from 1 to 1000 (default 200)'),
};

/** The body of POST /alarms/:id/acknowledge and /close (`{}` or no body: no note). */
export const alarmNoteSchema = z
  .object({
    note: z.string().max(1000).optional().describe('What was found or done, at most 1000 characters'),
  })
  .strict();

/** The body of POST /alarms/:id/shelve. */
export const shelveSchema = z
  .object({
    until: z.iso
      .datetime({ offset: true })
      .describe(`Until when (ISO-8601 with offset), in the future and at most ${MAX_SHELVE_DAYS} days ahead`),
    reason: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .describe('Why it is shelved (maintenance, a known fault), 1–500 characters'),
  })
  .strict();

/** The alarm id of a path: 400 when it is not one at all, so a 404 always means "no such alarm". */
function alarmId(raw: string): number {
  if (/^[1-9]\d{0,15}$/.test(raw) && Number(raw) <= Number.MAX_SAFE_INTEGER) return Number(raw);
  throw new JnError('bad_request', `id: ${quote(raw)} is not an alarm id; allowed: a whole number from 1`, {
    zh: `id：${quote(raw)} 不是报警编号；允许：从 1 起的整数`,
  });
}

/** A refusal of AlarmDb as a problem: 404 unknown id, 400 a bad expiry, 409 an action the alarm's state refuses. */
function sendRefusal(res: Response, err: AlarmActionError): void {
  const status = err.code === 'not_found' ? 404 : err.code === 'bad_expiry' ? 400 : 409;
  const code = status === 404 ? 'not_found' : status === 400 ? 'bad_request' : 'conflict';
  sendProblem(res, status, code, { en: err.message, zh: err.zh }, { reason: err.code });
}

export interface AlarmRoutesContext {
  db: AlarmDb;
  timeZone: string;
  /** The site's clock (epoch ms): when an acknowledgement or a shelving happened. */
  now: () => number;
  /** A building's name by its id, for the export files (default: the id). */
  buildingName?: (id: string) => string;
}

/**
 * The alarms of an export, newest first: pages of 1000 (the DB's page) until the filters match no
 * more, `limit` of them when given; more than `max` is refused with what to narrow.
 */
export function exportRows(
  db: Pick<AlarmDb, 'list'>,
  filter: AlarmFilter,
  limit: number | undefined,
  max = MAX_EXPORT_ROWS,
): Alarm[] {
  const out: Alarm[] = [];
  let before = filter.before;
  const want = limit ?? max + 1;
  while (out.length < want) {
    const n = Math.min(1000, want - out.length);
    const page = db.list({ ...filter, limit: n, ...(before !== undefined ? { before } : {}) });
    out.push(...page);
    const last = page[page.length - 1];
    if (!last || page.length < n) break;
    before = last.id;
  }
  if (out.length > max)
    throw new JnError(
      'bad_request',
      `more than ${max} alarms match; allowed: at most ${max} in one file — narrow it with from/to, rule, severity or building, or give limit`,
      {
        zh: `符合条件的报警超过 ${max} 条；允许：一个文件最多 ${max} 条——请用 from/to、rule、severity 或 building 缩小范围，或指定 limit`,
      },
    );
  return out;
}

/** GET /alarms (+ counts, notifications, one alarm) and the operator's actions on one alarm. */
export function alarmRoutes(ctx: AlarmRoutesContext): Router {
  const router = Router();
  const { db, timeZone } = ctx;
  // The notifier's log of deliveries (alarms/notify writes it, in the same alarms.db).
  const deliveries = new NotificationLog(db, timeZone);
  const listShape = alarmListQuery(timeZone);

  router.get('/alarms', async (req, res) => {
    const q = parseQuery(req.query, listShape);
    if (q.from !== undefined && q.to !== undefined && q.to < q.from)
      throw new JnError(
        'bad_request',
        `to: "${q.to}" is before from "${q.from}"; allowed: a last day on or after from (both included)`,
        { zh: `to："${q.to}" 早于 from "${q.from}"；允许：不早于 from 的最后一天（首尾都包含）` },
      );
    const filter = {
      // The list says which alarms: 已处理 are the closed ones, unless a status is asked for too.
      status: q.status ?? (q.list === 'done' ? 'closed' : 'open'),
      ...(q.list !== undefined ? { list: q.list } : {}),
      ...(q.rule !== undefined ? { rule: q.rule } : {}),
      ...(q.severity !== undefined ? { severity: q.severity } : {}),
      ...(q.building !== undefined ? { building: q.building } : {}),
      ...(q.device !== undefined ? { device: q.device } : {}),
      // Local dates, both included: from its midnight to the midnight after `to`.
      ...(q.from !== undefined ? { from: localMidnight(q.from, timeZone) } : {}),
      ...(q.to !== undefined ? { to: localMidnight(nextDay(q.to), timeZone) } : {}),
      ...(q.before !== undefined ? { before: q.before } : {}),
    } as const;
    if (q.format === 'json') {
      res.json({ alarms: db.list({ ...filter, limit: q.limit }), counts: db.counts() });
      return;
    }
    // A file: every alarm the filters match (a page of `limit` only when asked for one).
    const rows = exportRows(
      db,
      filter,
      (req.query as Record<string, unknown>).limit !== undefined ? q.limit : undefined,
    );
    const status = q.status ?? (q.list === 'done' ? 'closed' : 'open');
    const name = exportFileName({ list: q.list, status }, q.format, ctx.now(), timeZone);
    const options = { timeZone, buildingName: ctx.buildingName ?? ((id: string) => id) };
    const body = q.format === 'csv' ? alarmsCsv(rows, options) : await alarmsXlsx(rows, options);
    res.type(exportContentType[q.format]).attachment(name).send(body);
  });
  router.get('/alarms/counts', (req, res) => {
    noQuery(req.query);
    res.json(db.counts());
  });
  router.get('/alarms/notifications', (req, res) => {
    const q = parseQuery(req.query, notificationQuery);
    res.json({
      notifications: deliveries.list({
        limit: q.limit,
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.alarm !== undefined ? { alarmId: q.alarm } : {}),
      }),
    });
  });
  router.get('/alarms/:id', (req, res) => {
    noQuery(req.query);
    const id = alarmId(req.params.id);
    const alarm = db.get(id);
    if (!alarm)
      throw new JnError('not_found', `no alarm ${id}; GET /api/v1/alarms?status=all lists them`, {
        zh: `没有编号为 ${id} 的报警；GET /api/v1/alarms?status=all 列出全部报警`,
      });
    res.json({
      alarm,
      transitions: db.transitions(id),
      notifications: deliveries.list({ alarmId: id, limit: 200 }),
    });
  });

  /**
   * One action on an alarm: the body parsed, the officer's limit checked, the DB's refusal a 404/409,
   * the alarm before and after noted for the audit (api/auditTrail.ts).
   */
  const action =
    <S extends z.ZodType>(
      schema: S,
      run: (id: number, body: z.infer<S>, actor: Actor, now: number) => void,
      officerMay: boolean,
    ) =>
    (req: Request<{ id: string }>, res: Response) => {
      const id = alarmId(req.params.id);
      const input = req.body ?? {};
      const parsed = schema.safeParse(input);
      if (!parsed.success)
        return sendProblem(res, 400, 'bad_request', bodyDetail(schema, input, parsed.error));
      const before = db.get(id);
      const target = `alarm:${id}`;
      res.locals.audit = { target, before: before ?? null };
      if (!before)
        return sendRefusal(
          res,
          new AlarmActionError('not_found', `no alarm ${id}`, `没有编号为 ${id} 的报警`),
        );
      const actor = actorOf(req, res);
      if (actor.role === 'officer' && !(officerMay && officerRules.includes(before.rule)))
        throw new JnError(
          'forbidden',
          `alarm ${id} is a ${before.rule} alarm: an officer may ${officerMay ? 'acknowledge or close' : 'not shelve'} ${officerMay ? `only alarms of ${officerRules.join(', ')}` : 'alarms'}; ask an engineer`,
          {
            zh: `报警 ${id} 属于 ${before.rule}：节能统计员${officerMay ? `只能确认或关闭 ${officerRules.join('、')} 类报警` : '不能搁置报警'}；请联系工程师`,
          },
        );
      try {
        run(id, parsed.data, actor, ctx.now());
      } catch (err) {
        if (err instanceof AlarmActionError) return sendRefusal(res, err);
        throw err;
      }
      const alarm = db.get(id) as Alarm;
      res.locals.audit = { target, before, after: alarm };
      res.json({ alarm });
    };

  router.post(
    '/alarms/:id/acknowledge',
    json(),
    action(alarmNoteSchema, (id, b, actor, now) => db.acknowledge(id, actor.user, b.note, now), true),
  );
  router.post(
    '/alarms/:id/shelve',
    json(),
    action(
      shelveSchema,
      (id, b, actor, now) => {
        const until = Date.parse(b.until);
        if (until <= now)
          throw new AlarmActionError(
            'bad_expiry',
            `until: ${quote(b.until)} is not in the future; allowed: a time in the next ${MAX_SHELVE_DAYS} days`,
            `until：${quote(b.until)} 不晚于现在；允许：今后 ${MAX_SHELVE_DAYS} 天之内的时间`,
          );
        if (until - now > MAX_SHELVE_DAYS * 86_400_000)
          throw new AlarmActionError(
            'bad_expiry',
            `until: ${quote(b.until)} is more than ${MAX_SHELVE_DAYS} days ahead; allowed: a time in the next ${MAX_SHELVE_DAYS} days (to silence a rule for longer, change alarms.rules in the site file)`,
            `until：${quote(b.until)} 超过 ${MAX_SHELVE_DAYS} 天；允许：今后 ${MAX_SHELVE_DAYS} 天之内的时间（更长时间请修改站点文件中的 alarms.rules）`,
          );
        db.shelve(id, actor.user, until, b.reason, now);
      },
      false,
    ),
  );
  router.post(
    '/alarms/:id/unshelve',
    json(),
    action(alarmNoteSchema, (id, b, actor, now) => db.unshelve(id, actor.user, now, b.note), false),
  );
  router.post(
    '/alarms/:id/close',
    json(),
    action(alarmNoteSchema, (id, b, actor, now) => db.closeAlarm(id, actor.user, b.note, now), true),
  );
  return router;
}
