import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from '../cli/broker.ts';
import { clientIdPrefix, sitePrincipals } from '../core/mqtt/acl.ts';
import { mqttClientOptions } from '../core/mqtt/connection.ts';
import { BrokerGuard } from '../core/mqtt/guard.ts';
import { topics } from '../core/topics.ts';
import { capturingLogger, writeClosedSite, writeMosquittoFiles } from './helpers/closedSite.ts';
import { waitFor } from './helpers/wait.ts';
import { startMosquitto, type TestMosquitto } from './servers/mosquitto.ts';

/** The client id prefix of principal `user` of the test site (the embedded broker checks it). */
function clientIdOf(user: string): string {
  const p = sitePrincipals(['gw-a', 'gw-b']).find((q) => q.user === user);
  return p ? clientIdPrefix(p, 'test-site') : `jn-unknown-${user}`;
}

/** One broker closed by the site's ACL: Mosquitto with `jieneng mqtt acl`'s files, or the embedded aedes. */
interface Bench {
  url: string;
  /** MQTT 5 on Mosquitto (PUBACK reason codes); aedes speaks 3.1.1 and closes a refused publisher's connection. */
  protocolVersion: 4 | 5;
  password(user: string): string;
  refusals?: () => { connect: number; publish: number; subscribe: number };
  lines: string[];
  stop(): Promise<void>;
}

async function mosquittoBench(): Promise<Bench> {
  const { dir, file, secrets } = await writeClosedSite();
  const { passwd, acl } = await writeMosquittoFiles(file, dir);
  const broker: TestMosquitto = await startMosquitto({ passwordFile: passwd, aclFile: acl });
  return {
    url: broker.url,
    protocolVersion: 5,
    password: (u) => secrets.mqtt.get(u) ?? '',
    lines: [],
    stop: () => broker.stop(),
  };
}

async function aedesBench(): Promise<Bench> {
  const { site, secrets } = await writeClosedSite();
  const { log, lines } = capturingLogger();
  const guard = new BrokerGuard({ log });
  guard.configure({ siteId: site.config.site.id, gatewayIds: ['gw-a', 'gw-b'] }, secrets.mqtt);
  const broker: EmbeddedBroker = await startEmbeddedBroker({ port: 0, log, guard });
  return {
    url: broker.url,
    protocolVersion: 4,
    password: (u) => secrets.mqtt.get(u) ?? '',
    refusals: broker.refusals,
    lines,
    stop: () => broker.stop(),
  };
}

describe.each([
  ['Mosquitto with the files of jieneng mqtt acl', mosquittoBench],
  ['the embedded broker (aedes)', aedesBench],
])('%s', (_name, make) => {
  let bench: Bench;
  const clients: MqttClient[] = [];
  let n = 0;
  beforeAll(async () => {
    bench = await make();
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await bench?.stop();
  });

  const options = (user: string, password = bench.password(user)) =>
    mqttClientOptions(
      { username: user, password },
      {
        clientId: `${clientIdOf(user)}-acl-test-${n++}`,
        reconnectPeriod: 0,
        protocolVersion: bench.protocolVersion,
      },
    );
  const login = async (user: string) => {
    const c = await mqtt.connectAsync(bench.url, options(user));
    clients.push(c);
    return c;
  };
  /** A client that keeps every message it gets, by topic. */
  const listener = async (user: string, filters: string[]) => {
    const c = await login(user);
    const got: { topic: string; payload: string }[] = [];
    c.on('message', (topic, p) => got.push({ topic, payload: p.toString() }));
    // One at a time: mqtt.js rejects a whole SUBSCRIBE when the broker refuses one of its filters.
    const granted: number[] = [];
    for (const f of filters)
      granted.push(
        await c.subscribeAsync(f, { qos: 1 }).then(
          (g) => g[0]?.qos ?? -1,
          () => 128,
        ),
      );
    return { c, got, granted };
  };
  /** Publishes what the ACL must refuse, and waits until the broker has dealt with it. */
  const forge = async (user: string, topic: string, payload: string) => {
    const c = await login(user);
    if (bench.protocolVersion === 5) {
      // Mosquitto: MQTT 5 PUBACK reason 0x87, not authorized.
      await expect(c.publishAsync(topic, payload, { qos: 1 })).rejects.toMatchObject({ code: 0x87 });
      return;
    }
    // aedes (MQTT 3.1.1 has no reason code): the broker closes the connection of a refused publish.
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.publish(topic, payload, { qos: 1 });
    await closed;
  };

  it('refuses a wrong password, a missing one and an unknown user at CONNACK', async () => {
    for (const [user, password] of [
      ['gateway-gw-a', 'not-the-password'],
      ['gateway-gw-a', ''],
      ['intruder', 'whatever-it-is'],
    ] as const)
      await expect(mqtt.connectAsync(bench.url, options(user, password)), user).rejects.toThrow(
        /Not authorized|Bad username or password/,
      );
    await expect(
      mqtt.connectAsync(bench.url, { reconnectPeriod: 0, protocolVersion: bench.protocolVersion }),
    ).rejects.toThrow(/Not authorized|Bad username or password/);
    if (bench.refusals) expect(bench.refusals().connect).toBeGreaterThanOrEqual(4);
    expect(bench.lines.join('')).not.toContain('not-the-password');
    // Positive control: the right password gets in.
    expect((await login('gateway-gw-a')).connected).toBe(true);
  });

  it("does not deliver gateway-a's publish on gateway-b's telemetry, but its own", async () => {
    const collector = await listener('collector', [topics.telemetry('gw-a'), topics.telemetry('gw-b')]);
    await forge('gateway-gw-a', topics.telemetry('gw-b'), 'forged');
    const own = await login('gateway-gw-a');
    await own.publishAsync(topics.telemetry('gw-a'), 'own', { qos: 1 });
    await waitFor("gw-a's own telemetry at the collector", () => collector.got.length > 0, {
      seen: () => collector.got,
    });
    expect(collector.got).toEqual([{ topic: topics.telemetry('gw-a'), payload: 'own' }]);
    if (bench.refusals) {
      expect(bench.refusals().publish).toBeGreaterThanOrEqual(1);
      expect(bench.lines.join('')).toMatch(
        /mqtt publish refused .*user=gateway-gw-a topic=jn\/v1\/gw-b\/telemetry/,
      );
    }
  });

  it("gives a gateway nothing of another gateway's command topic", async () => {
    const gwA = await listener('gateway-gw-a', [topics.command('gw-b'), topics.command('gw-a')]);
    // aedes refuses the subscription (0x80); Mosquitto 2.0 grants it and checks each message.
    if (bench.protocolVersion === 4) expect(gwA.granted).toEqual([128, 1]);
    const control = await login('control');
    await control.publishAsync(topics.command('gw-b'), 'for b', { qos: 1 });
    await control.publishAsync(topics.command('gw-a'), 'for a', { qos: 1 });
    await waitFor('the command for gw-a', () => gwA.got.length > 0, { seen: () => gwA.got });
    expect(gwA.got).toEqual([{ topic: topics.command('gw-a'), payload: 'for a' }]);
  });

  it('lets only control command a gateway: the collector cannot', async () => {
    const gwA = await listener('gateway-gw-a', [topics.command('gw-a')]);
    await forge('collector', topics.command('gw-a'), 'forged by the collector');
    await forge('gateway-gw-b', topics.command('gw-a'), 'forged by gw-b');
    const control = await login('control');
    await control.publishAsync(topics.command('gw-a'), 'from control', { qos: 1 });
    await waitFor('the command from control', () => gwA.got.length > 0, { seen: () => gwA.got });
    expect(gwA.got.map((m) => m.payload)).toEqual(['from control']);
  });
});
