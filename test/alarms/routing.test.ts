import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AlarmEngine } from '../../alarms/engine.ts';
import { createNotifier } from '../../alarms/notify/index.ts';
import { AlarmDb } from '../../core/alarms/db.ts';
import type { Condition } from '../../core/alarms/model.ts';
import { alarmsSchema } from '../../core/alarms/schema.ts';
import { ManualClock } from '../../core/clock.ts';
import { loadSite } from '../../core/config/loadSite.ts';
import { createLogger } from '../../core/log.ts';
import { topics } from '../../core/topics.ts';

const T0 = Date.parse('2026-03-02T09:00:00+08:00');
const demo = loadSite(fileURLToPath(new URL('../../examples/demo-site.yaml', import.meta.url)));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * The demo site's alarm engine and notifier (its MQTT channel captured): a route for 综合办公楼
 * only (`buildings: [zonghe-lou]`) and one for everything.
 */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'jn-routing-'));
  dirs.push(dir);
  const alarms = alarmsSchema.parse({
    rules: { device_offline: { delay: '1ms' }, not_following: { delay: '1ms' } },
    channels: [{ id: 'bus', type: 'mqtt' }],
    routes: [
      { id: 'zonghe', channels: ['bus'], buildings: ['zonghe-lou'] },
      { id: 'all', channels: ['bus'] },
    ],
  });
  const site = { ...demo, config: { ...demo.config, alarms } };
  const db = new AlarmDb(join(dir, 'alarms.db'), 'Asia/Shanghai');
  const clock = new ManualClock(T0);
  const log = createLogger({ level: 'error' });
  const sent: { route: string; text: string }[] = [];
  const notifier = createNotifier({
    site,
    db,
    clock,
    log,
    env: {},
    publish: async (topic, payload) => {
      sent.push({ route: topic.slice(topics.alarmNotifications('').length), text: JSON.parse(payload).text });
    },
  });
  const engine = new AlarmEngine({ site, db, clock, log });
  engine.onEvents((e) => notifier.onEvents(e));
  const report = (c: Omit<Condition, 'at'>) => {
    engine.report({ ...c, at: new Date(clock.now()).toISOString() } as Condition);
    clock.advance(1000);
    engine.tick();
  };
  return { db, notifier, report, sent };
}

describe('routing by building reaches device alarms whose condition names no building', () => {
  it('device_offline and control’s not_following go to the building’s route, named; a device of no one building does not', async () => {
    const t = setup();
    // As the alarm service's own availability handling says it: device and gateway, no building.
    t.report({
      rule: 'device_offline',
      key: 'zonghe-lou-f1-3-ac',
      active: true,
      device: 'zonghe-lou-f1-3-ac',
      gateway: 'gw-compound',
      message: 'Device zonghe-lou-f1-3-ac does not answer',
      message_zh: '设备 zonghe-lou-f1-3-ac 无应答',
    });
    // As control's snapshot says it (control/conditions.ts): device, point, gateway.
    t.report({
      rule: 'not_following',
      key: 'zonghe-main/import_energy',
      active: true,
      device: 'zonghe-main',
      point: 'import_energy',
      gateway: 'gw-compound',
      message: 'x',
      message_zh: '未执行指令',
    });
    // The lighting relays of every building: no one building, so not for 综合办公楼's route.
    t.report({
      rule: 'device_offline',
      key: 'zonghe-lights',
      active: true,
      device: 'zonghe-lights',
      gateway: 'gw-compound',
      message: 'x',
      message_zh: '无应答',
    });
    // Sending runs in the background (never blocking the engine): waited for, at most 10 s.
    for (const until = Date.now() + 10_000; t.sent.length < 5 && Date.now() < until; )
      await new Promise((r) => setTimeout(r, 20));
    expect(t.sent, JSON.stringify(t.sent)).toHaveLength(5);
    // The building is on the alarm (the console's filter, the API) from the device's group or meter.
    expect(t.db.list().map((a) => [a.key, a.building])).toEqual([
      ['zonghe-lights', null],
      ['zonghe-main/import_energy', 'zonghe-lou'],
      ['zonghe-lou-f1-3-ac', 'zonghe-lou'],
    ]);
    const zonghe = t.sent.filter((s) => s.route === 'zonghe').map((s) => s.text);
    expect(zonghe).toHaveLength(2);
    expect(zonghe[0]).toContain('【重要】设备离线 · zonghe-lou-f1-3-ac（综合办公楼 一至三层 办公区 空调）');
    expect(zonghe[0]).toContain('建筑：综合办公楼（zonghe-lou）');
    expect(zonghe[0]).toContain('设备：zonghe-lou-f1-3-ac（综合办公楼 一至三层 办公区 空调）');
    expect(zonghe[0]).toContain('网关：gw-compound（综合办公楼、服务楼（食堂）、档案与会议楼）');
    expect(zonghe[1]).toContain('设备：zonghe-main / import_energy（综合办公楼总表）');
    expect(t.sent.filter((s) => s.route === 'all')).toHaveLength(3);
    await t.notifier.stop();
  });
});
