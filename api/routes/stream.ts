import { Router } from 'express';
import { z } from 'zod';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import { JnError } from '../../core/errors.ts';
import { EventHub, type EventHubOptions, type StreamEvent } from '../events.ts';
import { parseQuery, quote } from '../params.ts';
import { sendProblem } from '../problem.ts';
import { deviceOf } from '../siteDevices.ts';

export interface StreamOptions extends EventHubOptions {
  /** Streams open at once (default 50); beyond, 503 with Retry-After. */
  maxStreams?: number;
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
 * the connection open through proxies. At most `maxStreams` at once (503 with Retry-After beyond);
 * a client that stops reading is dropped once `maxUnreadBytes` wait for it, never buffered without bound.
 */
export function streamRoutes(options: StreamOptions): StreamRoutes {
  const hub = new EventHub(options);
  const site: LoadedSite = options.site;
  const maxStreams = options.maxStreams ?? 50;
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
    const finish = (how: 'end' | 'drop') => {
      if (closed) return;
      closed = true;
      clearInterval(beat);
      unlisten();
      open.delete(close);
      if (how === 'end') res.end();
      else res.destroy();
    };
    const close = () => finish('end');
    const write = (chunk: string) => {
      if (closed) return;
      res.write(chunk);
      // What waits in the response's and the socket's buffers: a reader that stopped leaves it growing.
      if (res.writableLength > maxUnread) finish('drop');
    };
    const send = (e: StreamEvent) => {
      if (devices && !e.devices.some((d) => devices.has(d))) return;
      write(`id: ${e.id}\nevent: ${e.type}\ndata: ${e.data}\n\n`);
    };
    open.add(close);
    res.on('close', close);
    write('retry: 3000\n: jieneng event stream\n\n');
    // Replay and listen in one synchronous step: no event can fall between them.
    const missed = header === undefined ? [] : hub.since(Number(header));
    if (missed === 'reset')
      write(
        `id: ${hub.lastId}\nevent: reset\ndata: ${JSON.stringify({ last_event_id: header, reason: 'the events after this id are no longer kept; reload the state, then read on' })}\n\n`,
      );
    else for (const e of missed) send(e);
    unlisten = hub.listen(send);
    beat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
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
