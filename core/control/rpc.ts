import { z } from 'zod';
import { roles, scopes } from '../auth/actor.ts';
import { topicPrefix } from '../topics.ts';
import type { ControlPort } from './port.ts';

/**
 * The control port over MQTT 5 request/response (`jieneng api` in its own process, `jieneng control`
 * in another). The API publishes a request on `requests(site)` with the MQTT 5 properties
 * `responseTopic` (its own `reply(site, clientId)`) and `correlationData`; control answers there
 * with the same correlation data. The envelope is snake_case; `args` and `result` are the port's
 * own values, JSON-encoded, so the routes answer exactly what they answer in-process.
 */
export const controlRpcTopics = {
  /** API → control: one request per message (QoS 0: at most once, see api/controlClient.ts). */
  requests: (site: string) => `${topicPrefix}/control/${site}/rpc`,
  /** Control → one API process: the replies to the requests it sent. */
  reply: (site: string, clientId: string) => `${topicPrefix}/control/${site}/rpc/reply/${clientId}`,
  /** Every reply topic of the site (for an ACL: control publishes here, each API reads its own). */
  replies: (site: string) => `${topicPrefix}/control/${site}/rpc/reply/+`,
} as const;

/** Whether `topic` is a reply topic of `site` (control never answers anywhere else). */
export function isReplyTopic(site: string, topic: string): boolean {
  const prefix = `${topicPrefix}/control/${site}/rpc/reply/`;
  const rest = topic.slice(prefix.length);
  return topic.startsWith(prefix) && /^[A-Za-z0-9_-]{1,128}$/.test(rest);
}

/** Requests larger than this are refused unread (a schedule is a few kB; the HTTP body limit is 1 MB). */
export const maxRequestBytes = 2 * 1024 * 1024;

/**
 * How long the API waits for an answer. `short`: control answers from memory or control.db.
 * `command`: control waits for the gateway's read-back, 10 s × 3 attempts by default
 * (control/main.ts commandTimeoutMs × attempts), plus a margin for the broker round trips.
 */
export const rpcTimeoutsMs = { short: 5_000, command: 35_000 } as const;
export type RpcWait = keyof typeof rpcTimeoutsMs;

const text = z.string().max(10_000);
const id = z.string().min(1).max(200);
const instant = z.number().finite();
/** A schedule version: a number of its history, or `site`. */
const versionRef = z.union([z.number().int().positive(), z.literal('site')]);

/**
 * How long ahead of control's clock a request's deadline may be: the longest wait of the API
 * (rpcTimeoutsMs.command) with room for clock skew. It also bounds how long control remembers a
 * request id (control/rpcServer.ts), so a forged far deadline cannot grow that memory for ever.
 */
export const maxDeadlineAheadMs = 5 * 60_000;

/**
 * The authenticated caller, as the API put it into the args (control trusts the API, the broker's
 * ACL trusts only it). Only a session or an API token comes through the API: `cli` and `system`
 * actors act in-process, so one naming itself so over MQTT is refused.
 */
export const actorSchema = z
  .object({
    user: z.string().min(1).max(200),
    role: z.enum(roles),
    via: z.enum(['session', 'token'], {
      error:
        'only session and token callers come through the API; cli and system act in-process, not over MQTT',
    }),
    scopes: z.array(z.enum(scopes)).max(scopes.length),
    tokenId: z.string().max(200).optional(),
    address: z.string().max(200).optional(),
  })
  .strict();

interface MethodSpec<A> {
  wait: RpcWait;
  /** The arguments as a tuple; the parsed value must be what the port's method takes (tsc checks). */
  args: z.ZodType<A>;
}

/**
 * The allow-list of remote methods: every method of `ControlPort`, nothing else (a method missing
 * here, or one the port does not have, fails tsc). Adding a method to the port is one line here;
 * the client (api/controlClient.ts) and the server (control/rpcServer.ts) forward by this list.
 */
export const controlMethods = {
  now: { wait: 'short', args: z.tuple([]) },
  points: { wait: 'short', args: z.tuple([]) },
  array: { wait: 'short', args: z.tuple([id, id]) },
  command: {
    wait: 'command',
    args: z.tuple([
      z
        .object({
          device: id,
          point: id,
          priority: z.number().int(),
          value: z.number().finite().nullable(),
          actor: actorSchema,
          reason: text.optional(),
          expiresAt: instant.optional(),
        })
        .strict(),
    ]),
  },
  overtime: {
    wait: 'command',
    args: z.tuple([
      z.object({ group: id, until: instant, actor: actorSchema, reason: text.optional() }).strict(),
    ]),
  },
  schedules: { wait: 'short', args: z.tuple([]) },
  schedule: { wait: 'short', args: z.tuple([id]) },
  scheduleHistory: { wait: 'short', args: z.tuple([id]) },
  scheduleDiff: { wait: 'short', args: z.tuple([id, versionRef, versionRef]) },
  revertSchedule: { wait: 'short', args: z.tuple([id, versionRef, actorSchema, text.optional()]) },
  validateSchedule: { wait: 'short', args: z.tuple([z.unknown()]) },
  putSchedule: { wait: 'short', args: z.tuple([z.unknown(), actorSchema, text.optional()]) },
  deleteSchedule: { wait: 'short', args: z.tuple([id, actorSchema, text.optional()]) },
  preview: { wait: 'short', args: z.tuple([instant, instant]) },
  calendar: { wait: 'short', args: z.tuple([id, id]) },
  putCalendarOverride: {
    wait: 'short',
    args: z.tuple([
      z
        .object({
          date: id,
          type: z.enum(['workday', 'weekend', 'holiday', 'makeup_workday']),
          note: text.optional(),
        })
        .strict(),
      actorSchema,
    ]),
  },
  deleteCalendarOverride: { wait: 'short', args: z.tuple([id, actorSchema]) },
  audit: {
    wait: 'short',
    args: z.tuple([
      z
        .object({
          device: id.optional(),
          point: id.optional(),
          source: id.optional(),
          limit: z.number().int().optional(),
          before: instant.optional(),
        })
        .strict(),
    ]),
  },
} as const satisfies { [K in keyof ControlPort]: MethodSpec<Parameters<ControlPort[K]>> };

/** A remote method's name: exactly the port's method names. */
export type ControlMethod = keyof typeof controlMethods;
export const controlMethodNames = Object.keys(controlMethods) as ControlMethod[];

/**
 * API → control. `args` is checked against the method's tuple once the method is known; `id` and
 * `deadline` keep a request from acting late (after the API answered 503) or twice (a replay).
 */
export const rpcRequestSchema = z
  .object({
    method: z.enum(controlMethodNames as [ControlMethod, ...ControlMethod[]]),
    args: z.array(z.unknown()).max(8),
    /** Unique per request (hex): control executes an id once, however often it arrives. */
    id: z.string().regex(/^[0-9a-f]{16,64}$/, '16 to 64 lowercase hex digits'),
    /** Epoch ms after which the API no longer waits: control does not start the request later. */
    deadline: z.number().int().positive(),
  })
  .strict();
export type RpcRequest = z.infer<typeof rpcRequestSchema>;

/** Control → API: the method's result, or the error it raised with its stable code (core/errors.ts). */
export const rpcReplySchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }).strict(),
  z
    .object({
      ok: z.literal(false),
      error: z.object({ code: z.string(), message: z.string(), zh: z.string().optional() }).strict(),
    })
    .strict(),
]);
export type RpcReply = z.infer<typeof rpcReplySchema>;
