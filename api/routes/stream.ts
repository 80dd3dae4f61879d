import { type Response, Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../../core/auth/actor.ts';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import { JnError } from '../../core/errors.ts';
import { EventHub, type EventHubOptions, type StreamEvent } from '../events.ts';
import { parseQuery, quote } from '../params.ts';
import { sendProblem } from '../problem.ts';
import { deviceOf } from '../siteDevices.ts';

export interface StreamOptions extends EventHubOptions {
  /** Streams open at once (default 50); beyond, 503 with Retry-After. */
  maxStreams?: number;
  /** Streams one user (or token) may hold open at once (default 5), so one cannot take them all. */
  maxStreamsPerActor?: number;
  /** A comment line this often keeps proxies from closing an idle stream (default 15 s). */
  heartbeatMs?: number;
  /** Bytes a client may leave unread before it is dropped (default 1 MiB). */
  maxUnreadBytes?: number;
}

/** What `streamRoutes` returns: the router, and what the API's stop ends. */
export interface StreamRoutes {
  router: Router;
  hub: EventHub;
  /** Streams open now. */
  open(): number;
  stop(): Promise<void>;
}

/** Unread bytes past `maxUnreadBytes` at which any client is dropped (a full replay fits). */
const HARD_EXTRA_BYTES = 16 * 1024 * 1024;

const deviceList = z
  .union([z.string().max(2000), z.array(z.string().max(200)).max(200)])
  .optional()
  .describe('device ids of the site, repeated (device=a&device=b) or comma-separated; default every device');

/** The query of `GET /stream` (also the OpenAPI document's). */
export const streamQuery = {
  device: deviceList,
  last_event_id: z
    .string()
    .regex(/^\d{1,16}$/)
    .optional()
    .describe(
      'the id of the last event received, as the Last-Event-ID header (for clients that cannot set it)',
    ),
};

/**
 * `GET /api/v1/stream`: Server-Sent Events of the site — `reading`, `availability`, `point`, `alarm`
 * (api/events.ts), each with an increasing `id`; `?device=` keeps those of some devices. A client
 * reconnecting with `Last-Event-ID` gets the events it missed from the ring buffer, or one `reset`
 * event when they are no longer there (reload the state, then read on). A comment every 15 s keeps
 * the connection open through proxies. At most `maxStreams` at once, and `maxStreamsPerActor` of
 * one user or token (503 with Retry-After beyond, naming the limit);
 * a client that stops reading is dropped once `maxUnreadBytes` wait for it, never buffered without bound.
 * At each heartbeat the caller's token or session is checked again (`res.locals.stillValid`): a
 * stream whose token was revoked or expired, or whose session ended or expired, is closed.
 */
export function streamRoutes(options: StreamOptions): StreamRoutes {
  const hub = new EventHub(options);
  const site: LoadedSite = options.site;
  const maxStreams = options.maxStreams ?? 50;
  const perActor = options.maxStreamsPerActor ?? 5;
  const openBy = new Map<string, number>(); // streams open per actor.user
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxUnread = options.maxUnreadBytes ?? 1024 * 1024;
  const open = new Set<() => void>();
  const router = Router();
  router.get('/stream', (req, res) => {
    const q = parseQuery(req.query, streamQuery);
    const devices = q.device === undefined ? undefined : deviceFilter(site, q.device);
    const header = req.get('last-event-id') ?? q.last_event_id;
    if (header !== undefined && !/^\d{1,16}$/.test(header))
      throw new JnError(
        'bad_request',
        `Last-Event-ID: ${quote(header)} is not an event id; allowed: the id of an event of this stream`,
      );
    if (open.size >= maxStreams) {
      res.set('Retry-After', '10');
      sendProblem(res, 503, 'stream_limit', {
        en: `${maxStreams} live streams are open, the most this API serves; try again in 10 s`,
        zh: `实时数据流已达上限（${maxStreams} 个）；请 10 秒后重试`,
      });
      return;
    }
    const who = (res.locals.actor as Actor | undefined)?.user ?? 'anonymous';
    const mine = openBy.get(who) ?? 0;
    if (mine >= perActor) {
      res.set('Retry-After', '10');
      sendProblem(res, 503, 'stream_limit', {
        en: `"${who}" has ${mine} live streams open, the most one user or token may hold (${perActor}); close one (another tab or client) or try again in 10 s`,
        zh: `“${who}” 已打开 ${mine} 个实时数据流，每个用户或令牌最多 ${perActor} 个；请关闭其中一个（其他标签页或客户端），或 10 秒后重试`,
      });
      return;
    }
    openBy.set(who, mine + 1);
    open.add(
      serve(res, {
        stillValid: res.locals.stillValid as (() => boolean) | undefined,
        hub,
        devices,
        lastEventId: header,
        heartbeatMs,
        maxUnread,
        onClose: (c) => {
          if (!open.delete(c)) return; // closed once only
          const left = (openBy.get(who) ?? 1) - 1;
          if (left > 0) openBy.set(who, left);
          else openBy.delete(who);
        },
      }),
    );
  });
  return {
    router,
    hub,
    open: () => open.size,
    stop: async () => {
      for (const close of [...open]) close();
      await hub.stop();
    },
  };
}

/**
 * Serves one stream on `res`: the missed events (or a reset), then every new one, a heartbeat
 * comment every `heartbeatMs`. Returns what closes it.
 *
 * A client that stops reading is dropped: before each live write, when the bytes waiting for it
 * (the response's and the socket's buffers) are over `maxUnread` and none of them went out since
 * the last write. A client that reads, however slowly, takes something between two events; a
 * replay of the whole ring buffer is written at once and judged by the same rule afterwards. Past
 * `maxUnread` + 16 MiB the client is dropped however it reads: nothing is buffered without bound.
 */
function serve(
  res: Response,
  o: {
    hub: EventHub;
    devices: Set<string> | undefined;
    lastEventId: string | undefined;
    heartbeatMs: number;
    maxUnread: number;
    onClose: (close: () => void) => void;
    /** The caller's credentials still hold (api/auth/middleware.ts); asked at each heartbeat. */
    stillValid: (() => boolean) | undefined;
  },
): () => void {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no', // nginx: pass events on as they come
  });
  res.flushHeaders();
  let closed = false;
  let unlisten = () => {};
  let beat: NodeJS.Timeout | undefined;
  let waitingAfterLast = 0;
  const finish = (how: 'end' | 'drop') => {
    if (closed) return;
    closed = true;
    clearInterval(beat);
    unlisten();
    o.onClose(close);
    if (how === 'end') res.end();
    else res.destroy();
  };
  const close = () => finish('end');
  const write = (chunk: string, live = true) => {
    if (closed) return;
    const waiting = res.writableLength;
    const stalled = waiting > o.maxUnread && waiting >= waitingAfterLast;
    if (live && (stalled || waiting > o.maxUnread + HARD_EXTRA_BYTES)) return finish('drop');
    res.write(chunk);
    waitingAfterLast = res.writableLength;
  };
  const send = (e: StreamEvent, live = true) => {
    if (o.devices && !e.devices.some((d) => o.devices?.has(d))) return;
    write(`id: ${e.id}\nevent: ${e.type}\ndata: ${e.data}\n\n`, live);
  };
  res.on('close', close);
  write('retry: 3000\n: jieneng event stream\n\n', false);
  // Replay and listen in one synchronous step: no event can fall between them.
  const missed = o.lastEventId === undefined ? [] : o.hub.since(Number(o.lastEventId));
  if (missed === 'reset') {
    const data = {
      last_event_id: o.lastEventId,
      reason: 'the events after this id are no longer kept; reload the state, then read on',
    };
    write(`id: ${o.hub.lastId}\nevent: reset\ndata: ${JSON.stringify(data)}\n\n`, false);
  } else for (const e of missed) send(e, false);
  unlisten = o.hub.listen((e) => send(e));
  beat = setInterval(() => {
    // A revoked token or an ended session must not keep reading the building (issue 15 review):
    // the client reconnects and is told why (401).
    if (credentialsEnded(o.stillValid)) {
      write(': credentials no longer valid; reconnect to learn why\n\n', false);
      return finish('end');
    }
    write(': heartbeat\n\n');
  }, o.heartbeatMs);
  return close;
}

/** Whether the stream's token or session no longer holds (a failing re-check counts as ended). */
function credentialsEnded(stillValid: (() => boolean) | undefined): boolean {
  if (!stillValid) return false;
  try {
    return !stillValid();
  } catch {
    return true;
  }
}

/** The devices of `?device=`, each checked against the site (404 naming the devices there are). */
function deviceFilter(site: LoadedSite, given: string | string[]): Set<string> {
  const ids = (Array.isArray(given) ? given : [given]).flatMap((g) => g.split(',')).map((s) => s.trim());
  const out = new Set<string>();
  for (const id of ids) if (id !== '') out.add(deviceOf(site, id).id);
  if (out.size === 0)
    throw new JnError(
      'bad_request',
      'device: empty; allowed: device ids of the site, repeated or comma-separated',
    );
  return out;
}
