import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type Alarms, startAlarms } from '../../alarms/main.ts';
import type { Alarm } from '../../core/alarms/model.ts';
import { systemClock } from '../../core/clock.ts';
import { loadSite } from '../../core/config/loadSite.ts';
import { createLogger } from '../../core/log.ts';
import { createStore } from '../../core/store/openStore.ts';
import { topics } from '../../core/topics.ts';
import { startSims } from '../../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../../device-sims/scenario/load.ts';
import { type Gateway, startGateway } from '../../gateway/main.ts';
import type { OpcuaCounters } from '../../gateway/protocols/opcua/subscriber.ts';
import { waitFor } from '../helpers/wait.ts';
import { startMosquitto } from '../servers/mosquitto.ts';
import { freePort } from '../servers/process.ts';

/** Only for an observation window in which nothing more may come; results are waited for. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two zone AC units of the simulated compound's OPC UA server (device-sims), as the demo site names them. */
const UNITS = [
  { id: 'zonghe-lou-f1-3-ac', name: '一至三层 办公区 空调', object: 'zonghe-lou.f1-3' },
  { id: 'zonghe-lou-f4-8-ac', name: '四至八层 办公区 空调', object: 'zonghe-lou.f4-8' },
];
/** How an alarm names a unit: its name, after the building of its control group (alarms/naming.ts). */
const named = (u: (typeof UNITS)[number]) => `${u.id}（综合办公楼 ${u.name}）`;

/**
 * A one-gateway site whose only connection is OPC UA (subscription mode, 200 ms sampling and
 * publishing; bad readings repeated each 500 ms during an outage) to the OPC UA server of
 * device-sims on 127.0.0.1, on a Mosquitto of its own, with the gateway and the alarm service
 * (alarms/main.ts) in this process. `alarms` is the site file's `alarms:`.
 */
async function uaBench(gatewayId: string, alarms: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'jn-alarms-ua-'));
  const port = await freePort();
  const file = join(dir, 'site.yaml');
  writeFileSync(
    file,
    stringify({
      version: 1,
      site: { id: 'test-site', name: '测试园区', timezone: 'Asia/Shanghai' },
      organization: {
        id: 'test-org',
        name: '测试机关事务管理局',
        buildings: [
          {
            id: 'zonghe-lou',
            name: '综合办公楼',
            category: 'office',
            climate_zone: 'hot_summer_warm_winter',
            floor_area: [{ from: '2020-01-01', value: 10000 }],
            headcount: [{ from: '2020-01-01', value: 300 }],
          },
        ],
      },
      gateways: [
        {
          id: gatewayId,
          connections: [
            {
              id: 'hvac-opcua',
              protocol: 'opcua',
              endpoint: `opc.tcp://127.0.0.1:${port}/jieneng`,
              sampling_interval: '200ms',
              publishing_interval: '200ms',
              poll_interval: '500ms',
              devices: UNITS.map((u) => ({ ...u, profile: 'opcua/jieneng/hvac-zone' })),
            },
          ],
        },
      ],
      // The units' building comes from their control group (they carry no meter).
      control: {
        groups: [
          {
            id: 'zonghe-ac',
            name: '综合办公楼 办公区空调',
            building: 'zonghe-lou',
            class: 'hvac',
            devices: UNITS.map((u) => u.id),
          },
        ],
      },
      alarms,
    }),
  );
  const site = loadSite(file);
  const lines: string[] = [];
  const log = createLogger({ level: 'info', sink: { write: (l) => lines.push(l) } });
  const loaded = loadScenario(defaultScenarioFile);
  const sims = await startSims({
    scenario: {
      ...loaded,
      scenario: { ...loaded.scenario, devices: [], opcua: { port, profile: 'opcua/jieneng/hvac-zone' } },
    },
    clock: systemClock,
    log,
  });
  const ua = sims.opcua;
  if (!ua) throw new Error('device-sims started no OPC UA server');
  const broker = await startMosquitto();
  const store = createStore({ dataDir: dir });
  await store.open();
  const gateway: Gateway = await startGateway({
    site,
    gatewayId,
    mqttUrl: broker.url,
    dataDir: dir,
    clock: systemClock,
    log,
  });
  const service: Alarms = await startAlarms({
    site,
    mqttUrl: broker.url,
    store,
    dbFile: join(dir, 'alarms.db'),
    clock: systemClock,
    log,
    tickMs: 200,
    detectorTickMs: 1000,
    settleMs: 3000,
  });
  const all = (): Alarm[] => service.db.list({ status: 'all' });
  /** The OPC UA connection as the gateway's health shows it. */
  const detail = () =>
    b().status().detail as {
      offline_devices: string[];
      devices: Record<string, { availability?: { state: string; reason?: string } }>;
      opcua: Record<string, OpcuaCounters>;
    };
  const b = () => gateway;
  /** The OPC UA connection as the gateway's health shows it. */
  const opcua = (): OpcuaCounters | undefined => detail().opcua['hvac-opcua'];
  return {
    ua,
    broker,
    gateway,
    alarms: service,
    all,
    opcua,
    detail,
    lines,
    seen: () =>
      `${all()
        .map(
          (a) =>
            `#${a.id} ${a.rule}:${a.key} ${a.state} count=${a.count} affected=${a.affected} ${a.affected_keys.join(',')}`,
        )
        .join('\n')}\n${lines.slice(-15).join('')}`,
    stop: async () => {
      await service.stop();
      await gateway.stop();
      await sims.stop();
      await store.close();
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('alarms of an OPC UA server (device-sims) through a real gateway and the alarm service', () => {
  it('a stopped server is one device_offline per unit naming the lost connection; cleared once the gateway re-subscribes; sent to the building’s route, named, in Chinese', async () => {
    const b = await uaBench('gw-al-ua', {
      rules: {
        device_offline: { delay: '2s' },
        // Short enough to be raised within the test if flood control did not count them in device_offline.
        comm_errors: { delay: '1s' },
        stale: { after: '3s', delay: '1s' },
      },
      // 综合办公楼's duty route: the units are its by their control group.
      channels: [{ id: 'bus', type: 'mqtt' }],
      routes: [{ id: 'zonghe-duty', channels: ['bus'], buildings: ['zonghe-lou'] }],
    });
    // What the person on duty gets: the MQTT channel's messages.
    const duty = await mqtt.connectAsync(b.broker.url, { clientId: `tap-ua-duty-${process.pid}` });
    const sent: { kind: string; alarm_id: number; text: string }[] = [];
    duty.on('message', (_t, p) => sent.push(JSON.parse(p.toString())));
    await duty.subscribeAsync(topics.alarmNotifications('zonghe-duty'), { qos: 1 });
    const sentFor = (kind: string, id: number | undefined) =>
      sent.find((m) => m.kind === kind && m.alarm_id === id)?.text;
    try {
      const endpoint = b.ua.endpointUrl;
      await waitFor(
        'the gateway subscribed and both units online',
        () =>
          b.opcua()?.state === 'subscribed' &&
          UNITS.every((u) => b.detail().devices[u.id]?.availability?.state === 'online'),
        { seen: () => b.detail() },
      );
      // Longer than stale's 3 s and every delay: a healthy server whose values rest raises nothing.
      await sleep(6000);
      expect(b.all()).toEqual([]);

      const stoppedAt = Date.now();
      await b.ua.stop();
      await waitFor(
        'device_offline of both units, with their comm_errors counted in them',
        () =>
          UNITS.every((u) =>
            b
              .all()
              .some(
                (a) =>
                  a.rule === 'device_offline' &&
                  a.key === u.id &&
                  a.state === 'active' &&
                  a.affected_keys.includes(`comm_errors:${u.id}`),
              ),
          ),
        { seen: b.seen },
      );
      expect(b.opcua()).toMatchObject({
        state: 'reconnecting',
        monitored_items: 0,
        last_error: `connection to the OPC UA server ${endpoint} lost`,
      });
      await sleep(3000); // longer than every delay again: nothing but the two alarms
      const raised = b.all();
      expect(raised.map((a) => `${a.rule}:${a.key}`).sort()).toEqual(
        UNITS.map((u) => `device_offline:${u.id}`),
      );
      for (const u of UNITS) {
        const a = raised.find((x) => x.key === u.id);
        expect(a).toMatchObject({
          device: u.id,
          gateway: 'gw-al-ua',
          severity: 'major',
          state: 'active',
          count: 1,
          list: 'pending',
          // The bad readings of the outage are the unit's comm_errors, counted here, not raised.
          affected_keys: [`comm_errors:${u.id}`],
        });
        // Names the unit, its gateway and what the gateway reported.
        expect(a?.message).toMatch(
          new RegExp(
            `^Device ${u.id} does not answer its gateway gw-al-ua since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d: connection to the OPC UA server ${endpoint.replaceAll('.', '\\.')} lost$`,
          ),
        );
        // In Chinese: the unit by its name and building, the gateway's reason translated, the original after it.
        const zh = `起不响应网关 gw-al-ua：与 OPC UA 服务器 ${endpoint} 的连接中断（connection lost）`;
        expect(a?.message_zh).toContain(`设备 ${named(u)} 自 `);
        expect(a?.message_zh?.endsWith(zh)).toBe(true);
        expect(a?.building).toBe('zonghe-lou');
        await waitFor(`the raise of ${u.id} sent`, () => sentFor('raise', a?.id) !== undefined, {
          seen: () => sent,
        });
        const raisedText = sentFor('raise', a?.id) ?? '';
        expect(raisedText.split('\n')[0]).toBe(`【重要】设备离线 · ${named(u)}`);
        expect(raisedText).toContain(`\n内容：设备 ${named(u)} 自 `);
        expect(raisedText).toContain(`${zh}\n`);
        expect(raisedText).toContain(`\n设备：${named(u)}\n`);
        expect(raisedText).toContain('\n建筑：综合办公楼（zonghe-lou）\n');
        expect(a?.raised_at).toMatch(/\+08:00$/);
        // Not before device_offline's 2 s delay (raised_at may be to the second).
        expect(Date.parse(a?.raised_at ?? '')).toBeGreaterThanOrEqual(
          Math.floor(stoppedAt / 1000) * 1000 + 2000,
        );
      }

      await b.ua.start();
      await waitFor('the gateway to re-create its subscription', () => b.opcua()?.state === 'subscribed', {
        seen: () => b.opcua(),
      });
      expect(b.opcua()).toMatchObject({ monitored_items: 18, resubscriptions: 1 });
      await waitFor(
        'both alarms cleared',
        () => b.all().length === 2 && b.all().every((a) => a.state === 'cleared'),
        { seen: b.seen },
      );
      // The clear says the unit answers again (the alarm keeps what was raised).
      for (const u of UNITS) {
        const a = b.all().find((x) => x.key === u.id);
        const back = `设备 ${named(u)} 已恢复通信（网关 gw-al-ua）`;
        expect(b.alarms.db.transitions(a?.id ?? 0).find((t) => t.action === 'clear')?.note).toBe(back);
        // The clear as the person gets it: the unit named, what it says now.
        await waitFor(`the clear of ${u.id} sent`, () => sentFor('clear', a?.id) !== undefined, {
          seen: () => sent,
        });
        const clearedText = sentFor('clear', a?.id) ?? '';
        expect(clearedText.split('\n')[0]).toBe(`【恢复】【重要】设备离线 · ${named(u)}`);
        expect(clearedText).toContain(`\n恢复情况：${back}\n`);
      }
      // Longer than stale's 3 s and every delay: nothing more (no late comm_errors, no stale).
      await sleep(6000);
      expect(
        b
          .all()
          .map((a) => `${a.rule}:${a.key} ${a.state} ${a.count}`)
          .sort(),
      ).toEqual(UNITS.map((u) => `device_offline:${u.id} cleared 1`));
    } finally {
      await duty.endAsync();
      await b.stop();
    }
  });
});
