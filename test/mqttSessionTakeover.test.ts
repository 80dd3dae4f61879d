import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from '../cli/broker.ts';
import { sitePrincipals } from '../core/mqtt/acl.ts';
import { mqttClientOptions } from '../core/mqtt/connection.ts';
import { BrokerGuard } from '../core/mqtt/guard.ts';
import { topics } from '../core/topics.ts';
import { capturingLogger } from './helpers/closedSite.ts';
import { waitFor } from './helpers/wait.ts';

const siteId = 's1';

/**
 * The review's attack on the embedded broker (issue 15): a principal logging in with another's
 * client id takes that id's session — its subscriptions and queued messages — and drops the client
 * that held it. Real aedes on 127.0.0.1, real mqtt.js clients.
 */
describe('the embedded broker: no principal takes another’s session', () => {
  let broker: EmbeddedBroker;
  let guard: BrokerGuard;
  let lines: string[];
  let passwords: Map<string, string>;
  const clients: MqttClient[] = [];

  beforeEach(async () => {
    const captured = capturingLogger();
    lines = captured.lines;
    passwords = new Map(
      sitePrincipals(['gw-a', 'gw-b']).map((p) => [p.user, randomBytes(18).toString('base64url')]),
    );
    guard = new BrokerGuard({ log: captured.log });
    guard.configure({ siteId, gatewayIds: ['gw-a', 'gw-b'] }, passwords);
    broker = await startEmbeddedBroker({ port: 0, log: captured.log, guard });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.end(true);
    await broker.stop();
  });

  const options = (user: string, clientId: string, extra: IClientOptions = {}) =>
    mqttClientOptions(
      { username: user, password: passwords.get(user) ?? '' },
      { clientId, reconnectPeriod: 0, ...extra },
    );
  const connect = async (user: string, clientId: string, extra: IClientOptions = {}) => {
    const c = await mqtt.connectAsync(broker.url, options(user, clientId, extra));
    clients.push(c);
    return c;
  };

  it("refuses gateway-gw-a under the collector's id, so the collector's queue stays the collector's", async () => {
    const collectorId = `jn-collector-${siteId}`;
    const first = await connect('collector', collectorId, { clean: false });
    await first.subscribeAsync(topics.telemetry('gw-b'), { qos: 1 });
    await first.endAsync();
    const gwB = await connect('gateway-gw-b', 'jn-gateway-gw-b');
    await gwB.publishAsync(topics.telemetry('gw-b'), 'queued for the collector', { qos: 1 });

    const got: string[] = [];
    const impostor = mqtt.connectAsync(broker.url, options('gateway-gw-a', collectorId, { clean: false }));
    await expect(impostor).rejects.toThrow(/Identifier rejected/);
    expect(lines.join('')).toMatch(
      /mqtt connect refused client_id=jn-collector-s1 .*user=gateway-gw-a reason="client id \\"jn-collector-s1\\" is collector's: gateway-gw-a connects as jn-gateway-gw-a or jn-gateway-gw-a-…"/,
    );
    expect(broker.refusals().connect).toBe(1);

    // The collector itself gets its session back, with what was queued for it.
    const again = mqtt.connect(broker.url, options('collector', collectorId, { clean: false }));
    clients.push(again);
    again.on('message', (_t, p) => got.push(p.toString()));
    await waitFor('the queued telemetry at the collector', () => got.length > 0, { seen: () => got });
    expect(got).toEqual(['queued for the collector']);
  });

  it("refuses gateway-gw-a under gw-b's id, and gw-b stays connected", async () => {
    const gwB = await connect('gateway-gw-b', 'jn-gateway-gw-b');
    let closed = 0;
    gwB.on('close', () => closed++);
    await expect(mqtt.connectAsync(broker.url, options('gateway-gw-a', 'jn-gateway-gw-b'))).rejects.toThrow(
      /Identifier rejected/,
    );

    // gw-b's connection is the one it had: what it publishes now reaches the collector.
    const collector = await connect('collector', `jn-collector-${siteId}`);
    const got: string[] = [];
    collector.on('message', (_t, p) => got.push(p.toString()));
    await collector.subscribeAsync(topics.telemetry('gw-b'), { qos: 1 });
    await gwB.publishAsync(topics.telemetry('gw-b'), 'still gw-b', { qos: 1 });
    await waitFor("gw-b's telemetry after the impostor", () => got.length > 0, { seen: () => got });
    expect(got).toEqual(['still gw-b']);
    expect(closed).toBe(0);
    expect(gwB.connected).toBe(true);
  });

  it('drops a queued message the receiver may no longer read (a reload that removed its gateway)', async () => {
    const collectorId = `jn-collector-${siteId}-host`;
    const first = await connect('collector', collectorId, { clean: false });
    await first.subscribeAsync([topics.telemetry('gw-b'), topics.telemetry('gw-a')], { qos: 1 });
    await first.endAsync();
    const gwB = await connect('gateway-gw-b', 'jn-gateway-gw-b');
    await gwB.publishAsync(topics.telemetry('gw-b'), 'from gw-b', { qos: 1 });
    const gwA = await connect('gateway-gw-a', 'jn-gateway-gw-a');
    await gwA.publishAsync(topics.telemetry('gw-a'), 'from gw-a', { qos: 1 });
    // gw-b leaves the site: the collector's session still holds its subscription and message.
    guard.configure({ siteId, gatewayIds: ['gw-a'] }, passwords);

    const again = mqtt.connect(broker.url, options('collector', collectorId, { clean: false }));
    clients.push(again);
    const got: string[] = [];
    again.on('message', (_t, p) => got.push(p.toString()));
    // Queued in this order: once gw-a's message is here, gw-b's would have come before it.
    await waitFor("gw-a's queued telemetry", () => got.includes('from gw-a'), { seen: () => got });
    expect(got).toEqual(['from gw-a']);
    expect(broker.refusals().deliver).toBeGreaterThanOrEqual(1);
    expect(lines.join('')).toMatch(/mqtt deliver refused .*user=collector topic=jn\/v1\/gw-b\/telemetry/);
  });
});
