import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from './openStore.ts';

/**
 * Token authentication, as InfluxDB 2.x and 3.x take it on their v1-compatible endpoints. Neither
 * runs here (Debian ships InfluxDB 1.6.7, which has no tokens), so a loopback HTTP server stands in
 * for them: it answers /query and /write as InfluxDB does and records each request's credentials.
 */
describe('InfluxDB credentials', () => {
  const seen: { path: string; authorization: string | undefined; query: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ path: url.pathname, authorization: req.headers.authorization, query: url.search });
    req.resume();
    req.on('end', () => {
      if (url.pathname === '/write') {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ results: [{ statement_id: 0 }] }));
    });
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const write = (store: ReturnType<typeof createStore>) =>
    store.writeReadings([
      { site: 's', device: 'd', point: 'p', value: 1, ts: Date.UTC(2026, 10, 26), quality: 'good' },
    ]);

  it('sends INFLUX_TOKEN as "Authorization: Token …" on every query and write, and no password', async () => {
    seen.length = 0;
    const store = createStore({
      influxUrl: `${base}/jieneng`,
      dataDir: '/nonexistent',
      env: { INFLUX_TOKEN: 'tok-123' },
    });
    await store.open();
    await write(store);
    expect(seen.map((r) => r.path)).toContain('/write');
    expect(seen.map((r) => r.path)).toContain('/query');
    for (const r of seen) {
      expect(r.authorization).toBe('Token tok-123');
      expect(r.query).not.toMatch(/[?&][up]=/);
    }
  });

  it('sends the URL user and password as Basic auth without a token', async () => {
    seen.length = 0;
    const store = createStore({
      influxUrl: `${base.replace('://', '://jn:s%40cret@')}/jieneng`,
      dataDir: '/x',
      env: {},
    });
    await store.open();
    await write(store);
    const basic = `Basic ${Buffer.from('jn:s@cret').toString('base64')}`;
    expect(seen.length).toBeGreaterThan(1);
    for (const r of seen) expect(r.authorization).toBe(basic);
  });

  it('refuses a token and a URL user together, saying which to drop', () => {
    expect(() =>
      createStore({
        influxUrl: `${base.replace('://', '://jn:pw@')}/jieneng`,
        dataDir: '/x',
        env: { INFLUX_TOKEN: 't' },
      }),
    ).toThrow(/both a token \(INFLUX_TOKEN\) and a user in the URL/);
  });
});
