import { z } from 'zod';
import { alarmRules, alarmSeverities } from '../../core/alarms/model.ts';
import { deliveryStatuses } from '../../core/alarms/notificationLog.ts';
import { alarmListQuery, alarmNoteSchema, notificationQuery, shelveSchema } from '../routes/alarms.ts';
import { bodyErrors, commonErrors, instant, type RouteDoc } from './common.ts';

/** core/alarms/model.ts `Alarm`, the wire shape (times in the site's local time with offset). */
export const alarmSchema = z
  .object({
    id: z.number().int(),
    rule: z.enum(alarmRules),
    key: z.string().describe('The subject: device, device/point, meter, building, gateway'),
    severity: z.enum(alarmSeverities),
    state: z.enum(['active', 'cleared', 'closed']),
    acknowledged: z.boolean(),
    message: z.string(),
    message_zh: z.string(),
    building: z.string().nullable(),
    device: z.string().nullable(),
    point: z.string().nullable(),
    gateway: z.string().nullable(),
    value: z.number().nullable().describe('The figure the rule judged, if one'),
    raised_at: instant,
    last_raised_at: instant.describe('Last raised again (a flap within the hold-off)'),
    cleared_at: instant.nullable(),
    acknowledged_at: instant.nullable(),
    acknowledged_by: z.string().nullable(),
    ack_note: z.string().nullable(),
    closed_at: instant.nullable(),
    closed_by: z.string().nullable(),
    shelved_until: instant.nullable(),
    shelved_by: z.string().nullable(),
    shelve_reason: z.string().nullable(),
    count: z.number().int().min(1).describe('Times raised (more than 1: it flapped within the hold-off)'),
    affected: z
      .number()
      .int()
      .min(0)
      .describe('Subjects whose own alarms this one stands for (flood control)'),
    affected_keys: z.array(z.string()).describe('The first 50 of them'),
    list: z.enum(['pending', 'in_progress', 'done']).describe('待处理, 处理中, 已处理'),
  })
  .meta({ id: 'Alarm' });

export const alarmTransitionSchema = z
  .object({
    seq: z.number().int(),
    alarm_id: z.number().int(),
    at: instant,
    action: z.enum([
      'raise',
      're_raise',
      'update',
      'clear',
      'acknowledge',
      'shelve',
      'unshelve',
      'close',
      'affect',
    ]),
    by: z.string().describe('A user, or alarm-service'),
    note: z.string().nullable(),
  })
  .meta({ id: 'AlarmTransition' });

export const alarmCountsSchema = z
  .object({
    pending: z.number().int().describe('Open, unacknowledged, not shelved (待处理)'),
    in_progress: z.number().int().describe('Open, acknowledged, not shelved (处理中)'),
    shelved: z.number().int().describe('Open and shelved'),
    done: z.number().int().describe('Closed (已处理), all time'),
    by_severity: z.record(z.string(), z.number().int()).describe('Open alarms by severity'),
  })
  .meta({ id: 'AlarmCounts' });

export const deliverySchema = z
  .object({
    id: z.number().int(),
    alarm_id: z.number().int().nullable().describe('null: a digest'),
    channel: z.string().describe('The channel id of alarms.channels'),
    route: z.string().nullable(),
    kind: z.string().describe('raise, re_raise, clear, acknowledge, escalate, digest'),
    status: z
      .enum(deliveryStatuses)
      .describe(
        'pending (queued or waiting to retry at next_at), sent, failed, held (quiet hours, rate limit: for the digest), digested',
      ),
    attempts: z.number().int(),
    error: z.string().nullable().describe('Why the last attempt failed'),
    created_at: instant,
    sent_at: instant.nullable(),
    next_at: instant.nullable().describe('The next attempt'),
  })
  .meta({ id: 'AlarmDelivery' });

const one = z.object({ alarm: alarmSchema });
const actionErrors = [...commonErrors, ...bodyErrors, 404, 409];

/** The alarms (issue 17): the lists, the badge's counts, one alarm with its trail, the operator's actions. */
export function alarmDocs(timeZone: string): RouteDoc[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/alarms',
      operationId: 'listAlarms',
      summary: {
        zh: '报警列表（待处理、处理中、已处理），可导出 CSV / XLSX',
        en: 'Alarms: pending, in progress, done; export as CSV or XLSX',
      },
      tag: 'alarms',
      query: alarmListQuery(timeZone),
      responses: {
        200: {
          description:
            'format=json: newest first, with the counts of the open ones. format=csv (text/csv, UTF-8 with BOM) or xlsx: a file (Content-Disposition attachment, 报警-<list>-<date>.csv|xlsx) of every alarm the same filters match, one row per alarm, columns in Chinese (编号, 级别, 规则, 处理状态, 报警状态, 建筑, 设备/点位, 说明, 数值, 发生时间, 最近发生时间, 次数, 影响对象数, 恢复时间, 确认人, 确认时间, 确认说明, 关闭人, 关闭时间, 搁置至, 搁置人, 搁置原因), times the site’s local time',
          schema: z.object({ alarms: z.array(alarmSchema), counts: alarmCountsSchema }),
          files: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        },
      },
      errors: commonErrors,
    },
    {
      method: 'GET',
      path: '/api/v1/alarms/counts',
      operationId: 'getAlarmCounts',
      summary: { zh: '未关闭报警的数量（角标）', en: 'How many alarms are open (the badge)' },
      tag: 'alarms',
      query: {},
      responses: { 200: { description: 'Counts of the open alarms', schema: alarmCountsSchema } },
      errors: commonErrors,
    },
    {
      method: 'GET',
      path: '/api/v1/alarms/notifications',
      operationId: 'listAlarmNotifications',
      summary: { zh: '报警通知的发送记录', en: 'Notifications sent, pending and failed' },
      tag: 'alarms',
      query: notificationQuery,
      responses: {
        200: {
          description: 'Newest first',
          schema: z.object({ notifications: z.array(deliverySchema) }),
        },
      },
      errors: commonErrors,
    },
    {
      method: 'GET',
      path: '/api/v1/alarms/:id',
      operationId: 'getAlarm',
      summary: { zh: '报警详情与处理记录', en: 'An alarm, its transitions and notifications' },
      tag: 'alarms',
      query: {},
      params: z.object({
        id: z
          .string()
          .regex(/^[1-9]\d*$/)
          .describe('The alarm id'),
      }),
      responses: {
        200: {
          description: 'The alarm, its transitions oldest first, its notifications newest first',
          schema: z.object({
            alarm: alarmSchema,
            transitions: z.array(alarmTransitionSchema),
            notifications: z.array(deliverySchema),
          }),
        },
      },
      errors: [...commonErrors, 404],
    },
    {
      method: 'POST',
      path: '/api/v1/alarms/:id/acknowledge',
      operationId: 'acknowledgeAlarm',
      summary: { zh: '确认报警', en: 'Acknowledge an alarm (a cleared one closes)' },
      tag: 'alarms',
      params: z.object({ id: z.string().regex(/^[1-9]\d*$/) }),
      body: alarmNoteSchema,
      responses: { 200: { description: 'The alarm as it now is', schema: one } },
      errors: actionErrors,
    },
    {
      method: 'POST',
      path: '/api/v1/alarms/:id/shelve',
      operationId: 'shelveAlarm',
      summary: { zh: '搁置报警（到期自动恢复）', en: 'Shelve an alarm until a time' },
      tag: 'alarms',
      params: z.object({ id: z.string().regex(/^[1-9]\d*$/) }),
      body: shelveSchema,
      responses: { 200: { description: 'The alarm as it now is', schema: one } },
      errors: actionErrors,
    },
    {
      method: 'POST',
      path: '/api/v1/alarms/:id/unshelve',
      operationId: 'unshelveAlarm',
      summary: { zh: '取消搁置', en: 'Take an alarm off the shelf' },
      tag: 'alarms',
      params: z.object({ id: z.string().regex(/^[1-9]\d*$/) }),
      body: alarmNoteSchema,
      responses: { 200: { description: 'The alarm as it now is', schema: one } },
      errors: actionErrors,
    },
    {
      method: 'POST',
      path: '/api/v1/alarms/:id/close',
      operationId: 'closeAlarm',
      summary: { zh: '关闭报警（条件已恢复）', en: 'Close a cleared alarm' },
      tag: 'alarms',
      params: z.object({ id: z.string().regex(/^[1-9]\d*$/) }),
      body: alarmNoteSchema,
      responses: { 200: { description: 'The alarm, closed', schema: one } },
      errors: actionErrors,
    },
  ];
}
