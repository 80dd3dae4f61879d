import { z } from 'zod';
import {
  calendarOverrideSchema,
  calendarQuery,
  controlAuditQuery,
  overrideSchema,
  overtimeSchema,
  relinquishQuery,
} from '../routes/control.ts';
import { bodyErrors, commonErrors, effectiveSchema, instant, localDay, type RouteDoc } from './common.ts';

const point = z.looseObject({
  device: z.string(),
  point: z.string(),
  name: z.string(),
  unit: z.string().nullable(),
  groups: z.array(z.string()),
  min: z
    .number()
    .nullable()
    .optional()
    .describe(
      'The lowest value a command may ask for (device range, control.points, the 26 °C rule); null: no bound',
    ),
  max: z
    .number()
    .nullable()
    .optional()
    .describe(
      'The highest value a command may ask for (device range, control.points, the 20 °C rule); null: no bound',
    ),
  effective: effectiveSchema,
});
const priorityArray = z.looseObject({
  device: z.string(),
  point: z.string(),
  effective: effectiveSchema,
  relinquish_default: z.number().nullable(),
  levels: z.array(z.looseObject({ level: z.number().int().min(1).max(16), value: z.number().nullable() })),
});
const commandResult = z.looseObject({ accepted: z.boolean(), effective: effectiveSchema });
const overtimeResult = z.looseObject({ accepted: z.boolean(), results: z.array(z.looseObject({})) });
const day = z.looseObject({
  date: localDay,
  type: z.string(),
  working: z.boolean(),
  source: z.string().describe('chinese-days, weekday, or override'),
  holidays_unknown: z
    .literal(true)
    .optional()
    .describe(
      "The calendar data has no statutory holidays for this day's year yet: typed by its weekday alone (元旦, 春节 would read as working days) — set overrides or update chinese-days",
    ),
});
const days = z.object({ days: z.array(day) });
const auditEntry = z.looseObject({
  id: z.number().int(),
  at: instant,
  source: z.string(),
  device: z.string(),
  point: z.string(),
  priority: z.number().int().nullable(),
  action: z.string(),
  outcome: z.string(),
});
const noContent = { description: 'Done', schema: null };
const writeErrors = [...commonErrors, ...bodyErrors];

/** Points and overrides, 加班, the working calendar, the command audit (schedules: scheduleDocs.ts; alarms: alarmDocs.ts). */
export function controlDocs(timeZone: string): RouteDoc[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/points',
      operationId: 'listPoints',
      summary: { zh: '可写点位及当前值', en: 'Writable points and the value in effect' },
      tag: 'points',
      query: {},
      responses: {
        200: { description: 'Every writable point', schema: z.object({ points: z.array(point) }) },
      },
      errors: commonErrors,
    },
    {
      method: 'GET',
      path: '/api/v1/points/:device/:point',
      operationId: 'getPoint',
      summary: { zh: '点位的优先级数组', en: "A point's priority array" },
      tag: 'points',
      query: {},
      responses: { 200: { description: 'The 16 levels and the value in effect', schema: priorityArray } },
      errors: [...commonErrors, 404],
    },
    {
      method: 'PUT',
      path: '/api/v1/points/:device/:point/override',
      operationId: 'overridePoint',
      summary: { zh: '人工干预（设定某优先级）', en: 'Override a point at a priority' },
      tag: 'points',
      body: overrideSchema,
      responses: { 200: { description: 'Accepted and written', schema: commandResult } },
      errors: [...writeErrors, 404, 422],
    },
    {
      method: 'DELETE',
      path: '/api/v1/points/:device/:point/override',
      operationId: 'relinquishPoint',
      summary: { zh: '撤销人工干预', en: 'Relinquish an override' },
      tag: 'points',
      query: relinquishQuery,
      responses: { 200: { description: 'Relinquished', schema: commandResult } },
      errors: [...commonErrors, 404, 422],
    },
    {
      method: 'POST',
      path: '/api/v1/overtime',
      operationId: 'startOvertime',
      summary: { zh: '加班：今晚延长空调照明', en: 'Overtime: keep a group on tonight' },
      tag: 'points',
      body: overtimeSchema,
      responses: { 200: { description: 'Every device of the group', schema: overtimeResult } },
      errors: [...writeErrors, 404, 422],
    },
    {
      method: 'GET',
      path: '/api/v1/calendar',
      operationId: 'getCalendar',
      summary: { zh: '工作日历', en: 'The working calendar' },
      tag: 'calendar',
      query: calendarQuery(timeZone),
      responses: { 200: { description: 'Each day from from to to', schema: days } },
      errors: commonErrors,
    },
    {
      method: 'PUT',
      path: '/api/v1/calendar/overrides/:date',
      operationId: 'putCalendarOverride',
      summary: { zh: '调整某日类型（停工、补班……）', en: 'Set the type of a day' },
      tag: 'calendar',
      params: z.object({ date: localDay }),
      body: calendarOverrideSchema,
      responses: { 200: { description: 'The day as it now is', schema: days } },
      errors: writeErrors,
    },
    {
      method: 'DELETE',
      path: '/api/v1/calendar/overrides/:date',
      operationId: 'deleteCalendarOverride',
      summary: { zh: '取消对某日的调整', en: 'Remove a day override' },
      tag: 'calendar',
      params: z.object({ date: localDay }),
      responses: { 204: noContent },
      errors: [...commonErrors, 404],
    },
    {
      method: 'GET',
      path: '/api/v1/control/audit',
      operationId: 'getCommandAudit',
      summary: { zh: '控制指令记录', en: 'Command audit' },
      tag: 'points',
      query: controlAuditQuery,
      responses: { 200: { description: 'Newest first', schema: z.object({ entries: z.array(auditEntry) }) } },
      errors: commonErrors,
    },
  ];
}
