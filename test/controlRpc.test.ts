import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MqttControlPort } from '../api/controlClient.ts';
import { type RpcServer, startRpcServer } from '../control/rpcServer.ts';
import { ControlService } from '../control/service.ts';
import { ManualClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { controlMethodNames, controlRpcTopics } from '../core/control/rpc.ts';
import { JnError } from '../core/errors.ts';
import { createLogger } from '../core/log.ts';
import { topics } from '../core/topics.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * The control RPC server on a real Mosquitto, with the real control service behind it: whatever
 * arrives on the request topic gets an error reply naming what is wrong (or, with nowhere to
 * answer, nothing), never a crash; the warnings are rate-limited; the API's client gets the
 * service's answers and its error codes.
 */
describe('control rpc server', () => {
  const site = loadSite(join(import.meta.dirname, '../examples/demo-site.yaml'));
  // Its own topics: another control of the demo site on this broker would answer too.
  const siteId = `rpc-test-${process.pid}`;
  const lines: string[] = [];
  const log = createLogger({ level: 'warn', sink: { write: (l) => lines.push(l) } });
  let service: ControlService;
  let serverClient: MqttClient;
  let server: RpcServer;
  let probe: MqttClient;
  const replyTopic = controlRpcTopics.reply(siteId, `test-${process.pid}`);
  const replies = new Map<string, unknown>();
  const elsewhere: string[] = [];
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const mqttUrl = inject('mosquittoUrl');
    service = new ControlService({
      site,
      dbFile: join(mkdtempSync(join(tmpdir(), 'jn-rpc-')), 'control.db'),
      // No gateway here: nothing in this test writes a device.
      dispatcher: { write: async () => ({ status: 'failed', reason: 'no gateway in this test' }) },
      latest: () => undefined,
      clock: new ManualClock(Date.parse('2025-09-29T10:00:00+08:00')),
      log,
    });
    serverClient = await mqtt.connectAsync(mqttUrl, { protocolVersion: 5, clean: true });
    server = await startRpcServer({ client: serverClient, service, site: siteId, log });
    probe = await mqtt.connectAsync(mqttUrl, { protocolVersion: 5, clean: true });
    probe.on('message', (topic, payload, packet) => {
      if (topic !== replyTopic) return elsewhere.push(topic);
      const key = Buffer.from(packet.properties?.correlationData ?? []).toString('hex');
      replies.set(key, JSON.parse(payload.toString()));
    });
    // Where a forged request asks control to answer: a gateway's command topic.
    await probe.subscribeAsync([replyTopic, topics.command('gw-forged')], { qos: 1 });
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await server?.stop();
    await serverClient?.endAsync();
    await probe?.endAsync();
    service?.close();
  });

  /** A request as the API's client sends it: a fresh id and a deadline 5 s ahead. */
  const request = (method: string, args: unknown[], extra: object = {}) => ({
    method,
    args,
    id: randomBytes(16).toString('hex'),
    deadline: Date.now() + 5000,
    ...extra,
  });

  /** Publishes `payload` as a request and resolves with control's reply. */
  async function ask(payload: string | object, responseTopic = replyTopic): Promise<unknown> {
    const correlation = randomBytes(8);
    const key = correlation.toString('hex');
    await probe.publishAsync(
      controlRpcTopics.requests(siteId),
      typeof payload === 'string' ? payload : JSON.stringify(payload),
      { qos: 0, properties: { responseTopic, correlationData: correlation } },
    );
    await waitFor(`control's reply to ${JSON.stringify(payload).slice(0, 80)}`, () => replies.has(key));
    return replies.get(key);
  }

  const engineer = { user: '王工', role: 'engineer', via: 'session', scopes: [] };

  it('answers each malformed request with an error naming what is wrong, and still serves after them', async () => {
    expect(await ask('{"method": "points", ')).toEqual({
      ok: false,
      error: {
        code: 'bad_request',
        message: 'request is not JSON; expected {"method": …, "args": [...], "id": …, "deadline": …}',
      },
    });
    const unknown = (await ask(request('close', []))) as { error: { message: string } };
    expect(unknown).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(unknown.error.message).toContain(`methods are: ${controlMethodNames.join(', ')}`);
    expect(await ask(request('points', [], { as: 'admin' }))).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: expect.stringMatching(/Unrecognized key.*"as"/) },
    });
    const hot = (await ask(
      request('command', [
        {
          device: 'zonghe-lou-f1-3-ac',
          point: 'cooling_setpoint',
          priority: 8,
          value: 'hot',
          actor: engineer,
        },
      ]),
    )) as { error: { message: string } };
    expect(hot).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(hot.error.message).toMatch(/^command: args\.0\.value: /);
    const noActor = (await ask(request('deleteSchedule', ['x']))) as { error: { message: string } };
    expect(noActor.error.message).toMatch(
      /^deleteSchedule: args: Too small: expected array to have >=2 items/,
    );
    const rolePlay = (await ask(
      request('putCalendarOverride', [
        { date: '2025-10-09', type: 'holiday' },
        { ...engineer, role: 'root' },
      ]),
    )) as { error: { message: string } };
    expect(rolePlay.error.message).toMatch(/^putCalendarOverride: args\.1\.role: /);
    expect(service.calendar('2025-10-09', '2025-10-09')[0]).not.toHaveProperty('override_by');

    const points = (await ask(request('points', []))) as { ok: boolean; result: unknown[] };
    expect(points.ok).toBe(true);
    expect(points.result).toEqual(JSON.parse(JSON.stringify(service.points())));
    expect(points.result.length).toBeGreaterThan(0);
    // Six bad requests within a minute: one warning.
    expect(lines.filter((l) => l.includes('control rpc request refused'))).toHaveLength(1);
  });

  it('answers nowhere but a reply topic of the site: a request asking for a gateway’s command topic gets no reply', async () => {
    const before = server.counts().refused;
    const correlation = randomBytes(8);
    await probe.publishAsync(controlRpcTopics.requests(siteId), JSON.stringify({ method: 'now', args: [] }), {
      qos: 0,
      properties: { responseTopic: topics.command('gw-forged'), correlationData: correlation },
    });
    await probe.publishAsync(controlRpcTopics.requests(siteId), JSON.stringify({ method: 'now', args: [] }), {
      qos: 0,
    });
    await waitFor('both requests refused', () => server.counts().refused === before + 2);
    // A request after them is answered: its reply comes after anything control sent before it.
    expect(await ask(request('now', []))).toEqual({ ok: true, result: service.now() });
    expect(elsewhere).toEqual([]);
  });

  it('refuses cli and system actors over MQTT: only session and token callers come through the API', async () => {
    for (const via of ['cli', 'system']) {
      const forged = (await ask(
        request('putCalendarOverride', [
          { date: '2025-10-10', type: 'holiday' },
          { user: 'system', role: 'admin', via, scopes: ['safety'] },
        ]),
      )) as { ok: boolean; error: { code: string; message: string } };
      expect(forged).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      expect(forged.error.message).toBe(
        'putCalendarOverride: args.1.via: only session and token callers come through the API; cli and system act in-process, not over MQTT',
      );
    }
    expect(service.calendar('2025-10-10', '2025-10-10')[0]).not.toHaveProperty('override_by');
  });

  it('does not act on a request after its deadline, nor twice on one id', async () => {
    const holiday = (date: string) => [{ date, type: 'holiday' }, engineer];
    const overridden = (date: string) => service.calendar(date, date)[0]?.override_by;
    // The API gave up on it a second ago (its 503 is out): control does not act now.
    const late = (await ask(
      request('putCalendarOverride', holiday('2025-10-13'), { deadline: Date.now() - 1000 }),
    )) as {
      error: { code: string; message: string; zh: string };
    };
    expect(late).toMatchObject({ ok: false, error: { code: 'control_unavailable' } });
    expect(late.error.message).toMatch(
      /^putCalendarOverride: request reached control \d+ ms after its deadline, when the API no longer waited; not executed/,
    );
    expect(late.error.zh).toContain('未执行');
    expect(overridden('2025-10-13')).toBeUndefined();
    // A deadline far ahead would keep its id in memory for long: refused.
    const far = (await ask(request('now', [], { deadline: Date.now() + 3_600_000 }))) as {
      error: { message: string };
    };
    expect(far).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(far.error.message).toMatch(/^now: deadline .* is more than 300 s ahead of control's clock/);
    // Executed once; undone; the same request again (a replay) does not set it again.
    const once = request('putCalendarOverride', holiday('2025-10-14'));
    expect(await ask(once)).toMatchObject({ ok: true });
    expect(overridden('2025-10-14')).toBe('王工');
    expect(await ask(request('deleteCalendarOverride', ['2025-10-14', engineer]))).toMatchObject({
      ok: true,
    });
    const replay = (await ask(once)) as { error: { code: string; message: string } };
    expect(replay).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(replay.error.message).toBe(
      `putCalendarOverride: request id ${once.id} was received before; a request is executed once, not again`,
    );
    expect(overridden('2025-10-14')).toBeUndefined();
  });

  it('serves the API’s client: the service’s answers, its error codes, and control_unavailable when nobody answers', async () => {
    const mqttUrl = inject('mosquittoUrl');
    const client = new MqttControlPort({ mqttUrl, site: siteId, log });
    closers.push(() => client.stop());
    await waitFor(
      'the client answered once',
      async () => (await Promise.resolve(client.now()).catch(() => 0)) > 0,
    );
    expect(client.status().state).toBe('running');
    expect(await client.points()).toEqual(JSON.parse(JSON.stringify(service.points())));
    const created = await client.putSchedule(
      {
        id: 'rpc-precool',
        name: '会议中心 预冷',
        group: 'dangan-office-ac',
        point: 'cooling_setpoint',
        priority: 15,
        week: { workday: [{ at: '07:30', value: 26 }] },
      },
      { user: '王工', role: 'engineer', via: 'session', scopes: [] },
    );
    expect(created.problems).toEqual([]);
    expect((await client.schedules()).find((s) => s.schedule.id === 'rpc-precool')).toMatchObject({
      updated_by: '王工',
    });
    // The service's own JnError travels with its code and words, as the routes would get it in-process.
    const local = await Promise.resolve()
      .then(() => service.schedule('no-such-schedule'))
      .catch((e: unknown) => e);
    const remote = await Promise.resolve(client.schedule('no-such-schedule')).catch((e: unknown) => e);
    expect(local).toBeInstanceOf(JnError);
    expect(remote).toBeInstanceOf(JnError);
    expect(remote).toMatchObject({ code: 'not_found', message: (local as JnError).message });
    // NaN is null in JSON: control refuses it, and the client throws the code control answered.
    const refused = await Promise.resolve(client.preview(Number.NaN, 0)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(JnError);
    expect(refused).toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/^preview: args\.0: /),
    });

    const orphan = new MqttControlPort({ mqttUrl, site: 'no-such-site', log, shortTimeoutMs: 300 });
    closers.push(() => orphan.stop());
    await waitFor('the orphan client connected', () => orphan.status().detail?.broker_connected === true);
    let unavailable: unknown;
    await waitFor('a request past the broker', async () => {
      unavailable = await Promise.resolve(orphan.points()).catch((e: unknown) => e);
      return (unavailable as JnError).message.includes('did not answer');
    });
    expect(unavailable).toMatchObject({
      code: 'control_unavailable',
      message:
        'control did not answer over MQTT within 0.3 s (points); is jieneng control running for site "no-such-site" and connected to the broker?',
    });
    expect(orphan.status()).toMatchObject({ state: 'degraded' });
  });
});
