import type { IPublishPacket, MqttClient } from 'mqtt';
import type { ControlPort } from '../core/control/port.ts';
import {
  type ControlMethod,
  controlMethodNames,
  controlMethods,
  controlRpcTopics,
  isReplyTopic,
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
  let answered = 0;
  let refused = 0;

  const handle = async (payload: Buffer): Promise<RpcReply> => {
    if (payload.length > maxRequestBytes)
      return bad(`request of ${payload.length} bytes; at most ${maxRequestBytes} bytes are accepted`);
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return bad('request is not JSON; expected {"method": …, "args": [...]}');
    }
    const request = rpcRequestSchema.safeParse(json);
    if (!request.success)
      return bad(`${issuesText('', request.error.issues)}; methods are: ${controlMethodNames.join(', ')}`);
    const method: ControlMethod = request.data.method;
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
