import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.ts';
import { createChannel } from './channels.ts';

/**
 * A 企业微信 robot stand-in on 127.0.0.1 that closes the connection under the first `drop`
 * requests without an answer (what a server does to a kept-alive connection it has just timed
 * out) and answers the rest {errcode: 0}.
 */
async function robot(drop: number): Promise<{ server: Server; url: string; got: string[] }> {
  const got: string[] = [];
  let seen = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      raw += c;
    });
    req.on('end', () => {
      seen++;
      if (seen <= drop) {
        req.socket.destroy();
        return;
      }
      got.push((JSON.parse(raw) as { markdown: { content: string } }).markdown.content);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cgi-bin/webhook/send?key=k`,
    got,
  };
}

let open: Server | undefined;
afterEach(async () => {
  if (open) await new Promise((r) => open?.close(r));
  open = undefined;
});

const message = { kind: 'raise', title: 't', text: 'x', text_en: 'x', markdown: '【重要】设备离线' };
const meta = { siteId: 'fz-demo', route: 'all' };
const channel = (url: string) =>
  createChannel({ id: 'wx', type: 'wecom', url } as never, {
    env: {},
    clock: systemClock,
    publish: async () => undefined,
  });

describe('a robot channel whose server closes the connection under the request', () => {
  it('sends again at once, once: the message arrives without waiting for the notifier’s retry', async () => {
    const r = await robot(1);
    open = r.server;
    await channel(r.url).send(message as never, meta as never);
    expect(r.got).toEqual(['【重要】设备离线']);
  });

  it('a second close is the send’s error, naming it (the notifier retries later), the key not shown', async () => {
    const r = await robot(2);
    open = r.server;
    await expect(channel(r.url).send(message as never, meta as never)).rejects.toThrow(
      /^no answer: (ECONNRESET|UND_ERR_SOCKET|EPIPE)$/,
    );
    expect(r.got).toEqual([]);
  });
});
