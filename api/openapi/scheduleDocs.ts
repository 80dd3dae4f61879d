import { z } from 'zod';
import { scheduleSchema } from '../../core/control/schema.ts';
import {
  diffQuery,
  previewQuery,
  reasonShape,
  scheduleBodySchema,
  scheduleRevertSchema,
  scheduleVersionRefSchema,
} from '../routes/schedules.ts';
import { bodyErrors, commonErrors, instant, type RouteDoc } from './common.ts';

const action = z.looseObject({
  at: instant,
  schedule: z.string(),
  group: z.string(),
  device: z.string(),
  point: z.string(),
  priority: z.number().int(),
  value: z.number().nullable(),
  because: z.string().describe('Why: the day type, holiday or exception'),
});
const preview = z.object({ from: instant, to: instant, actions: z.array(action) });
const problemList = z.array(z.object({ path: z.string(), message: z.string() }));
const validation = z.object({ valid: z.boolean(), problems: problemList });
/** A schedule in force (core/control/port.ts ScheduleInForce). */
const inForce = z
  .looseObject({
    schedule: scheduleSchema,
    origin: z
      .enum(['site', 'edited', 'api'])
      .describe('The site file, an API edit of a site-file schedule, or the API alone'),
    version: z.number().int().optional(),
    updated_at: instant.optional(),
    updated_by: z.string().optional(),
    site_changed_since_edit: z.boolean().optional(),
  })
  .meta({ id: 'ScheduleInForce' });
const version = z.looseObject({
  version: z.number().int(),
  at: instant,
  by: z.string(),
  reason: z.string().nullable(),
  action: z.enum(['create', 'edit', 'delete', 'revert']),
  follows_site: z.boolean(),
  schedule: scheduleSchema.nullable(),
});
const history = z.looseObject({
  id: z.string(),
  site_schedule: scheduleSchema.nullable(),
  in_force: z.union([z.number().int(), z.literal('site')]).nullable(),
  versions: z.array(version),
});
const diff = z.object({
  id: z.string(),
  from: scheduleVersionRefSchema,
  to: scheduleVersionRefSchema,
  changes: z.array(
    z.object({ path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() }),
  ),
});
const idParam = z.object({ id: z.string().min(1).describe('Schedule id') });
const writeErrors = [...commonErrors, ...bodyErrors];

/** Schedules: in force, preview, validate, create, edit, delete, history, diff and revert. */
export function scheduleDocs(timeZone: string): RouteDoc[] {
  const stored = { description: 'The schedule as stored', schema: scheduleSchema };
  const one = (r: Omit<RouteDoc, 'tag'>): RouteDoc => ({ ...r, tag: 'schedules' });
  return [
    one({
      method: 'GET',
      path: '/api/v1/schedules',
      operationId: 'listSchedules',
      summary: { zh: '生效的时间表', en: 'Schedules in force' },
      query: {},
      responses: {
        200: {
          description: 'Site file first, then the API',
          schema: z.object({ schedules: z.array(inForce) }),
        },
      },
      errors: commonErrors,
    }),
    one({
      method: 'GET',
      path: '/api/v1/schedules/preview',
      operationId: 'previewSchedules',
      summary: { zh: '预览计划动作', en: 'Preview scheduled actions' },
      query: previewQuery(timeZone),
      responses: { 200: { description: 'Every action in the range', schema: preview } },
      errors: commonErrors,
    }),
    one({
      method: 'POST',
      path: '/api/v1/schedules/validate',
      operationId: 'validateSchedule',
      summary: { zh: '校验时间表（不保存）', en: 'Check a schedule without storing it' },
      body: scheduleBodySchema,
      responses: {
        200: { description: 'Valid', schema: validation },
        422: { description: 'The problems found', schema: validation },
      },
      errors: writeErrors,
    }),
    one({
      method: 'POST',
      path: '/api/v1/schedules',
      operationId: 'createSchedule',
      summary: { zh: '新建时间表', en: 'Create a schedule' },
      query: reasonShape,
      body: scheduleBodySchema,
      responses: { 201: stored },
      errors: [...writeErrors, 409, 422],
    }),
    one({
      method: 'GET',
      path: '/api/v1/schedules/:id',
      operationId: 'getSchedule',
      summary: { zh: '某时间表（生效版本）', en: 'A schedule in force' },
      params: idParam,
      query: {},
      responses: { 200: { description: 'The version in force', schema: inForce } },
      errors: [...commonErrors, 404],
    }),
    one({
      method: 'PUT',
      path: '/api/v1/schedules/:id',
      operationId: 'editSchedule',
      summary: { zh: '修改时间表（新版本）', en: 'Edit a schedule (a new version)' },
      params: idParam,
      query: reasonShape,
      body: scheduleBodySchema.partial({ id: true }),
      responses: { 200: stored },
      errors: [...writeErrors, 404, 409, 422],
    }),
    one({
      method: 'DELETE',
      path: '/api/v1/schedules/:id',
      operationId: 'deleteSchedule',
      summary: { zh: '删除时间表', en: 'Delete a schedule' },
      params: idParam,
      query: reasonShape,
      responses: { 204: { description: 'Deleted (a version in the history)', schema: null } },
      errors: [...commonErrors, 404, 409],
    }),
    one({
      method: 'GET',
      path: '/api/v1/schedules/:id/history',
      operationId: 'getScheduleHistory',
      summary: { zh: '时间表历史版本', en: "A schedule's versions" },
      params: idParam,
      query: {},
      responses: { 200: { description: 'Every version and the site file’s', schema: history } },
      errors: [...commonErrors, 404],
    }),
    one({
      method: 'GET',
      path: '/api/v1/schedules/:id/diff',
      operationId: 'diffSchedule',
      summary: { zh: '比较两个版本', en: 'Compare two versions' },
      params: idParam,
      query: diffQuery,
      responses: { 200: { description: 'The changed paths', schema: diff } },
      errors: [...commonErrors, 404],
    }),
    one({
      method: 'POST',
      path: '/api/v1/schedules/:id/revert',
      operationId: 'revertSchedule',
      summary: { zh: '恢复到某版本', en: 'Go back to a version' },
      params: idParam,
      body: scheduleRevertSchema,
      responses: {
        200: {
          description: 'The schedule now in force, or {deleted: true}',
          schema: z.union([inForce, z.object({ deleted: z.literal(true) })]),
        },
      },
      errors: [...writeErrors, 404, 422],
    }),
  ];
}
