import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPCUACertificateManager, OPCUAServer, Variant } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import type { Reading } from '../core/telemetry.ts';
import { DeviceAvailability } from '../gateway/deviceAvailability.ts';
import { GatewayMetrics } from '../gateway/metrics.ts';
import { OpcuaSubscriber } from '../gateway/protocols/opcua/subscriber.ts';
import { connection, HVAC_VALUES, profiles } from './helpers/opcua.ts';
import { waitFor } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

const OBJECT = 'b1.ahu-1';
const DEVICE = 'b1-ahu-1';

/**
 * A node-opcua server with one AC unit whose electric power rises by 1 W every 100 ms — the value
 * a user would see freeze — and a way to silence every subscription without touching the session:
 * publishing is disabled on the server's side, so the client gets keepalive-only publish
 * responses, as from a server that froze the subscription.
 */
async function changingServer() {
  const port = await freePort();
  const pki = mkdtempSync(join(tmpdir(), 'jn-ua-silent-'));
  const server = new OPCUAServer({
    port,
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    resourcePath: '/jieneng',
    serverCertificateManager: new OPCUACertificateManager({
      rootFolder: join(pki, 'server'),
      automaticallyAcceptUnknownCertificate: true,
    }),
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error('no address space');
  const ns = addressSpace.registerNamespace('urn:jieneng:device-sims');
  const unit = ns.addObject({
    organizedBy: addressSpace.rootFolder.objects,
    browseName: OBJECT,
    nodeId: `s=${OBJECT}`,
  });
  let power = 1000;
  const ticker = setInterval(() => power++, 100);
  for (const [name, [dataType, dt, value]] of Object.entries(HVAC_VALUES))
    ns.addVariable({
      componentOf: unit,
      browseName: name,
      nodeId: `s=${OBJECT}.${name}`,
      dataType,
      minimumSamplingInterval: 100,
      value: {
        get: () => new Variant({ dataType: dt, value: name === 'ElectricPower' ? power : value }),
      },
    });
  await server.start();
  const subscriptions = () => server.engine.getSessions().flatMap((s) => s.publishEngine.subscriptions);
  return {
    port,
    power: () => power,
    subscriptions,
    sessions: () => server.engine.getSessions().length,
    /** Every subscription stops delivering data; sessions and channels stay up. */
    silence: () => {
      for (const sub of subscriptions()) sub.setPublishingMode(false);
    },
    stop: async () => {
      clearInterval(ticker);
      await server.shutdown(0);
    },
  };
}

/**
 * Issue 17: a subscription that stops delivering while its session lives is noticed by the
 * gateway (CurrentTime heartbeat), logged, counted, its readings and device marked, re-created —
 * and the changing value flows again by itself. Observed where a user sees it: readings, the log,
 * health counters, the device's availability and /metrics.
 */
describe('OPC UA: a silent subscription is found and re-created', () => {
  let server: Awaited<ReturnType<typeof changingServer>>;
  let sub: OpcuaSubscriber;
  let metrics: GatewayMetrics;
  const received: { at: number; reading: Reading }[] = [];
  const lines: string[] = [];
  const log = createLogger({ level: 'info', sink: { write: (l) => lines.push(l) } });
  const availability = new DeviceAvailability({ clock: systemClock, log });
  const power = (since: number) =>
    received.filter((r) => r.at >= since && r.reading.point === 'electric_power').map((r) => r.reading);
  const goodPower = (since: number) => power(since).filter((r) => r.quality === 'good');

  beforeAll(async () => {
    server = await changingServer();
    metrics = new GatewayMetrics('gw-silent', () => ({ batches: 0, bytes: 0, dropped: 0 }));
    sub = new OpcuaSubscriber({
      connection: connection(server.port, [OBJECT], { silence_after: '2s', poll_interval: '500ms' }),
      profiles: profiles(),
      clock: systemClock,
      log,
      emit: (readings) => {
        for (const reading of readings) received.push({ at: Date.now(), reading });
      },
      pkiDir: mkdtempSync(join(tmpdir(), 'jn-ua-client-')),
      availability,
      metrics,
    });
    await sub.start();
  });
  afterAll(async () => {
    await sub?.stop();
    await server?.stop();
  });

  it('sees a changing value flow, then a frozen subscription marked and re-created, then the value flow again', async () => {
    // Before: the value changes at the gateway.
    await waitFor('electric power changing', () => new Set(goodPower(0).map((r) => r.value)).size >= 5, {
      seen: () => power(0).length,
    });
    expect(sub.counters).toMatchObject({
      state: 'subscribed',
      silent_subscriptions: 0,
      silence_after_ms: 2000,
    });
    expect(sub.counters.heartbeat_refused).toBeUndefined();
    expect(availability.get(DEVICE)?.state).toBe('online');
    expect(server.subscriptions()).toHaveLength(1);
    const frozen = server.subscriptions()[0];

    const silencedAt = Date.now();
    server.silence();
    // The gap: found silent, logged naming the connection and how long, bad readings with the reason, device offline.
    await waitFor('the silent subscription logged', () =>
      lines.some((l) => l.includes('opcua subscription silent')),
    );
    const warn = lines.find((l) => l.includes('opcua subscription silent')) ?? '';
    expect(warn).toMatch(/warn/i);
    expect(warn).toContain('connection=hvac');
    const silentFor = Number(/silent_s=([\d.]+)/.exec(warn)?.[1]);
    expect(silentFor).toBeGreaterThanOrEqual(2);
    expect(silentFor).toBeLessThan(10);
    await waitFor('a bad reading naming the silence', () =>
      power(silencedAt).some((r) => r.quality === 'bad' && /silent for [\d.]+ s/.test(r.reason ?? '')),
    );
    expect(
      lines.some((l) => l.includes('device offline') && l.includes(DEVICE) && l.includes('silent')),
    ).toBe(true);
    expect(sub.counters.silent_subscriptions).toBe(1);
    expect(sub.counters.last_silence?.silent_ms).toBeGreaterThan(2000);
    const scraped = await metrics.registry.metrics();
    expect(scraped).toMatch(/jieneng_gateway_opcua_silent_subscriptions_total\{connection="hvac"\} 1/);
    // While frozen, the gateway published no good value of the changing point (values did not just look stuck).
    const gapStart = silencedAt + 1000; // a notification already in flight may land just after the freeze
    const firstBad = power(silencedAt).find((r) => r.quality === 'bad');
    const badAt = received.find((r) => r.reading === firstBad)?.at ?? Date.now();
    expect(goodPower(gapStart).filter((r) => Date.parse(r.ts) < badAt)).toHaveLength(0);

    // After: re-created on the same session, the value flows again, the device is back.
    await waitFor('electric power good again after the re-creation', () => {
      const after = goodPower(badAt);
      return new Set(after.map((r) => r.value)).size >= 3;
    });
    await waitFor('device back online', () => availability.get(DEVICE)?.state === 'online');
    expect(lines.some((l) => l.includes('opcua subscription re-created') && l.includes('silent'))).toBe(true);
    expect(sub.counters).toMatchObject({ state: 'subscribed', resubscriptions: 1, sessions_created: 1 });
    expect(server.sessions()).toBe(1);
    // The frozen subscription was deleted, a new one holds the items (and CurrentTime).
    expect(server.subscriptions()).toHaveLength(1);
    expect(server.subscriptions()[0]).not.toBe(frozen);
    const firstGoodAfter = received.find(
      (r) => r.at >= badAt && r.reading.point === 'electric_power' && r.reading.quality === 'good',
    );
    console.info(
      `opcua silent subscription: found ${badAt - silencedAt} ms after the freeze (silence_after 2 s), values again ${(firstGoodAfter?.at ?? 0) - badAt} ms after that`,
    );
    const latest = goodPower(badAt).at(-1)?.value as number;
    expect(latest).toBeGreaterThan(goodPower(0)[0]?.value as number);
    expect(server.power() - latest).toBeLessThan(50);
  }, 60_000);
});
