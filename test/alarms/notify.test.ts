import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import mqtt from 'mqtt';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { redactUrls } from '../../alarms/notify/channels.ts';
import { createNotifier, type Notifier } from '../../alarms/notify/index.ts';
import { RETRY_DELAYS_MS } from '../../alarms/notify/schedule.ts';
import { printable } from '../../cli/alarmsCommand.ts';
import { AlarmDb } from '../../core/alarms/db.ts';
import type { AlarmEvent, Condition } from '../../core/alarms/model.ts';
import { NotificationLog } from '../../core/alarms/notificationLog.ts';
import { alarmsSchema } from '../../core/alarms/schema.ts';
import { ManualClock } from '../../core/clock.ts';
import { type LoadedSite, loadSite } from '../../core/config/loadSite.ts';
import { createLogger } from '../../core/log.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * Notifications (issue 17) end to end against LOCAL receivers: a loopback HTTP server stands in for
 * the 企业微信 and 钉钉 robot servers (and a generic webhook) — it checks each robot's documented body
 * and DingTalk's 加签 signature and answers like them (errcode 0, or a failure); smtp-server stands
 * in for the mail server; the test Mosquitto is the broker. Alarms are real: AlarmDb on a temp file.
 */

const T0 = Date.parse('2026-03-02T09:00:00+08:00');
const MIN = 60_000;
const SECRET = 'SECtest0123456789abcdef';

interface Hit {
  name: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  at: number;
}
/** Each receiver name answers from its script (then errcode 0): a status code or a robot errcode. */
const scripts = new Map<string, ({ status: number } | { errcode: number; errmsg: string })[]>();
const hits: Hit[] = [];
let http: Server;
let base: string;
const mails: { subject: string; text: string; html: string; to: string }[] = [];
let smtp: SMTPServer;
let smtpUrl: string;

beforeAll(async () => {
  http = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      raw += c;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const name = url.pathname.split('/')[1] ?? '';
      hits.push({
        name,
        query: url.searchParams,
        body: JSON.parse(raw) as Record<string, unknown>,
        at: Date.now(),
      });
      if (name.startsWith('hang')) return; // a robot server that never answers
      const next = scripts.get(name)?.shift() ?? { errcode: 0, errmsg: 'ok' };
      if ('status' in next) {
        res.writeHead(next.status).end('server error');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(next));
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      simpleParser(stream)
        .then((m) => {
          mails.push({
            subject: m.subject ?? '',
            text: m.text ?? '',
            html: typeof m.html === 'string' ? m.html : '',
            to: session.envelope.rcptTo.map((r) => r.address).join(','),
          });
          done();
        })
        .catch(done);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  http.closeAllConnections();
  await new Promise((r) => http.close(r));
  await new Promise((r) => smtp.close(() => r(undefined)));
});

const sites = new Map<string, LoadedSite>();
function site(alarms: unknown): LoadedSite {
  const s = sites.get('demo') ?? loadSite('examples/demo-site.yaml');
  sites.set('demo', s);
  return { ...s, config: { ...s.config, alarms: alarmsSchema.parse(alarms) } };
}

function setup(alarms: unknown, options: { env?: NodeJS.ProcessEnv; file?: string; start?: number } = {}) {
  const file = options.file ?? join(mkdtempSync(join(tmpdir(), 'jn-notify-')), 'alarms.db');
  const db = new AlarmDb(file, 'Asia/Shanghai');
  const clock = new ManualClock(options.start ?? T0);
  const lines: string[] = [];
  const published: { topic: string; payload: string }[] = [];
  const notifier = createNotifier({
    site: site(alarms),
    db,
    clock,
    log: createLogger({ sink: { write: (l) => lines.push(l) }, level: 'debug' }),
    publish: async (topic, payload) => {
      published.push({ topic, payload });
    },
    env: options.env ?? {},
  });
  const log = new NotificationLog(db, 'Asia/Shanghai');
  const condition = (key: string, active: boolean, extra: Partial<Condition> = {}): Condition => ({
    rule: 'device_offline',
    key,
    active,
    at: new Date(clock.now()).toISOString(),
    message: `${key} does not answer`,
    message_zh: `${key} 无应答`,
    device: key,
    building: 'zonghe-lou',
    ...extra,
  });
  /** A detector's condition through the alarm database, its transitions handed to the notifier (as the engine does). */
  const observe = (key: string, active: boolean, extra: Partial<Condition> = {}): AlarmEvent[] => {
    const events = db.observe(condition(key, active, extra), {
      now: clock.now(),
      severity: 'major',
      holdOffMs: 10 * MIN,
    });
    notifier.onEvents(events);
    return events;
  };
  return { db, clock, lines, published, notifier, log, observe, file };
}

const hitsOf = (name: string) => hits.filter((h) => h.name === name);
const settle = (n: Notifier, now: number) => n.tick(now);

describe('alarm notifications', () => {
  it('sends a raise to 企业微信, 钉钉 (signed), a webhook and e-mail with their documented bodies, in Chinese first', async () => {
    const t = setup(
      {
        channels: [
          { id: 'wx', type: 'wecom', url_env: 'WECOM_URL' },
          {
            id: 'dd',
            type: 'dingtalk',
            url: `${base}/dd1/robot/send?access_token=tok`,
            secret_env: 'DD_SECRET',
          },
          { id: 'hook', type: 'webhook', url: `${base}/hook1` },
          {
            id: 'mail',
            type: 'email',
            smtp_url: smtpUrl,
            from: 'jieneng@example.cn',
            to: ['duty1@example.cn'],
          },
        ],
        routes: [{ id: 'all', channels: ['wx', 'dd', 'hook', 'mail'] }],
        digest: { channels: ['hook'] },
      },
      { env: { WECOM_URL: `${base}/wx1/cgi-bin/webhook/send?key=k1`, DD_SECRET: SECRET } },
    );
    const [raised] = t.observe('ahu-1', true);
    const id = raised?.alarm.id as number;
    await waitFor(
      'the four deliveries sent',
      () => t.log.list({ status: 'sent', alarmId: id }).length === 4,
      {
        seen: () => t.log.list({ alarmId: id }),
      },
    );

    const [wx] = hitsOf('wx1');
    expect(wx?.query.get('key')).toBe('k1');
    expect(wx?.body.msgtype).toBe('markdown');
    expect(Object.keys(wx?.body ?? {})).toEqual(['msgtype', 'markdown']);
    const content = (wx?.body.markdown as { content: string } | undefined)?.content;
    expect(content).toContain('【重要】设备离线 · ahu-1');
    expect(content).toContain('综合办公楼（zonghe-lou）');
    expect(content).toContain('2026-03-02 09:00:00');

    const [dd] = hitsOf('dd1');
    const ts = dd?.query.get('timestamp') as string;
    const expected = createHmac('sha256', SECRET).update(`${ts}\n${SECRET}`).digest('base64');
    // URLSearchParams decodes the url-encoded sign: compare with the raw base64.
    expect(dd?.query.get('sign')).toBe(expected);
    expect(dd?.query.get('access_token')).toBe('tok');
    expect(dd?.body).toMatchObject({ msgtype: 'markdown', markdown: { title: '【重要】设备离线 · ahu-1' } });
    expect((dd?.body.markdown as { text: string } | undefined)?.text).toContain('ahu-1 无应答');

    const [hook] = hitsOf('hook1');
    expect(hook?.body).toMatchObject({
      kind: 'raise',
      site: 'fz-demo',
      route: 'all',
      event: { transition: { action: 'raise' }, alarm: { id, rule: 'device_offline', severity: 'major' } },
    });
    expect(hook?.body.text).toContain('内容：ahu-1 无应答');
    expect(hook?.body.text_en).toContain('[major] device_offline raised: ahu-1 does not answer');

    await waitFor('the mail', () => mails.some((m) => m.to === 'duty1@example.cn'));
    const mail = mails.find((m) => m.to === 'duty1@example.cn');
    expect(mail?.subject).toBe('【重要】设备离线 · ahu-1');
    expect(mail?.text).toContain('建筑：综合办公楼（zonghe-lou）');
    expect(mail?.html).toContain('<th align="left">发生时间</th><td>2026-03-02 09:00:00</td>');

    const [d] = t.log.list({ alarmId: id, status: 'sent' });
    expect(d).toMatchObject({ attempts: 1, error: null, created_at: '2026-03-02T09:00:00+08:00' });
    expect(d?.sent_at).toBe('2026-03-02T09:00:00+08:00');

    // Acknowledged: said with who; cleared: said too.
    t.db.acknowledge(id, '王工', '已派人查看', T0 + 2 * MIN);
    t.notifier.onEvents(t.db.since(raised?.transition.seq as number));
    await waitFor('the acknowledgement sent', () => hitsOf('hook1').length === 2);
    expect(hitsOf('hook1')[1]?.body.text).toContain('确认人：王工');
    expect(hitsOf('hook1')[1]?.body.title).toBe('【已确认】【重要】设备离线 · ahu-1');
    await t.notifier.stop();
  });

  it('retries a robot that fails (HTTP 500, then errcode 310000), keeps the failure with its errors and shows it; the other channel gets its message', async () => {
    scripts.set('wxbad', [
      { status: 500 },
      ...Array.from({ length: 10 }, () => ({ errcode: 310000, errmsg: 'keywords not in content' })),
    ]);
    const t = setup({
      channels: [
        { id: 'wx', type: 'wecom', url: `${base}/wxbad/send?key=k` },
        { id: 'dd', type: 'dingtalk', url: `${base}/ddok/send?access_token=t` },
      ],
      routes: [{ id: 'ops', channels: ['wx', 'dd'] }],
      digest: { at: '20:00', channels: ['dd'] },
    });
    const started = performance.now();
    const [raised] = t.observe('pump-2', true);
    // onEvents queues and returns: the alarm engine does not wait for a robot.
    expect(performance.now() - started).toBeLessThan(200);
    const id = raised?.alarm.id as number;
    await waitFor('the good robot answered and the bad one tried once', () => {
      const l = t.log.list({ alarmId: id });
      return (
        l.some((d) => d.channel === 'dd' && d.status === 'sent') &&
        l.some((d) => d.channel === 'wx' && d.attempts === 1)
      );
    });
    const first = t.log.list({ alarmId: id }).find((d) => d.channel === 'wx');
    expect(first).toMatchObject({ status: 'pending', next_at: '2026-03-02T09:00:30+08:00' });
    expect(first?.error).toContain('HTTP 500');
    // Nothing is tried before its time (30 s after the first attempt).
    t.clock.advance(29_000);
    await t.notifier.tick(t.clock.now());
    expect(hitsOf('wxbad')).toHaveLength(1);
    t.clock.advance(1_000);
    await t.notifier.tick(t.clock.now());
    expect(hitsOf('wxbad')).toHaveLength(2);
    for (const wait of RETRY_DELAYS_MS.slice(1)) {
      t.clock.advance(wait);
      await settle(t.notifier, t.clock.now());
    }
    expect(hitsOf('wxbad')).toHaveLength(RETRY_DELAYS_MS.length + 1);
    const [failed] = t.log.list({ status: 'failed' });
    expect(failed).toMatchObject({ channel: 'wx', alarm_id: id, attempts: 7, route: 'ops' });
    expect(failed?.error).toMatch(/attempt 1 at 2026-03-02T09:00:00\+08:00: HTTP 500/);
    expect(failed?.error).toContain('attempt 7');
    expect(failed?.error).toContain('errcode 310000: keywords not in content');
    expect(t.notifier.status()).toMatchObject({ failed: 1, pending: 0 });
    expect(t.notifier.status().last_error).toContain('errcode 310000');
    expect(
      t.lines.some((l) => l.includes('notification failed, no more retries') && l.includes('channel=wx')),
    ).toBe(true);
    expect(hitsOf('ddok')).toHaveLength(1);
    await t.notifier.stop();
  });

  it('a channel whose secret is missing is a config problem in the log and in health; its deliveries fail at once, others are sent', async () => {
    const t = setup({
      channels: [
        { id: 'wx', type: 'wecom', url_env: 'NO_SUCH_WECOM_URL' },
        { id: 'hook', type: 'webhook', url: `${base}/hook3` },
      ],
      routes: [{ id: 'ops', channels: ['wx', 'hook'] }],
      digest: { channels: ['hook'] },
    });
    expect(t.notifier.status().problems).toEqual([
      expect.stringContaining('channel "wx" (wecom): url: environment variable NO_SUCH_WECOM_URL is not set'),
    ]);
    expect(t.lines.some((l) => l.includes('ERROR') && l.includes('NO_SUCH_WECOM_URL'))).toBe(true);
    const [raised] = t.observe('fan-3', true);
    const id = raised?.alarm.id as number;
    await waitFor('the webhook', () => hitsOf('hook3').length === 1);
    const failed = t.log.list({ alarmId: id, status: 'failed' });
    expect(failed.map((d) => d.channel).sort()).toEqual(['wx']);
    expect(failed.find((d) => d.channel === 'wx')?.error).toContain('NO_SUCH_WECOM_URL');
    await t.notifier.stop();
  });

  it('a route naming a channel that is not there is refused when the site file is read, naming it', () => {
    const r = alarmsSchema.safeParse({
      channels: [{ id: 'hook', type: 'webhook', url: `${base}/x` }],
      routes: [{ id: 'ops', channels: ['hook', 'gone'], escalate_after: '30min', escalate_to: 'chief' }],
      digest: { channels: ['mail'] },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'routes.0.channels.1: no channel "gone"; channels are: hook',
      'routes.0.escalate_to: no route "chief"; routes are: ops',
      'digest.channels.0: no channel "mail"; channels are: hook',
    ]);
  });

  it('what was pending when the service stopped is sent after a restart', async () => {
    scripts.set('hook4', [{ status: 503 }]);
    const first = setup({
      channels: [{ id: 'hook', type: 'webhook', url: `${base}/hook4` }],
      routes: [{ id: 'ops', channels: ['hook'] }],
      digest: { at: '20:00', channels: ['hook'] },
    });
    const [raised] = first.observe('chiller-1', true);
    const id = raised?.alarm.id as number;
    await waitFor('the first attempt', () => first.log.list({ alarmId: id })[0]?.attempts === 1);
    await first.notifier.stop();
    first.db.close();
    const second = setup(
      {
        channels: [{ id: 'hook', type: 'webhook', url: `${base}/hook4` }],
        routes: [{ id: 'ops', channels: ['hook'] }],
        digest: { at: '20:00', channels: ['hook'] },
      },
      { file: first.file, start: T0 + (RETRY_DELAYS_MS[0] ?? 0) },
    );
    await second.notifier.tick(second.clock.now());
    expect(second.log.list({ alarmId: id })[0]).toMatchObject({ status: 'sent', attempts: 2 });
    expect(hitsOf('hook4').map((h) => h.body.kind)).toEqual(['raise', 'raise']);
    await second.notifier.stop();
  });

  it('publishes the notification text on jn/v1/alarms/notifications/<route> through the broker', async () => {
    const route = `mq${process.pid}`;
    const sub = await mqtt.connectAsync(inject('mosquittoUrl'), {
      clientId: `jn-test-notify-sub-${process.pid}`,
    });
    const pub = await mqtt.connectAsync(inject('mosquittoUrl'), {
      clientId: `jn-test-notify-pub-${process.pid}`,
    });
    const got: { topic: string; payload: Record<string, unknown> }[] = [];
    sub.on('message', (topic, payload) => got.push({ topic, payload: JSON.parse(payload.toString()) }));
    await sub.subscribeAsync('jn/v1/alarms/notifications/#', { qos: 1 });
    const file = join(mkdtempSync(join(tmpdir(), 'jn-notify-')), 'alarms.db');
    const db = new AlarmDb(file, 'Asia/Shanghai');
    const notifier = createNotifier({
      site: site({
        channels: [{ id: 'bus', type: 'mqtt' }],
        routes: [{ id: route, channels: ['bus'] }],
        digest: { channels: ['bus'] },
      }),
      db,
      clock: new ManualClock(T0),
      log: createLogger({ sink: { write: () => undefined } }),
      publish: async (topic, payload, retain) => {
        await pub.publishAsync(topic, payload, { qos: 1, retain });
      },
      env: {},
    });
    const events = db.observe(
      {
        rule: 'gateway_offline',
        key: 'gw-1',
        active: true,
        at: new Date(T0).toISOString(),
        message: 'gw-1 silent',
        message_zh: '网关 gw-1 无心跳',
        gateway: 'gw-1',
      },
      { now: T0, severity: 'critical', holdOffMs: 0 },
    );
    notifier.onEvents(events);
    await waitFor('the notification on the broker', () => got.length === 1, { seen: () => got });
    expect(got[0]?.topic).toBe(`jn/v1/alarms/notifications/${route}`);
    expect(got[0]?.payload).toMatchObject({
      kind: 'raise',
      route,
      severity: 'critical',
      title: '【紧急】网关离线 · gw-1',
    });
    expect(got[0]?.payload.text).toContain('网关：gw-1');
    await notifier.stop();
    await Promise.all([sub.endAsync(), pub.endAsync()]);
  });

  it('quiet hours hold non-critical messages for the 08:30 digest; critical ones go at once', async () => {
    const night = Date.parse('2026-03-02T23:00:00+08:00');
    const t = setup(
      {
        channels: [
          { id: 'duty', type: 'webhook', url: `${base}/quiet` },
          { id: 'daily', type: 'webhook', url: `${base}/digest6` },
        ],
        routes: [{ id: 'ops', channels: ['duty'], quiet_hours: '22:00-07:00' }],
        digest: { at: '08:30', channels: ['daily'] },
      },
      { start: night },
    );
    const [minor] = t.observe('lamp-1', true, { severity: 'minor' });
    const [critical] = t.observe('ups-1', true, { severity: 'critical' });
    await waitFor('the critical one', () => hitsOf('quiet').length === 1, {
      timeoutMs: 5000,
      seen: () => [t.log.list(), t.lines.slice(-5)],
    });
    expect(hitsOf('quiet')).toHaveLength(1);
    expect((hitsOf('quiet')[0]?.body.event as AlarmEvent | undefined)?.alarm.id).toBe(critical?.alarm.id);
    expect(t.log.list({ alarmId: minor?.alarm.id })[0]).toMatchObject({ status: 'held', channel: 'duty' });
    expect(t.log.list({ alarmId: minor?.alarm.id })[0]?.error).toContain('quiet hours 22:00-07:00');
    t.observe('ups-1', false);
    await t.notifier.tick(t.clock.now());
    // 07:00 ends the quiet hours: what comes now is sent; the digest waits for 08:30.
    t.clock.set(Date.parse('2026-03-03T07:00:00+08:00'));
    t.observe('lamp-2', true, { severity: 'minor' });
    await waitFor('lamp-2 after the quiet hours', () => hitsOf('quiet').length === 3);
    t.clock.set(Date.parse('2026-03-03T08:29:00+08:00'));
    await t.notifier.tick(t.clock.now());
    expect(hitsOf('digest6')).toHaveLength(0);
    t.clock.set(Date.parse('2026-03-03T08:30:00+08:00'));
    await t.notifier.tick(t.clock.now());
    expect(hitsOf('digest6')).toHaveLength(1);
    const digest = hitsOf('digest6')[0]?.body as {
      kind: string;
      title: string;
      text: string;
      digest: Record<string, number>;
    };
    expect(digest.kind).toBe('digest');
    expect(digest.title).toBe('【报警日报】福州市级机关办公区（演示） 2026-03-02 08:30 至 2026-03-03 08:30');
    expect(digest.digest).toMatchObject({ raised: 3, cleared: 1, open: 3, held: 1 });
    expect(digest.text).toContain('暂缓发送：');
    expect(digest.text).toContain('【次要】设备离线 · lamp-1');
    expect(t.log.list({ alarmId: minor?.alarm.id })[0]?.status).toBe('digested');
    // Once a day.
    t.clock.advance(5 * MIN);
    await t.notifier.tick(t.clock.now());
    expect(hitsOf('digest6')).toHaveLength(1);
    await t.notifier.stop();
  });

  it('the rate limit per channel and hour sends the excess with the digest', async () => {
    const rateConfig = {
      channels: [
        { id: 'duty', type: 'webhook', url: `${base}/rate` },
        { id: 'daily', type: 'webhook', url: `${base}/digest7` },
      ],
      routes: [{ id: 'ops', channels: ['duty'] }],
      rate_limit: { per_hour: 2 },
      digest: { at: '10:00', channels: ['daily'] },
    };
    const t = setup(rateConfig);
    for (const k of ['m-1', 'm-2', 'm-3']) t.observe(k, true);
    await waitFor('two sent', () => hitsOf('rate').length === 2);
    await t.notifier.tick(t.clock.now());
    expect(hitsOf('rate')).toHaveLength(2);
    const held = t.log.list({ status: 'held' });
    expect(held).toHaveLength(1);
    expect(held[0]?.error).toContain('rate limit 2/h');
    // A restart within the hour remembers what the channel sent.
    const again = createNotifier({
      site: site(rateConfig),
      db: t.db,
      clock: t.clock,
      log: createLogger({ sink: { write: () => undefined } }),
      publish: async () => undefined,
      env: {},
    });
    again.onEvents(
      t.db.observe(
        {
          rule: 'stale',
          key: 'm-5/p',
          active: true,
          at: new Date(T0).toISOString(),
          message: 'stale',
          message_zh: '数据不更新',
        },
        { now: T0, severity: 'minor', holdOffMs: 0 },
      ),
    );
    expect(t.log.list({ status: 'held' })).toHaveLength(2);
    await again.stop();
    // An hour later the channel may send again.
    t.clock.advance(61 * MIN);
    t.observe('m-4', true);
    await waitFor('the fourth sent', () => hitsOf('rate').length === 3);
    await t.notifier.tick(t.clock.now()); // 10:01: the digest
    expect(hitsOf('digest7')).toHaveLength(1);
    expect((hitsOf('digest7')[0]?.body.digest as { held: number } | undefined)?.held).toBe(2);
    expect(hitsOf('digest7')[0]?.body.text).toContain('设备离线 · m-3');
    expect(hitsOf('digest7')[0]?.body.text).toContain('【次要】数据不更新 · m-5/p');
    await t.notifier.stop();
  });

  it('escalates an alarm not acknowledged in time, once per level; an acknowledged or shelved one sends nothing more', async () => {
    const t = setup({
      channels: [
        { id: 'a', type: 'webhook', url: `${base}/duty8` },
        { id: 'b', type: 'webhook', url: `${base}/lead8` },
        { id: 'c', type: 'webhook', url: `${base}/boss8` },
      ],
      routes: [
        { id: 'duty', channels: ['a'], escalate_after: '15min', escalate_to: 'leaders' },
        {
          id: 'leaders',
          channels: ['b'],
          severities: ['critical'],
          escalate_after: '30min',
          escalate_to: 'director',
        },
        { id: 'director', channels: ['c'], severities: ['critical'] },
      ],
      digest: { at: '20:00', channels: ['a'] },
    });
    const [late] = t.observe('boiler-1', true);
    const [acked] = t.observe('boiler-2', true);
    const [shelved] = t.observe('boiler-3', true);
    await waitFor('three raises to duty', () => hitsOf('duty8').length === 3);
    t.notifier.onEvents(t.db.acknowledge(acked?.alarm.id as number, '李工', undefined, T0 + 5 * MIN));
    await waitFor('the acknowledgement to duty', () => hitsOf('duty8').length === 4);
    const shelving = t.db.shelve(
      shelved?.alarm.id as number,
      '李工',
      T0 + 8 * 3_600_000,
      '检修',
      T0 + 5 * MIN,
    );
    t.notifier.onEvents(shelving);
    t.clock.set(T0 + 14 * MIN);
    await t.notifier.tick(t.clock.now());
    expect(hitsOf('lead8')).toHaveLength(0);
    t.clock.set(T0 + 15 * MIN);
    await t.notifier.tick(t.clock.now());
    await t.notifier.tick(t.clock.now());
    expect(hitsOf('lead8')).toHaveLength(1);
    const up = hitsOf('lead8')[0]?.body as { kind: string; title: string; text: string; event: AlarmEvent };
    expect(up.kind).toBe('escalate');
    expect(up.event.alarm.id).toBe(late?.alarm.id);
    expect(up.title).toBe('【升级】【重要】设备离线 · boiler-1');
    expect(up.text).toContain('超过 15 分钟未确认');
    t.clock.set(T0 + 44 * MIN);
    await t.notifier.tick(t.clock.now());
    expect(hitsOf('boss8')).toHaveLength(0);
    t.clock.set(T0 + 45 * MIN);
    await t.notifier.tick(t.clock.now());
    t.clock.set(T0 + 90 * MIN);
    await t.notifier.tick(t.clock.now());
    expect(hitsOf('boss8')).toHaveLength(1);
    expect(hitsOf('boss8')[0]?.body.text).toContain('超过 45 分钟未确认');
    expect(hitsOf('lead8')).toHaveLength(1);
    // The shelved alarm clearing sends nothing.
    t.observe('boiler-3', false);
    await t.notifier.tick(t.clock.now());
    expect(hitsOf('duty8')).toHaveLength(4);
    await t.notifier.stop();
  });
  it('onEvents never throws: a database that fails is in the log and in health, and the caller goes on', async () => {
    const t = setup({
      channels: [{ id: 'hook', type: 'webhook', url: `${base}/hook9` }],
      routes: [{ id: 'ops', channels: ['hook'] }],
      digest: { at: '20:00', channels: ['hook'] },
    });
    const events = t.db.observe(
      {
        rule: 'stale',
        key: 'm-9/p',
        active: true,
        at: new Date(T0).toISOString(),
        message: 'stale',
        message_zh: '数据不更新',
      },
      { now: T0, severity: 'minor', holdOffMs: 0 },
    );
    t.db.close();
    expect(() => t.notifier.onEvents(events)).not.toThrow();
    expect(t.lines.some((l) => l.includes('ERROR') && l.includes('queueing notifications failed'))).toBe(
      true,
    );
    await expect(t.notifier.tick(T0)).resolves.toBeUndefined();
    expect(t.notifier.status().last_error).toContain('reading the notification queue failed');
    expect(hitsOf('hook9')).toHaveLength(0);
    await t.notifier.stop();
  });
  it('a robot server that does not answer holds back no other channel; its attempt times out and is retried', async () => {
    const t = setup({
      channels: [
        { id: 'slow', type: 'wecom', url: `${base}/hang10/send?key=k` },
        { id: 'fast', type: 'webhook', url: `${base}/fast10` },
      ],
      routes: [{ id: 'ops', channels: ['slow', 'fast'] }],
      digest: { at: '20:00', channels: ['fast'] },
    });
    const [raised] = t.observe('valve-1', true);
    const id = raised?.alarm.id as number;
    await waitFor('the fast channel', () => hitsOf('fast10').length === 1);
    await waitFor('the slow one asked', () => hitsOf('hang10').length === 1);
    // The slow attempt is still open while the other channel's message went out.
    expect(t.log.list({ alarmId: id }).find((d) => d.channel === 'slow')).toMatchObject({
      status: 'pending',
      attempts: 0,
    });
    expect(t.log.list({ alarmId: id }).find((d) => d.channel === 'fast')).toMatchObject({ status: 'sent' });
    await t.notifier.stop(); // waits for the open attempt's bound (10 s)
    const slow = t.log.list({ alarmId: id }).find((d) => d.channel === 'slow');
    expect(slow).toMatchObject({ status: 'pending', attempts: 1, next_at: '2026-03-02T09:00:30+08:00' });
    expect(slow?.error).toMatch(/attempt 1 .*: no answer: .*timeout/i);
  });

  it('a URL with credentials or a key in its query is never in an error: not in the stored delivery, health or the log', async () => {
    const port = new URL(base).port;
    const t = setup(
      {
        channels: [
          {
            id: 'hook',
            type: 'webhook',
            url: `http://alarm:Sup3rSecret@127.0.0.1:${port}/hook11?token=abc123`,
          },
          { id: 'dd', type: 'dingtalk', url_env: 'DD11_URL' },
        ],
        routes: [{ id: 'ops', channels: ['hook', 'dd'] }],
        digest: { at: '20:00', channels: ['hook'] },
      },
      { env: { DD11_URL: `http://robot:Dd0nt5how@127.0.0.1:${port}/dd11/send?access_token=ddTok987` } },
    );
    const [raised] = t.observe('valve-11', true);
    const id = raised?.alarm.id as number;
    await waitFor('both attempts failed', () => t.log.list({ alarmId: id }).every((d) => d.attempts === 1), {
      seen: () => t.log.list({ alarmId: id }),
    });
    const secrets = ['Sup3rSecret', 'abc123', 'Dd0nt5how', 'ddTok987'];
    const deliveries = t.log.list({ alarmId: id });
    expect(deliveries).toHaveLength(2);
    const shown = [
      JSON.stringify(deliveries),
      JSON.stringify(t.notifier.status()),
      JSON.stringify(t.log.list({})),
      ...t.lines,
    ].join('\n');
    for (const s of secrets) expect(shown).not.toContain(s);
    // The error still says what happened and where: host and path, not the keys.
    const hook = deliveries.find((d) => d.channel === 'hook');
    expect(hook?.error).toContain('URL that includes credentials');
    expect(hook?.error).toContain(`http://***@127.0.0.1:${port}/hook11?***`);
    expect(t.notifier.status().last_error).toMatch(/127\.0\.0\.1:\d+\/(hook|dd)11/);
    expect(
      t.lines.some((l) => l.includes('notification attempt failed') && l.includes('***@127.0.0.1')),
    ).toBe(true);
    expect(hitsOf('hook11')).toHaveLength(0);
    expect(redactUrls('see https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a-91f6 (HTTP 404)')).toBe(
      'see https://qyapi.weixin.qq.com/cgi-bin/webhook/send?*** (HTTP 404)',
    );
    expect(redactUrls('smtps://duty:p@ss@mail.example.cn:465 refused')).toBe(
      'smtps://***@mail.example.cn:465 refused',
    );
    await t.notifier.stop();
  });

  it('an alarm still active when its shelving ends (by a person or the expiry) is sent as a raise again, and escalates counted from then', async () => {
    const t = setup({
      channels: [
        { id: 'a', type: 'webhook', url: `${base}/duty12` },
        { id: 'b', type: 'webhook', url: `${base}/lead12` },
      ],
      routes: [
        { id: 'duty', channels: ['a'], escalate_after: '15min', escalate_to: 'leaders' },
        // Raises of critical alarms only: what it gets here is escalated.
        { id: 'leaders', channels: ['b'], severities: ['critical'] },
      ],
      digest: { at: '20:00', channels: ['a'] },
    });
    const [expiring] = t.observe('ahu-12', true);
    const [byHand] = t.observe('fan-12', true);
    const [gone] = t.observe('pump-12', true);
    await waitFor('three raises', () => hitsOf('duty12').length === 3);
    const at = async (minutes: number) => {
      t.clock.set(T0 + minutes * MIN);
      await t.notifier.tick(t.clock.now());
    };
    for (const a of [expiring, byHand, gone])
      t.notifier.onEvents(t.db.shelve(a?.alarm.id as number, '李工', T0 + 60 * MIN, '检修', T0 + MIN));
    // A person takes fan-12 off the shelf at +10 min: sent again; it escalates 15 min after that, not at once.
    t.clock.set(T0 + 10 * MIN);
    t.notifier.onEvents(t.db.unshelve(byHand?.alarm.id as number, '王工', T0 + 10 * MIN));
    await waitFor('fan-12 sent again', () => hitsOf('duty12').length === 4);
    const again = hitsOf('duty12')[3]?.body as { kind: string; text: string; event: AlarmEvent };
    expect(again.kind).toBe('raise');
    expect(again.event.alarm.id).toBe(byHand?.alarm.id);
    expect(again.text).toContain('搁置结束，仍在持续');
    await at(10);
    await at(24);
    expect(hitsOf('lead12')).toHaveLength(0);
    await at(25);
    await waitFor('fan-12 escalated', () => hitsOf('lead12').length === 1);
    expect((hitsOf('lead12')[0]?.body.event as AlarmEvent | undefined)?.alarm.id).toBe(byHand?.alarm.id);
    // On the shelf: ahu-12 clears and comes back (a re-raise within the hold-off), pump-12 clears.
    t.clock.set(T0 + 30 * MIN);
    t.observe('ahu-12', false);
    t.observe('pump-12', false);
    t.clock.set(T0 + 35 * MIN);
    t.observe('ahu-12', true);
    expect(t.db.list({ status: 'open' }).find((a) => a.key === 'ahu-12')?.count).toBe(2);
    await at(50);
    expect(hitsOf('duty12')).toHaveLength(4); // the re-raise and the clear on the shelf sent nothing
    // The shelving of ahu-12 and pump-12 expires at +60 min: ahu-12 (active) is sent again, pump-12 (cleared) is not.
    t.clock.set(T0 + 60 * MIN);
    t.notifier.onEvents(t.db.expireShelving(T0 + 60 * MIN));
    await waitFor('ahu-12 sent again', () => hitsOf('duty12').length === 5);
    const expired = hitsOf('duty12')[4]?.body as { kind: string; text: string; event: AlarmEvent };
    expect(expired.event.alarm.id).toBe(expiring?.alarm.id);
    expect(expired.kind).toBe('raise');
    expect(expired.text).toContain('搁置结束，仍在持续');
    // Its escalation counts from the expiry (+60), not from the re-raise on the shelf (+35).
    await at(60);
    await at(74);
    expect(hitsOf('lead12')).toHaveLength(1);
    await at(75);
    await waitFor('ahu-12 escalated', () => hitsOf('lead12').length === 2);
    expect((hitsOf('lead12')[1]?.body.event as AlarmEvent | undefined)?.alarm.id).toBe(expiring?.alarm.id);
    expect(hitsOf('duty12')).toHaveLength(5);
    await t.notifier.stop();
  });

  it('an acknowledgement note or a message cannot forge lines, headings, links or mentions in the robots’ markdown, nor escape sequences in the CLI', async () => {
    const t = setup({
      channels: [
        { id: 'wx', type: 'wecom', url: `${base}/wx13/send?key=k` },
        { id: 'hook', type: 'webhook', url: `${base}/hook13` },
      ],
      routes: [{ id: 'ops', channels: ['wx', 'hook'] }],
      digest: { at: '20:00', channels: ['hook'] },
    });
    const [raised] = t.observe('ahu-13', true, {
      message_zh: 'ahu-13 无应答\n### 【恢复】一切正常 [详情](http://evil.example/x) <@all>',
    });
    const id = raised?.alarm.id as number;
    await waitFor('the raise', () => hitsOf('wx13').length === 1);
    t.notifier.onEvents(
      t.db.acknowledge(
        id,
        '王工',
        '已处理\n> **状态**：已恢复\n<@zhangsan> <font color="info">ok</font> **急**',
        T0 + MIN,
      ),
    );
    await waitFor('the acknowledgement', () => hitsOf('wx13').length === 2);
    for (const [i, hit] of hitsOf('wx13').entries()) {
      const md = (hit.body.markdown as { content: string }).content;
      const lines = md.split('\n');
      // Only the message's own heading and its quoted rows: nothing a value brought.
      expect(lines.filter((l) => l.startsWith('#'))).toHaveLength(1);
      expect(lines.slice(1).every((l) => /^> \*\*[^*]+\*\*：/.test(l))).toBe(true);
      expect(md).not.toMatch(/<@|<font|(?<!\\)\]\(http/);
      expect(md).toContain('\\[详情\\](http://evil.example/x) ＜@all＞');
      if (i === 1) {
        expect(lines.filter((l) => l.startsWith('> **状态**'))).toHaveLength(1);
        expect(md).toContain('> **备注**：已处理 ＞ \\*\\*状态\\*\\*：已恢复 ＜@zhangsan＞');
      }
    }
    const text = hitsOf('hook13')[1]?.body.text as string;
    expect(text.split('\n').filter((l) => l.startsWith('状态：'))).toEqual(['状态：已确认']);
    const cli = printable('ahu-13 无应答\u001b[2J\u001b[31m红\u001b[0m\u001b]0;title\u0007\r\n下一行\u0008');
    expect(cli).toBe('ahu-13 无应答红 下一行');
    await t.notifier.stop();
  });
});
