import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AlarmEngine } from '../../alarms/engine.ts';
import { createNotifier } from '../../alarms/notify/index.ts';
import { AlarmDb } from '../../core/alarms/db.ts';
import type { Alarm, AlarmRule, Condition } from '../../core/alarms/model.ts';
import type { Clock } from '../../core/clock.ts';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import type { Logger } from '../../core/log.ts';

/**
 * A stand-in for a 企业微信 group robot on 127.0.0.1 — not qyapi.weixin.qq.com, which tests never
 * reach. It takes the documented body (`{"msgtype":"markdown","markdown":{"content":…}}`, content
 * at most 4096 bytes), answers `{"errcode":0,"errmsg":"ok"}` as the robot does, and refuses
 * anything else with the robot's errcode for an invalid message, so a malformed body fails the
 * notifier's delivery rather than passing unnoticed.
 */
export interface Robot {
  /** The webhook URL for a `type: wecom` channel. */
  url: string;
  /** Each message received, oldest first. */
  messages: RobotMessage[];
  /** Bodies refused (not the documented markdown message), as received. */
  refused: string[];
  /** The shown text of every message containing all `parts` (as a person reads it, see `shown`). */
  sentWith(...parts: string[]): string[];
  close(): Promise<void>;
}

export interface RobotMessage {
  /** The markdown content as sent. */
  markdown: string;
  /**
   * The content as the robot shows it: headings, quotes and bold gone, the notifier's escapes
   * (`\_`, `\*`, …) undone, so `> **设备**：fuwu\_main` reads `设备：fuwu_main`.
   */
  shown: string;
}

/** 企业微信 markdown content bound (its robot documentation: 4096 bytes, UTF-8). */
const MAX_BYTES = 4096;

/** The markdown as the 企业微信 client renders it, for asserting what a person reads. */
export function shownText(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) =>
      line
        .replace(/^#{1,6} /, '')
        .replace(/^> /, '')
        .replace(/\*\*/g, '')
        .replace(/\\([\\`*_[\]~])/g, '$1'),
    )
    .join('\n');
}

export async function startRobot(): Promise<Robot> {
  const messages: RobotMessage[] = [];
  const refused: string[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      raw += c;
    });
    req.on('end', () => {
      let body: { msgtype?: unknown; markdown?: { content?: unknown } } = {};
      try {
        body = JSON.parse(raw);
      } catch {
        // refused below
      }
      const content = body.markdown?.content;
      const ok =
        body.msgtype === 'markdown' &&
        typeof content === 'string' &&
        content.length > 0 &&
        Buffer.byteLength(content) <= MAX_BYTES;
      if (ok) messages.push({ markdown: content, shown: shownText(content) });
      else refused.push(raw);
      // Each connection used once: an idle keep-alive socket the server closes (after 5 s) while the
      // notifier's next request reuses it is reset (ECONNRESET), and its retry 30 s later never comes
      // on a test's clock that stands still. (On a real robot the retry sends it.)
      res
        .writeHead(200, { 'content-type': 'application/json', connection: 'close' })
        .end(
          JSON.stringify(
            ok ? { errcode: 0, errmsg: 'ok' } : { errcode: 40008, errmsg: 'invalid message type' },
          ),
        );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/cgi-bin/webhook/send?key=test`,
    messages,
    refused,
    sentWith: (...parts) => messages.map((m) => m.shown).filter((m) => parts.every((p) => m.includes(p))),
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * The site file's `alarms:` that sends every alarm to one 企业微信 robot: one route, no quiet hours,
 * a rate limit no test reaches (a test raising a dozen alarms within a data hour is not a flood).
 */
export function robotAlarms(url: string, rules: Record<string, unknown> = {}) {
  return {
    rules,
    channels: [{ id: 'wx', type: 'wecom', url }],
    routes: [{ id: 'all', channels: ['wx'] }],
    rate_limit: { per_hour: 1000 },
  };
}

/**
 * The alarm service's own path from a detector's condition to a notification, without its MQTT
 * side: the alarm engine (each rule's delay and severity from the site file, flood control,
 * alarms.db in `dir`) hands its transitions to the real notifier (alarms/notify), which sends to
 * the site's channels. For tests that drive the detectors or the data rules themselves.
 */
export interface AlarmPath {
  engine: AlarmEngine;
  db: AlarmDb;
  report(c: Condition): void;
  /**
   * The engine's tick (raises what waited out its delay), then what the notifier has due, sent.
   * Throws when a delivery did not go through (waits for a retry or was given up), with the
   * notifier's error: the robot missing a message then says why.
   */
  settle(): Promise<void>;
  /** The alarm of `rule` for `key`, the newest (open or not). */
  alarm(rule: AlarmRule, key: string): Alarm | undefined;
  stop(): Promise<void>;
}

export function alarmPath(ctx: { site: LoadedSite; clock: Clock; log: Logger; dir: string }): AlarmPath {
  const db = new AlarmDb(join(ctx.dir, 'alarms.db'), ctx.site.config.site.timezone);
  const engine = new AlarmEngine({ site: ctx.site, db, clock: ctx.clock, log: ctx.log });
  const notifier = createNotifier({
    site: ctx.site,
    db,
    clock: ctx.clock,
    log: ctx.log,
    publish: async () => {
      throw new Error('no MQTT channel in this test');
    },
    env: {},
  });
  if (notifier.status().problems?.length)
    throw new Error(`notification config: ${notifier.status().problems?.join('; ')}`);
  engine.onEvents((events) => notifier.onEvents(events));
  return {
    engine,
    db,
    report: (c) => engine.report(c),
    settle: async () => {
      engine.tick();
      await notifier.tick(ctx.clock.now());
      const s = notifier.status();
      if (s.pending > 0 || s.failed > 0)
        throw new Error(
          `notifications not delivered (${s.pending} waiting for a retry, ${s.failed} given up): ${s.last_error ?? 'no error said'}`,
        );
    },
    alarm: (rule, key) =>
      db.list({ status: 'all', limit: 1000 }).find((a) => a.rule === rule && a.key === key),
    stop: async () => {
      engine.tick();
      await notifier.stop();
      db.close();
    },
  };
}
