import type { IPublishPacket, MqttClient } from 'mqtt';
import type { ControlPort } from '../core/control/port.ts';
import {
  type ControlMethod,
  controlMethodNames,
  controlMethods,
  controlRpcTopics,
  isReplyTopic,
  maxDeadlineAheadMs,
  maxRequestBytes,
  type RpcReply,
  rpcRequestSchema,
} from '../core/control/rpc.ts';
import { errorText, JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

export interface RpcServer {
  /** Requests answered (ok or error) and refused unanswered (no reply topic), since start. */
  counts(): { answered: number; refused: number };
  stop(): Promise<void>;
}

/**
 * At most one warning a minute of one kind (bad requests, replies the broker refused), with how
 * many were left out since the last: a broken or hostile publisher must not flood control's log.
 */
class MinuteLog {
  private lastAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly log: Logger,
    private readonly what: string,
  ) {}

  warn(why: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    if (now - this.lastAt < 60_000) {
      this.suppressed++;
      return;
    }
    this.log.warn(`${this.what}: ${why}`, {
      ...fields,
      ...(this.suppressed ? { more_since_last_warning: this.suppressed } : {}),
    });
    this.lastAt = now;
    this.suppressed = 0;
  }
}

const bad = (message: string): RpcReply => ({ ok: false, error: { code: 'bad_request', message } });

/** Request ids remembered at most (beyond it a request is refused: the API never has this many in flight). */
const maxRemembered = 100_000;

/**
 * The ids of requests already taken, each until its deadline: a replayed or duplicated request
 * (the same id again) is not executed twice. After its deadline a request is refused anyway, so
 * forgetting it then is safe; deadlines are at most `maxDeadlineAheadMs` ahead, which bounds this.
 */
class SeenRequests {
  private readonly seen = new Map<string, number>();

  /** Whether `id` is new (and now remembered until `deadline`). */
  take(id: string, deadline: number, now: number): boolean | 'full' {
    // Insertion order is near deadline order (deadlines are now + a timeout): drop the expired head.
    for (const [k, d] of this.seen) {
      if (d >= now) break;
      this.seen.delete(k);
    }
    if (this.seen.has(id)) return false;
    if (this.seen.size >= maxRemembered) return 'full';
    this.seen.set(id, deadline);
    return true;
  }
}

/** Why a request with this id and deadline must not be executed now, or undefined when it may. */
function refusal(seen: SeenRequests, id: string, deadline: number, method: string): RpcReply | undefined {
  const now = Date.now();
  if (deadline < now) {
    const late = now - deadline;
    return {
      ok: false,
      error: {
        code: 'control_unavailable',
        message: `${method}: request reached control ${late} ms after its deadline, when the API no longer waited; not executed (are the clocks of the API's and control's hosts in sync?)`,
        zh: `${method}：请求在截止时间之后 ${late} 毫秒才到达控制服务，API 已不再等待；未执行（请检查 API 与控制服务主机的时钟是否同步）`,
      },
    };
  }
  if (deadline > now + maxDeadlineAheadMs)
    return bad(
      `${method}: deadline ${new Date(deadline).toISOString()} is more than ${maxDeadlineAheadMs / 1000} s ahead of control's clock; allowed: now + the API's timeout`,
    );
  const fresh = seen.take(id, deadline, now);
  if (fresh === 'full')
    return {
      ok: false,
      error: {
        code: 'rate_limited',
        message: `${method}: more than ${maxRemembered} requests in flight; not executed`,
      },
    };
  if (!fresh)
    return {
      ok: false,
      error: {
        code: 'conflict',
        message: `${method}: request id ${id} was received before; a request is executed once, not again`,
        zh: `${method}：请求 ${id} 已收到过；同一请求只执行一次`,
      },
    };
  return undefined;
}

/** The first issues, each at its path under `root` (e.g. `args.0.value: Invalid input`). */
function issuesText(root: string, issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${[root, ...i.path.map(String)].filter(Boolean).join('.') || '(request)'}: ${i.message}`)
    .join('; ');
}

/**
 * Serves the control port over MQTT 5 request/response on control's own client (which must connect
 * with `protocolVersion: 5`): validates each request on `jn/v1/control/<site>/rpc` against the
 * method allow-list and the method's arguments, calls the service, and replies on the request's
 * `responseTopic` with its `correlationData`. A bad request gets an error reply (and a warning at
 * most once a minute), never a crash; the service's JnError codes travel in the reply.
 */
export async function startRpcServer(ctx: {
  client: MqttClient;
  service: ControlPort;
  site: string;
  log: Logger;
}): Promise<RpcServer> {
  const { client, site } = ctx;
  const topic = controlRpcTopics.requests(site);
  const warnings = new MinuteLog(ctx.log, 'control rpc request refused');
  const unsent = new MinuteLog(ctx.log, 'control rpc reply not published');
  const seen = new SeenRequests();
  let answered = 0;
  let refused = 0;

  const handle = async (payload: Buffer): Promise<RpcReply> => {
    if (payload.length > maxRequestBytes)
      return bad(`request of ${payload.length} bytes; at most ${maxRequestBytes} bytes are accepted`);
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return bad('request is not JSON; expected {"method": …, "args": [...], "id": …, "deadline": …}');
    }
    const request = rpcRequestSchema.safeParse(json);
    if (!request.success)
      return bad(`${issuesText('', request.error.issues)}; methods are: ${controlMethodNames.join(', ')}`);
    const method: ControlMethod = request.data.method;
    // Before anything acts: not after the API gave up on it, and not a second time.
    const refused = refusal(seen, request.data.id, request.data.deadline, method);
    if (refused) return refused;
    const args = controlMethods[method].args.safeParse(request.data.args);
    if (!args.success) return bad(`${method}: ${issuesText('args', args.error.issues)}`);
    // The schema's output is what the method takes (core/control/rpc.ts checks it with tsc).
    const call = ctx.service[method] as (...a: unknown[]) => unknown;
    const result = await call.apply(ctx.service, args.data as unknown[]);
    return { ok: true, result };
  };

  const answer = async (payload: Buffer, packet: IPublishPacket) => {
    const responseTopic = packet.properties?.responseTopic;
    const correlationData = packet.properties?.correlationData;
    if (!responseTopic || !isReplyTopic(site, responseTopic) || !correlationData) {
      // Nowhere to answer (or somewhere control must not publish): dropped, and said so.
      refused++;
      warnings.warn('no usable responseTopic or correlationData', {
        response_topic: responseTopic ?? null,
        allowed: controlRpcTopics.replies(site),
      });
      return;
    }
    let reply: RpcReply;
    try {
      reply = await handle(payload);
      if (!reply.ok) warnings.warn(reply.error.message, { response_topic: responseTopic });
    } catch (err) {
      if (!(err instanceof JnError)) ctx.log.error('control rpc method failed', { error: errorText(err) });
      reply =
        err instanceof JnError
          ? { ok: false, error: { code: err.code, message: err.message, ...(err.zh ? { zh: err.zh } : {}) } }
          : { ok: false, error: { code: 'internal_error', message: errorText(err) } };
    }
    let body: string;
    try {
      body = JSON.stringify(reply);
    } catch (err) {
      body = JSON.stringify({
        ok: false,
        error: { code: 'internal_error', message: `result not serialisable: ${errorText(err)}` },
      });
    }
    answered++;
    await client.publishAsync(responseTopic, body, {
      qos: 1,
      properties: { correlationData, contentType: 'application/json' },
    });
  };

  const onMessage = (t: string, payload: Buffer, packet: IPublishPacket) => {
    if (t !== topic) return;
    answer(payload, packet).catch((err: unknown) => unsent.warn(errorText(err), {}));
  };
  client.on('message', onMessage);
  await client.subscribeAsync(topic, { qos: 0 });
  ctx.log.info('control rpc serving', { topic });
  return {
    counts: () => ({ answered, refused }),
    stop: async () => {
      client.off('message', onMessage);
      if (client.connected) await client.unsubscribeAsync(topic).catch(() => undefined);
    },
  };
}
