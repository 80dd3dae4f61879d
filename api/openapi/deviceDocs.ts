import { z } from 'zod';
import { historyQuery } from '../routes/readings.ts';
import { streamQuery } from '../routes/stream.ts';
import { commonErrors, instant, type RouteDoc } from './common.ts';

const availability = z
  .looseObject({
    state: z.enum(['online', 'offline']),
    since: instant.nullable(),
    reason: z.string().optional(),
    gateway: z.string(),
  })
  .nullable()
  .describe("The device's availability from its gateway's retained topic (null before any word)");

const bucket = z.object({
  start: instant.describe('Start of the bucket, local with the site’s offset; it ends where the next starts'),
  min: z.number().nullable(),
  max: z.number().nullable(),
  avg: z.number().nullable(),
  count: z.number().int().describe('Readings with a value; 0 with null min/max/avg is a gap'),
});

const history = z.object({
  device: z.string(),
  point: z.string(),
  unit: z.string().nullable(),
  interval: z.string().describe('The bucket length used, e.g. 5min, 1h, 1d'),
  from: instant,
  to: instant.describe('Excluded'),
  timezone: z.string(),
  buckets: z.array(bucket),
});

const device = z.looseObject({
  device: z.string(),
  name: z.string().nullable(),
  gateway: z.string(),
  connection: z.string(),
  protocol: z.string(),
  profile: z.string(),
  building: z.string().nullable(),
  availability,
  last_reading_at: instant.nullable(),
  age_s: z.number().nullable().describe('Seconds since the newest reading, s'),
  point_count: z.number().int(),
  readings: z
    .object({ good: z.number().int(), stale: z.number().int(), bad: z.number().int() })
    .describe('Latest readings by quality (stale: uncertain)'),
});

const devicePoint = z.object({
  point: z.string(),
  name: z.string(),
  unit: z.string().nullable(),
  access: z.enum(['read', 'read_write']),
  role: z.string(),
  latest: z
    .object({
      value: z.number().nullable(),
      ts: instant,
      age_s: z.number(),
      quality: z.enum(['good', 'uncertain', 'bad']),
      reason: z.string().nullable(),
    })
    .nullable(),
});

/** Readings history, devices and the event stream (schemas by the helper who wrote those routes). */
export function deviceDocs(timeZone: string): RouteDoc[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/readings/history',
      operationId: 'getReadingsHistory',
      summary: { zh: '测点历史（按时段的最小/最大/平均值）', en: 'A point’s history as min/max/avg buckets' },
      tag: 'readings',
      query: historyQuery(timeZone),
      responses: { 200: { description: 'Every bucket of the range, gaps included', schema: history } },
      errors: [...commonErrors, 404, 503],
    },
    {
      method: 'GET',
      path: '/api/v1/devices',
      operationId: 'listDevices',
      summary: { zh: '设备列表与在线状态', en: 'Every device with availability and reading age' },
      tag: 'readings',
      query: {},
      responses: { 200: { description: 'Every device of the site', schema: z.array(device) } },
      errors: [...commonErrors, 503],
    },
    {
      method: 'GET',
      path: '/api/v1/devices/:device',
      operationId: 'getDevice',
      summary: { zh: '单个设备及其测点最新值', en: 'One device with its points’ latest readings' },
      tag: 'readings',
      query: {},
      responses: {
        200: { description: 'The device', schema: device.extend({ points: z.array(devicePoint) }) },
      },
      errors: [...commonErrors, 404, 503],
    },
    {
      method: 'GET',
      path: '/api/v1/stream',
      operationId: 'getEventStream',
      summary: { zh: '实时事件流（SSE）', en: 'Live events (Server-Sent Events)' },
      tag: 'readings',
      query: streamQuery,
      responses: {
        200: {
          description:
            'text/event-stream: events reading, availability, point, alarm (JSON data, increasing id); reset when Last-Event-ID is older than the kept events; a comment every 15 s',
          schema: null,
          contentType: 'text/event-stream',
        },
      },
      errors: [...commonErrors, 404, 503],
    },
  ];
}
