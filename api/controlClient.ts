import { randomBytes } from 'node:crypto';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { ControlPort } from '../core/control/port.ts';
import {
  type ControlMethod,
  controlMethodNames,
  controlMethods,
  controlRpcTopics,
  rpcReplySchema,
  rpcTimeoutsMs,
} from '../core/control/rpc.ts';
import { errorText, isErrorCode, JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { type MqttConnection, mqttClientOptions } from '../core/mqtt/connection.ts';
import { OutageLog } from '../core/outageLog.ts';
import { redactCredentials } from '../core/redact.ts';
import type { ServiceStatus } from '../core/status.ts';

/** Sends one request and resolves with the result (or rejects with the JnError control answered). */
type Call = (method: ControlMethod, args: unknown[]) => Promise<unknown>;

/** Every port method forwarded by name, from the one list in core/control/rpc.ts. */
function forwarding(): new (call: Call) => ControlPort {
  return class {
    constructor(call: Call) {
      for (const method of controlMethodNames)
        Object.defineProperty(this, method, { value: (...args: unknown[]) => call(method, args) });
    }
  } as unknown as new (
    call: Call,
  ) => ControlPort;
}

export interface MqttControlPortOptions {
  mqttUrl: string;
  /** User, password and TLS files of the API's MQTT principal (core/mqtt/connection.ts). */
  connection?: MqttConnection | undefined;
  /** The site id: the topics are the site's (core/control/rpc.ts controlRpcTopics). */
  site: string;
  log: Logger;
  /** MQTT client id, also the last segment of the reply topic (default jn-api-<site>-<random>). */
  clientId?: string;
  /** Wait for a quick answer, ms (default 5 s, rpcTimeoutsMs.short). */
  shortTimeoutMs?: number;
  /** Wait for a command's answer, ms (default 35 s: control waits for the gateway's read-back; at most core/control/rpc.ts maxDeadlineAheadMs). */
  commandTimeoutMs?: number;
  /** While no request is answered, ask control the time this often so health stays current, ms (default 10 s). */
  probeMs?: number;
}

/**
 * The control port of `jieneng api`: each method is sent to `jieneng control` over MQTT 5
 * request/response (core/control/rpc.ts). Requests go at QoS 0 and never queue while the broker
 * is away: a request the API gave up on (503 to the caller) must not reach control later and act
 * then. No answer in time is a JnError `control_unavailable`; an error control answered is
 * rethrown with its code, so the routes answer the same problem as in-process.
 */
export class MqttControlPort extends forwarding() implements ControlPort {
  private readonly client: MqttClient;
  private readonly replyTopic: string;
  private readonly pending = new Map<string, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private subscribed = false;
  private lastAnswerAt: number | undefined;
  private lastError: string | undefined;
  private readonly probe: NodeJS.Timeout;
  /** One line when control stops answering, one when it answers again (not one per request). */
  private readonly outage: OutageLog;

  constructor(private readonly options: MqttControlPortOptions) {
    super((method, args) => this.call(method, args));
    this.outage = new OutageLog({
      log: options.log,
      what: `control of site "${options.site}" over MQTT`,
      failure: 'is not answering',
      meanwhile: 'the control routes answer 503 control_unavailable until it does',
      recovery: 'answers again',
    });
    const clientId = options.clientId ?? `jn-api-${options.site}-${randomBytes(4).toString('hex')}`;
    this.replyTopic = controlRpcTopics.reply(options.site, clientId);
    this.client = mqtt.connect(
      options.mqttUrl,
      mqttClientOptions(options.connection, {
        clientId,
        protocolVersion: 5,
        clean: true,
        reconnectPeriod: 1000,
        queueQoSZero: false,
      }),
    );
    // Subscribed on every connect: a clean session has none after a reconnect.
    this.client.on('connect', () => {
      this.client.subscribeAsync(this.replyTopic, { qos: 1 }).then(
        () => {
          this.subscribed = true;
        },
        (err: unknown) => {
          this.lastError = `reply topic not subscribed: ${errorText(err)}`;
        },
      );
    });
    this.client.on('close', () => {
      this.subscribed = false;
    });
    this.client.on('error', (err) => {
      this.lastError = `mqtt: ${err.message}`;
    });
    this.client.on('message', (topic, payload, packet) => this.onReply(topic, payload, packet));
    const probeMs = options.probeMs ?? 10_000;
    this.probe = setInterval(() => {
      if (this.lastAnswerAt !== undefined && Date.now() - this.lastAnswerAt < probeMs) return;
      this.call('now', []).catch(() => undefined); // the failure is in lastError for status()
    }, probeMs);
    this.probe.unref();
  }

  private timeoutMs(method: ControlMethod): number {
    return controlMethods[method].wait === 'command'
      ? (this.options.commandTimeoutMs ?? rpcTimeoutsMs.command)
      : (this.options.shortTimeoutMs ?? rpcTimeoutsMs.short);
  }

  private unavailable(method: ControlMethod, why: string, zh: string, sentAt?: number): JnError {
    // A request sent while control was away and timing out after it answered again is no new
    // outage: only a silence since the request was sent counts (one log line each way).
    if (sentAt === undefined || (this.lastAnswerAt ?? 0) < sentAt) {
      this.lastError = why;
      this.outage.fail(why);
    }
    return new JnError('control_unavailable', why, {
      zh,
      context: {
        method,
        site: this.options.site,
        request_topic: controlRpcTopics.requests(this.options.site),
      },
    });
  }

  /** The 503 of a request control did not answer within `ms`, in both languages. */
  private noAnswer(method: ControlMethod, ms: number, sentAt: number): JnError {
    const s = ms / 1000;
    const site = this.options.site;
    const command = controlMethods[method].wait === 'command';
    return this.unavailable(
      method,
      `control did not answer over MQTT within ${s} s (${method}); is jieneng control running for site "${site}" and connected to the broker?${command ? ' The command may still take effect: GET the point to see what is in effect.' : ''}`,
      `控制服务 ${s} 秒内未通过 MQTT 应答（${method}）；请确认站点 "${site}" 的 jieneng control 正在运行并已连接 MQTT 服务器${command ? '。该指令仍可能生效，请查询该点位当前生效值' : ''}`,
      sentAt,
    );
  }

  private call(method: ControlMethod, given: unknown[]): Promise<unknown> {
    // JSON turns an undefined element into null: optional trailing arguments are left out instead.
    const args = [...given];
    while (args.length > 0 && args.at(-1) === undefined) args.pop();
    if (!this.client.connected || !this.subscribed) {
      const broker = redactCredentials(this.options.mqttUrl);
      return Promise.reject(
        this.unavailable(
          method,
          `control cannot be reached: the API is not connected to the MQTT broker ${broker}`,
          `无法连接控制服务：API 未连接到 MQTT 服务器 ${broker}`,
        ),
      );
    }
    const correlation = randomBytes(16);
    const key = correlation.toString('hex');
    const ms = this.timeoutMs(method);
    const sentAt = Date.now();
    let body: string;
    try {
      // The deadline: control does not start the request after the API stopped waiting for it;
      // the id (the correlation) makes control execute it once however often it arrives.
      body = JSON.stringify({ method, args, id: key, deadline: sentAt + ms });
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(this.noAnswer(method, ms, sentAt));
      }, ms);
      const settle = (fn: () => void) => {
        clearTimeout(timer);
        this.pending.delete(key);
        fn();
      };
      this.pending.set(key, {
        resolve: (v) => settle(() => resolve(v)),
        reject: (e) => settle(() => reject(e)),
      });
      const properties = {
        responseTopic: this.replyTopic,
        correlationData: correlation,
        contentType: 'application/json',
        // Dropped by the broker if it cannot deliver in time (nobody waits for the answer then).
        messageExpiryInterval: Math.ceil(ms / 1000),
      };
      this.client
        .publishAsync(controlRpcTopics.requests(this.options.site), body, { qos: 0, properties })
        .catch((err: unknown) => {
          const why = errorText(err);
          this.pending
            .get(key)
            ?.reject(
              this.unavailable(method, `control request not sent: ${why}`, `控制请求未能发送：${why}`),
            );
        });
    });
  }

  private onReply(topic: string, payload: Buffer, packet: IPublishPacket): void {
    if (topic !== this.replyTopic) return;
    const correlation = packet.properties?.correlationData;
    const waiting = correlation ? this.pending.get(Buffer.from(correlation).toString('hex')) : undefined;
    if (!waiting) return; // late (timed out already) or not ours
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      json = undefined;
    }
    const reply = rpcReplySchema.safeParse(json);
    this.lastAnswerAt = Date.now();
    this.lastError = undefined;
    this.outage.ok();
    if (!reply.success)
      waiting.reject(new JnError('internal_error', 'control answered something that is not a reply'));
    else if (reply.data.ok) waiting.resolve(reply.data.result);
    else {
      const { code, message, zh } = reply.data.error;
      waiting.reject(
        new JnError(isErrorCode(code) ? code : 'internal_error', message, {
          ...(zh ? { zh } : {}),
          context: { from: 'control' },
        }),
      );
    }
  }

  /** For /health: running while control answers; degraded with the reason when it did not. */
  status(): ServiceStatus {
    const detail = {
      via: 'mqtt',
      broker_connected: this.client.connected,
      ...(this.lastAnswerAt ? { last_answer_at: new Date(this.lastAnswerAt).toISOString() } : {}),
      ...(this.lastError ? { last_error: this.lastError } : {}),
    };
    if (this.lastError) return { state: 'degraded', detail };
    return { state: this.lastAnswerAt === undefined ? 'starting' : 'running', detail };
  }

  /** Fails what is still waiting, then disconnects. */
  async stop(): Promise<void> {
    clearInterval(this.probe);
    for (const [, p] of this.pending) p.reject(new JnError('control_unavailable', 'the API is stopping'));
    await this.client.endAsync(true);
  }
}
