import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import express from 'express';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type StreamRoutes, streamRoutes } from '../api/routes/stream.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { topics } from '../core/topics.ts';
import { writeTestSite } from './helpers/site.ts';
import { openStream, type SseStream } from './helpers/sse.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * A client that stops reading is dropped, not buffered without bound, while a client that reads
 * gets every event. The stream router alone on real HTTP (no role matrix: that is tested with the
 * whole API), fed by real publishes on the test Mosquitto; big telemetry batches fill the socket's
 * buffers quickly.
 */
describe('GET /api/v1/stream with a client that stops reading', () => {
  const gw = `gw-slow-${process.pid}`;
  const { file } = writeTestSite({ modbusPort: 1, gatewayId: gw, devices: ['m1'] });
  const site = loadSite(file);
  let routes: StreamRoutes;
  let server: Server;
  let base: string;
  let pub: MqttClient;
  let seq = 0;
  const sockets: Socket[] = [];
  let reader: SseStream | undefined;

  /** A batch of `n` readings of m1 (about 130 bytes each on the stream). */
  const publishBig = (n: number) =>
    pub.publishAsync(
      topics.telemetry(gw),
      JSON.stringify({
        gateway: gw,
        seq: ++seq,
        sent_at: new Date().toISOString(),
        readings: Array.from({ length: n }, (_, i) => ({
          device: 'm1',
          point: 'active_power',
          value: seq * 100_000 + i,
          unit: 'W',
          ts: new Date(Date.UTC(2026, 11, 2, 2, 0, 0) + i).toISOString(),
          quality: 'good',
        })),
      }),
      { qos: 1 },
    );

  beforeAll(async () => {
    routes = streamRoutes({
      mqttUrl: inject('mosquittoUrl'),
      site,
      log: createLogger({ level: 'error' }),
      maxBytes: 8 * 1024 * 1024,
    });
    const app = express();
    app.use('/api/v1', routes.router);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/api/v1`;
    pub = await mqtt.connectAsync(inject('mosquittoUrl'), { clientId: `jn-test-slow-${process.pid}` });
    await routes.hub.ready();
  });
  afterAll(async () => {
    reader?.close();
    for (const s of sockets) s.destroy();
    await pub?.endAsync();
    await routes?.stop();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('drops the stalled client once its unread bytes pass the bound, and the reading one gets every event', async () => {
    reader = await openStream(`${base}/stream`);
    const stalled = connect(Number(new URL(base).port), '127.0.0.1');
    sockets.push(stalled);
    await new Promise<void>((resolve) => stalled.once('connect', () => resolve()));
    stalled.write('GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
    let head = '';
    await new Promise<void>((resolve) =>
      stalled.on('data', (chunk) => {
        head += chunk.toString('utf8');
        if (head.includes('\r\n\r\n')) {
          stalled.pause(); // reads nothing from here on
          resolve();
        }
      }),
    );
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    await waitFor('both streams open', () => routes.open() === 2);

    // Each batch is one event of ~260 kB; kernel buffers on loopback hold a few MB at most.
    let published = 0;
    await waitFor(
      'the stalled client to be dropped',
      async () => {
        if (routes.open() === 1) return true;
        await publishBig(2000);
        published++;
        return false;
      },
      { seen: () => ({ open: routes.open(), published }) },
    );
    await waitFor('the reader to get every batch', () => reader?.events.length === published, {
      seen: () => reader?.events.length,
    });
    const values = (reader?.events ?? []).map(
      (e) => (JSON.parse(e.data) as { readings: { value: number }[] }).readings.length,
    );
    expect(values.every((n) => n === 2000)).toBe(true);
    expect(reader?.ended).toBe(false);
  });
});

describe('GET /api/v1/stream heartbeat', () => {
  it('sends a comment line every heartbeat interval while nothing happens', async () => {
    const { file } = writeTestSite({ modbusPort: 1, gatewayId: `gw-beat-${process.pid}`, devices: ['m1'] });
    const routes = streamRoutes({
      mqttUrl: inject('mosquittoUrl'),
      site: loadSite(file),
      log: createLogger({ level: 'error' }),
      heartbeatMs: 100,
    });
    const app = express();
    app.use('/api/v1', routes.router);
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const addr = server.address();
    const s = await openStream(
      `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/api/v1/stream`,
    );
    try {
      await waitFor('two heartbeats', () => s.comments.filter((c) => c === 'heartbeat').length >= 2);
      expect(s.events).toEqual([]);
      expect(s.ended).toBe(false);
    } finally {
      s.close();
      await routes.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
