import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { topics } from '../../core/topics.ts';
import { waitFor } from '../helpers/wait.ts';
import { alarmBench } from './bench.ts';

/** Only for the length of a fault (the broker down); results are waited for, not slept on. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('alarms of the infrastructure, on a real Mosquitto, gateway and simulated meters', () => {
  it('a device that stops answering is one device_offline alarm, cleared when it answers again; sent to its building’s route, named, with the reason in Chinese', async () => {
    const b = await alarmBench({
      gatewayId: 'gw-al-dev',
      devices: ['m-a', 'm-b'],
      alarms: {
        rules: { device_offline: { delay: '2s' } },
        // The route of building b1 (its meters are the devices'): device alarms reach it too.
        channels: [{ id: 'bus', type: 'mqtt' }],
        routes: [{ id: 'b1-duty', channels: ['bus'], buildings: ['b1'] }],
      },
    });
    // What the person on duty gets: the MQTT channel's messages (jn/v1/alarms/notifications/<route>).
    const duty = await mqtt.connectAsync(b.broker.url, { clientId: `tap-duty-${process.pid}` });
    const sent: { kind: string; text: string }[] = [];
    duty.on('message', (_t, p) => sent.push(JSON.parse(p.toString())));
    await duty.subscribeAsync(topics.alarmNotifications('b1-duty'), { qos: 1 });
    try {
      // Both meters answer first: nothing is raised.
      await waitFor(
        'the gateway to report both meters',
        () => b.alarms.status().detail?.mqtt_connected === true,
      );
      await sleep(3000);
      expect(b.all()).toEqual([]);
      b.sims.faults.inject('m-b', { kind: 'offline' });
      await waitFor('device_offline of m-b', () => b.all().some((a) => a.rule === 'device_offline'), {
        seen: b.seen,
      });
      const [a] = b.all();
      expect(a).toMatchObject({
        rule: 'device_offline',
        key: 'm-b',
        device: 'm-b',
        gateway: 'gw-al-dev',
        severity: 'major',
        state: 'active',
        list: 'pending',
      });
      // Named by its meter (一号楼's main meter), the gateway's reason in Chinese with the original after
      // it: the simulated meter answers nothing, so the 500 ms reply timeout of its connection ran out.
      const reason =
        /^设备 m-b（一号楼 总表） 自 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 起不响应网关 gw-al-dev：读(保持|输入)寄存器 \d+\+\d+（从站 2）：设备 500 ms 内无应答（Timed out）$/;
      expect(a?.message_zh).toMatch(reason);
      expect(a?.building).toBe('b1');
      expect(a?.raised_at).toMatch(/\+08:00$/);
      await waitFor('the raise sent to b1’s route', () => sent.some((m) => m.kind === 'raise'), {
        seen: () => sent,
      });
      const raised = sent.find((m) => m.kind === 'raise')?.text ?? '';
      expect(raised.split('\n')[0]).toBe('【重要】设备离线 · m-b（一号楼 总表）');
      expect(raised).toMatch(/^设备：m-b（一号楼 总表）$/m);
      expect(raised).toMatch(/^建筑：一号楼（b1）$/m);
      expect(raised).toMatch(/^网关：gw-al-dev（一号楼）$/m);
      expect(/^内容：(.*)$/m.exec(raised)?.[1]).toMatch(reason);
      // Published: the event, and the alarm retained while open.
      await waitFor('the raise on jn/v1/alarms/events', () =>
        b.events.some((e) => e.transition.action === 'raise' && e.alarm.key === 'm-b'),
      );
      await waitFor('the open alarm retained', () => b.retained.get(a?.id ?? 0)?.includes('"m-b"') === true);
      b.sims.faults.clear('m-b');
      await waitFor('the alarm to clear', () => b.all()[0]?.state === 'cleared', { seen: b.seen });
      expect(b.all()).toHaveLength(1);
      expect(b.all().map((x) => x.key)).toEqual(['m-b']);
      // The clear as the person gets it: the device named, what it says now.
      await waitFor('the clear sent to b1’s route', () => sent.some((m) => m.kind === 'clear'), {
        seen: () => sent,
      });
      const cleared = sent.find((m) => m.kind === 'clear')?.text ?? '';
      expect(cleared.split('\n')[0]).toBe('【恢复】【重要】设备离线 · m-b（一号楼 总表）');
      expect(cleared).toMatch(/^恢复情况：设备 m-b（一号楼 总表） 已恢复通信（网关 gw-al-dev）$/m);
      expect(cleared).toMatch(/^恢复时间：\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m);
    } finally {
      await duty.endAsync();
      await b.stop();
    }
  });

  it('a stopped gateway is one gateway_offline alarm with its devices counted in it', async () => {
    const b = await alarmBench({
      gatewayId: 'gw-al-gw',
      devices: ['m-a', 'm-b', 'm-c'],
      alarms: { rules: { gateway_offline: { delay: '2s' }, device_offline: { delay: '1s' } } },
    });
    try {
      await sleep(2000);
      await b.stopGateway();
      await waitFor(
        'gateway_offline with its three devices affected',
        () => b.all().some((a) => a.rule === 'gateway_offline' && a.affected === 3),
        { seen: b.seen },
      );
      await sleep(3000); // longer than both delays: nothing more may come
      const all = b.all();
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({
        rule: 'gateway_offline',
        key: 'gw-al-gw',
        severity: 'critical',
        building: 'b1',
      });
      // The gateway told by the building its devices serve (the site file names no gateway).
      expect(all[0]?.message_zh).toMatch(
        /^网关 gw-al-gw（一号楼） 离线：其 3 台设备均无数据$|^网关 gw-al-gw（一号楼） 自 .+ 起离线：其 3 台设备均无数据$/,
      );
      expect([...(all[0]?.affected_keys ?? [])].sort()).toEqual([
        'device_offline:m-a',
        'device_offline:m-b',
        'device_offline:m-c',
      ]);
      await b.startGateway();
      await waitFor('gateway_offline to clear', () => b.all()[0]?.state === 'cleared', { seen: b.seen });
      await sleep(3000);
      expect(b.all()).toHaveLength(1);
    } finally {
      await b.stop();
    }
  });

  it('a device dropping 10 times is one alarm with count 10 (the hold-off)', async () => {
    const b = await alarmBench({
      gatewayId: 'gw-al-flap',
      devices: ['m-a'],
      alarms: { hold_off: '10min', rules: { device_offline: { delay: '1s' } } },
    });
    try {
      await sleep(1500);
      const started = Date.now();
      for (let i = 1; i <= 10; i++) {
        b.sims.faults.inject('m-a', { kind: 'offline' });
        await waitFor(`drop ${i} raised`, () => b.all()[0]?.state === 'active' && b.all()[0]?.count === i, {
          seen: b.seen,
        });
        b.sims.faults.clear('m-a');
        await waitFor(`drop ${i} cleared`, () => b.all()[0]?.state === 'cleared', { seen: b.seen });
      }
      const all = b.all();
      console.log(
        `10 drops in ${Math.round((Date.now() - started) / 1000)} s: ${all.length} alarm, count ${all[0]?.count}`,
      );
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ rule: 'device_offline', key: 'm-a', count: 10, state: 'cleared' });
      expect(b.events.filter((e) => e.transition.action === 're_raise')).toHaveLength(9);
    } finally {
      await b.stop();
    }
  });

  it('a 60 s broker outage is exactly one alarm (broker_unreachable), cleared when it is back', async () => {
    const b = await alarmBench({ gatewayId: 'gw-al-broker', devices: ['m-a', 'm-b'], brokerGraceMs: 20_000 });
    try {
      await sleep(2000);
      expect(b.all()).toEqual([]);
      await b.broker.halt();
      await waitFor(
        'broker_unreachable raised after its 10 s delay',
        () => b.all().some((a) => a.rule === 'broker_unreachable' && a.state === 'active'),
        { seen: b.seen, timeoutMs: 40_000 },
      );
      await sleep(50_000); // the rest of the 60 s outage
      await b.broker.resume();
      await waitFor('broker_unreachable to clear', () => b.all()[0]?.state === 'cleared', { seen: b.seen });
      // The gateway reconnects and replays its spool; the grace (20 s here) passes: nothing else.
      await sleep(25_000);
      const all = b.all();
      console.log(
        `broker outage: ${all.map((a) => `${a.rule}:${a.key} ${a.state} affected=${a.affected}`).join('; ')}`,
      );
      if (all.length !== 1) console.log(b.lines.join(''));
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ rule: 'broker_unreachable', key: `127.0.0.1:${b.broker.port}` });
      const cleared = Date.parse(all[0]?.cleared_at ?? '');
      const raised = Date.parse(all[0]?.raised_at ?? '');
      expect(cleared - raised).toBeGreaterThan(45_000);
      expect(b.alarms.status().state).toBe('running');
      // On the broker once it is back: the alarm retained (cleared, still to be acknowledged). The
      // events of the outage may reach the broker before a subscriber has subscribed again.
      await waitFor('the cleared alarm retained on jn/v1/alarms/open/<id>', () =>
        (b.retained.get(all[0]?.id ?? 0) ?? '').includes('"state":"cleared"'),
      );
    } finally {
      await b.stop();
    }
  });

  it('collector silence and store write failures raise and clear', async () => {
    const b = await alarmBench({
      gatewayId: 'gw-al-coll',
      devices: ['m-a'],
      collector: { silenceMs: 3000 },
      alarms: { rules: { collector_silence: { delay: '1s' }, store_write_failed: { delay: '2s' } } },
    });
    try {
      await sleep(3000);
      expect(b.all()).toEqual([]);
      // The store takes writes and never finishes them: the collector stores nothing while the gateway publishes.
      b.setStore('hang');
      await waitFor(
        'collector_silence of the gateway',
        () => b.all().some((a) => a.rule === 'collector_silence'),
        {
          seen: b.seen,
        },
      );
      expect(b.all()[0]).toMatchObject({ key: 'gw-al-coll', gateway: 'gw-al-coll', severity: 'critical' });
      expect(b.all()[0]?.message_zh).toMatch(/未存入网关 gw-al-coll 的数据/);
      b.setStore('ok');
      await waitFor('collector_silence to clear', () => b.all()[0]?.state === 'cleared', { seen: b.seen });
      // The store refuses writes.
      b.setStore('fail');
      await waitFor('store_write_failed', () => b.all().some((a) => a.rule === 'store_write_failed'), {
        seen: b.seen,
      });
      const failed = b.all().find((a) => a.rule === 'store_write_failed');
      expect(failed).toMatchObject({ key: 'store', state: 'active' });
      expect(failed?.message).toMatch(/disk I\/O error \(injected\)/);
      b.setStore('ok');
      await waitFor(
        'store_write_failed to clear',
        () => b.all().find((a) => a.rule === 'store_write_failed')?.state === 'cleared',
        { seen: b.seen },
      );
      // The failure is the store's: no silence was raised beside it.
      expect(b.all().filter((a) => a.rule === 'collector_silence')).toHaveLength(1);
    } finally {
      await b.stop();
    }
  });
  it('another site’s collector raises nothing here; an unreadable snapshot of ours makes health degraded, naming it', async () => {
    const b = await alarmBench({
      gatewayId: 'gw-al-src',
      devices: ['m-a'],
      alarms: { rules: { store_write_failed: { delay: '1ms' } } },
    });
    const pub = await mqtt.connectAsync(b.broker.url, { clientId: `tap-src-${process.pid}` });
    const snapshot = (instance: string, conditions: unknown[]) =>
      pub.publishAsync(
        topics.conditions('collector', instance),
        JSON.stringify({ source: `collector/${instance}`, at: new Date().toISOString(), conditions }),
        { retain: true, qos: 1 },
      );
    const storeFailed = (instance: string) => ({
      rule: 'store_write_failed',
      key: instance,
      at: new Date().toISOString(),
      message: `The store refuses the writes of collector ${instance}`,
      message_zh: `数据存储拒绝采集服务 ${instance} 的写入`,
    });
    try {
      await waitFor('the alarm service to connect', () => b.alarms.status().detail?.mqtt_connected === true);
      // Another site's collector on the same broker: store_write_failed names no gateway or device.
      await snapshot('jn-collector-other-site', [storeFailed('jn-collector-other-site')]);
      await pub.publishAsync(topics.conditions('collector', 'jn-collector-test-site'), '{"source":', {
        retain: true,
        qos: 1,
      });
      await waitFor(
        'health degraded naming the unreadable snapshot',
        () =>
          JSON.stringify(b.alarms.status().detail?.problems ?? []).includes(
            'collector/jn-collector-test-site',
          ),
        { seen: () => JSON.stringify(b.alarms.status()) },
      );
      expect(b.alarms.status().state).toBe('degraded');
      // Our own collector's snapshot, readable: raised; health running again.
      await snapshot('jn-collector-test-site', [storeFailed('jn-collector-test-site')]);
      await waitFor('our store_write_failed', () => b.all().some((a) => a.rule === 'store_write_failed'), {
        seen: b.seen,
      });
      await waitFor('health running again', () => b.alarms.status().state === 'running', {
        seen: () => JSON.stringify(b.alarms.status()),
      });
      expect(b.all().map((a) => `${a.rule}:${a.key}`)).toEqual(['store_write_failed:jn-collector-test-site']);
      expect(b.alarms.status().detail?.sources).toEqual({ 'collector/jn-collector-test-site': 1 });
    } finally {
      for (const i of ['jn-collector-other-site', 'jn-collector-test-site'])
        await pub.publishAsync(topics.conditions('collector', i), '', { retain: true, qos: 1 });
      await pub.endAsync();
      await b.stop();
    }
  });
});
