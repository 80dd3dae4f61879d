import { createHmac } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AlarmChannel } from '../../core/alarms/schema.ts';
import type { Clock } from '../../core/clock.ts';
import { redactCredentials } from '../../core/redact.ts';
import { topics } from '../../core/topics.ts';
import type { Message } from './content.ts';

/**
 * The channels of `alarms.channels`: each sends one message or throws an error that says why
 * (HTTP status, the robot's errcode and errmsg, the SMTP server's answer). URLs carry the robots'
 * keys, so no error or log line names them: the channel's id does.
 */
export interface Channel {
  id: string;
  type: AlarmChannel['type'];
  /** Why the channel cannot send (a secret missing): its deliveries fail at once with this. */
  problem?: string;
  send(message: Message, meta: { route: string | null; siteId: string }): Promise<void>;
  close(): void;
}

/** Bound of one attempt: a robot or SMTP server that does not answer in this long is a failed attempt. */
export const SEND_TIMEOUT_MS = 10_000;
/** 企业微信 robot markdown content is at most 4096 bytes; DingTalk's is larger, one bound for both. */
const ROBOT_MAX_BYTES = 4000;

function truncateBytes(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= max) return s;
  // Cut at a character boundary: decode and drop a broken last character.
  return `${b
    .subarray(0, max - 3)
    .toString('utf8')
    .replace(/\uFFFD$/, '')}…`;
}

/** DingTalk 加签: base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)), URL-encoded. */
export function dingtalkSign(secret: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
  return encodeURIComponent(mac);
}

// A URL's user info runs to its last `@` before the host (an unencoded `@` in a password is hidden
// too); its query (and fragment) to the next whitespace or quote.
const urlParts =
  /\b([a-z][a-z0-9+.-]*:\/\/)(?:([^\s/?#"'<>]*)@)?([^\s/?#"'<>]*)([^\s?#"'<>]*)([?#][^\s"'<>]*)?/gi;

/**
 * `text` with every URL's user info and query replaced by `***`: webhook and robot URLs carry their
 * keys there (`user:password@`, `?key=`, `?access_token=`), and an error text (Node's fetch names the
 * whole URL) ends up in alarms.db, the API, health and the log. The host and path stay, so the error
 * still says where it went.
 */
export function redactUrls(text: string): string {
  return redactCredentials(text).replace(
    urlParts,
    (_m, scheme: string, userinfo: string | undefined, host: string, path: string, query?: string) =>
      `${scheme}${userinfo !== undefined ? '***@' : ''}${host}${path}${query ? `${query[0]}***` : ''}`,
  );
}

/** A channel's send whose error, whatever threw it (fetch, nodemailer, the broker), names no secret of a URL. */
async function redacted(send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (err) {
    throw new Error(redactUrls(err instanceof Error ? err.message : String(err)));
  }
}

/**
 * Errors of a connection the server closed under the request — typically a kept-alive connection
 * it had just timed out as fetch reused it. Sent again at once, once: waiting for the notifier's
 * retry (30 s) would only delay the message, with the same (small) risk of a repeat.
 */
const CONNECTION_CLOSED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

async function postJson(url: string, body: unknown, robot: boolean): Promise<void> {
  let res: Response | undefined;
  const payload = JSON.stringify(body);
  for (let attempt = 1; res === undefined; attempt++) {
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: payload,
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      if (attempt === 1 && cause?.code !== undefined && CONNECTION_CLOSED.has(cause.code)) continue;
      throw new Error(`no answer: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
  if (!robot) return;
  let answer: { errcode?: unknown; errmsg?: unknown };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    throw new Error(`answer is not JSON: ${text.slice(0, 200)}`);
  }
  if (answer.errcode !== 0)
    throw new Error(`errcode ${String(answer.errcode)}: ${String(answer.errmsg ?? '(no errmsg)')}`);
}

/** A value from the config or the environment variable it names; `problem` when neither gives one. */
function secret(
  direct: string | undefined,
  envName: string | undefined,
  env: NodeJS.ProcessEnv,
  what: string,
): { value?: string; problem?: string } {
  if (envName) {
    const v = env[envName];
    if (v) return { value: v };
    if (direct) return { value: direct };
    return {
      problem: `${what}: environment variable ${envName} is not set (${what} 未配置：环境变量 ${envName} 为空)`,
    };
  }
  if (direct) return { value: direct };
  return { problem: `${what}: not configured, give it or the environment variable holding it` };
}

interface ChannelContext {
  env: NodeJS.ProcessEnv;
  clock: Clock;
  publish: (topic: string, payload: string, retain: boolean) => Promise<void>;
}

/** The channel of `c`; its problem and every error of its sends are redacted (`redactUrls`), whichever channel it is. */
export function createChannel(c: AlarmChannel, ctx: ChannelContext): Channel {
  const ch = buildChannel(c, ctx);
  return {
    ...ch,
    ...(ch.problem !== undefined ? { problem: redactUrls(ch.problem) } : {}),
    send: (m, meta) => redacted(() => ch.send(m, meta)),
  };
}

function buildChannel(c: AlarmChannel, ctx: ChannelContext): Channel {
  const base = { id: c.id, type: c.type, close: () => undefined };
  const broken = (problem: string): Channel => ({
    ...base,
    problem: `channel "${c.id}" (${c.type}): ${problem}`,
    send: async () => {
      throw new Error(problem);
    },
  });
  switch (c.type) {
    case 'webhook': {
      const url = secret(c.url, c.url_env, ctx.env, 'url');
      if (!url.value) return broken(url.problem ?? 'no url');
      const target = url.value;
      return {
        ...base,
        send: (m, meta) =>
          postJson(
            target,
            {
              kind: m.kind,
              site: meta.siteId,
              route: meta.route,
              title: m.title,
              text: m.text,
              text_en: m.text_en,
              ...(m.event ? { event: m.event } : {}),
              ...(m.digest ? { digest: m.digest } : {}),
            },
            false,
          ),
      };
    }
    case 'wecom': {
      const url = secret(c.url, c.url_env, ctx.env, 'url');
      if (!url.value) return broken(url.problem ?? 'no url');
      const target = url.value;
      return {
        ...base,
        send: (m) =>
          postJson(
            target,
            { msgtype: 'markdown', markdown: { content: truncateBytes(m.markdown, ROBOT_MAX_BYTES) } },
            true,
          ),
      };
    }
    case 'dingtalk': {
      const url = secret(c.url, c.url_env, ctx.env, 'url');
      if (!url.value) return broken(url.problem ?? 'no url');
      const target = url.value;
      let signWith: string | undefined;
      if (c.secret_env) {
        signWith = ctx.env[c.secret_env];
        if (!signWith)
          return broken(
            `secret: environment variable ${c.secret_env} is not set (钉钉加签密钥未配置：环境变量 ${c.secret_env} 为空)`,
          );
      }
      return {
        ...base,
        send: (m) => {
          let to = target;
          if (signWith) {
            // DingTalk refuses a timestamp more than an hour from its own clock: the clock is the system's in service.
            const ts = ctx.clock.now();
            to = `${target}${target.includes('?') ? '&' : '?'}timestamp=${ts}&sign=${dingtalkSign(signWith, ts)}`;
          }
          return postJson(
            to,
            {
              msgtype: 'markdown',
              markdown: { title: m.title, text: truncateBytes(m.markdown, ROBOT_MAX_BYTES) },
            },
            true,
          );
        },
      };
    }
    case 'email': {
      const url = secret(c.smtp_url, c.smtp_url_env, ctx.env, 'smtp_url');
      if (!url.value) return broken(url.problem ?? 'no smtp_url');
      if (!/^smtps?:\/\//i.test(url.value)) return broken('smtp_url must start with smtp:// or smtps://');
      let transport: Transporter;
      try {
        transport = nodemailer.createTransport({
          url: url.value,
          connectionTimeout: SEND_TIMEOUT_MS,
          greetingTimeout: SEND_TIMEOUT_MS,
          socketTimeout: SEND_TIMEOUT_MS,
        });
      } catch (err) {
        return broken(`smtp_url is not usable: ${(err as Error).message}`);
      }
      return {
        ...base,
        close: () => transport.close(),
        send: async (m) => {
          try {
            await transport.sendMail({
              from: c.from,
              to: c.to,
              subject: m.title,
              text: `${m.text}\n\n${m.text_en}`,
              html: m.html,
              textEncoding: 'base64',
            });
          } catch (err) {
            throw new Error(`SMTP: ${(err as Error).message}`);
          }
        },
      };
    }
    case 'mqtt':
      return {
        ...base,
        send: (m, meta) =>
          ctx.publish(
            topics.alarmNotifications(meta.route ?? 'digest'),
            JSON.stringify({
              kind: m.kind,
              route: meta.route,
              alarm_id: m.event?.alarm.id ?? null,
              severity: m.event?.alarm.severity ?? null,
              title: m.title,
              text: m.text,
              text_en: m.text_en,
            }),
            false,
          ),
      };
  }
}
