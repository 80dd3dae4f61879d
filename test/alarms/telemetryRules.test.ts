import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { TelemetryDetectors } from '../../alarms/detectors/telemetry.ts';
import { type Condition, conditionSchema } from '../../core/alarms/model.ts';
import { ManualClock } from '../../core/clock.ts';
import { loadSite } from '../../core/config/loadSite.ts';
import { createLogger } from '../../core/log.ts';
import type { ModbusProfile } from '../../core/profiles/profileSchema.ts';
import { telemetryBatchSchema } from '../../core/telemetry.ts';
import { topics } from '../../core/topics.ts';
import { createSimDevice } from '../../device-sims/devices/adapters.ts';
import { type Sims, startSims } from '../../device-sims/main.ts';
import { Simulation } from '../../device-sims/physics/simulation.ts';
import { defaultScenarioFile, loadScenario } from '../../device-sims/scenario/load.ts';
import { type Gateway, startGateway } from '../../gateway/main.ts';
import { waitFor } from '../helpers/wait.ts';
import { freePort } from '../servers/process.ts';
import { type AlarmPath, alarmPath, type Robot, robotAlarms, startRobot } from './receiver.ts';

const MIN = 60_000;
const GW = `gw-alarm-rules-${process.pid}`;
/** The building of the meters, as a notification names it. */
const BUILDING = '综合楼（zonghe-lou）';

/** The value of the `label：…` line of a robot message as shown (undefined when it has none). */
const line = (shown: string, label: string): string | undefined =>
  shown
    .split('\n')
    .find((l) => l.startsWith(`${label}：`))
    ?.slice(label.length + 1);

/** Which simulated device each rule's fault is injected on: one each, so the rules never see each other's faults. */
const on = {
  stale: 'fuwu-main',
  comm: 'fuwu-hvac',
  stuck: 'dangan-main',
  range: 'dangan-hvac',
  reset: 'zonghe-main',
  rollover: 'zonghe-hvac',
  replacement: 'zonghe-power',
  reverse: 'zonghe-lighting-socket',
  jump: 'zonghe-special',
} as const;

/**
 * The telemetry rules end to end: faults injected in the simulated compound, read by a real
 * gateway over Modbus TCP, published to a real Mosquitto, and the detectors fed from the telemetry
 * topic as the alarm service feeds them (this test subscribes itself). Their conditions go the
 * alarm service's way on: the alarm engine (each rule's delay and severity, alarms.db) and the
 * real notifier, to a 企业微信 robot stand-in on 127.0.0.1 (test/alarms/receiver.ts), where each
 * rule's raise and clear are read as the person on duty reads them. Time is one ManualClock for
 * the simulator, the gateway (the readings' source time), the detectors and the engine, so a test
 * moves data time by minutes without waiting for them.
 *
 * The gateway's device availability is not fed to the engine here: a device that stops answering
 * raises its own stale alarm (in the alarm service its device_offline is raised and the stale one
 * counted in it — flood control, test/alarms/control.test.ts sends that one).
 */
describe('telemetry alarm rules on a real gateway, Mosquitto and the simulator', () => {
  const clock = new ManualClock(Date.parse('2026-07-01T10:00:00+08:00'));
  const log = createLogger({ level: 'error' });
  let sims: Sims;
  let gateway: Gateway;
  let sub: mqtt.MqttClient;
  let detectors: TelemetryDetectors;
  let robot: Robot;
  let path: AlarmPath;
  let dir = '';
  const conditions: Condition[] = [];
  /** The newest source time seen per device (ms). */
  const newest = new Map<string, number>();
  let replacementAt = 0;

  beforeAll(async () => {
    robot = await startRobot();
    const loaded = loadScenario(defaultScenarioFile);
    const port = await freePort();
    const ids = Object.values(on) as string[];
    const devices = loaded.scenario.devices
      .filter((d) => ids.includes(d.id))
      .map((d, i) => ({ ...d, modbus: { port, unit_id: i + 1 } }));
    sims = await startSims({
      scenario: { ...loaded, scenario: { ...loaded.scenario, devices, opcua: undefined } },
      clock,
      log,
    });
    const counter = (id: string) =>
      (sims.devices.get(id) as unknown as { read(): Record<string, number> }).read().import_energy ?? 0;
    // The rollover meter's register wraps a little below where it stands now; the replacement is recorded 30 min on.
    const rollover = Math.floor(counter(on.rollover) * 0.98);
    replacementAt = clock.now() + 2 * 60 * MIN;
    dir = mkdtempSync(join(tmpdir(), 'jn-alarm-rules-'));
    const meter = (device: string, extra: object = {}) => ({
      id: `m-${device}`,
      name: `${device} 电表`,
      device,
      point: 'import_energy',
      category: 'electricity',
      subitem: 'power',
      building: 'zonghe-lou',
      role: 'sub',
      ...extra,
    });
    const site = {
      version: 1,
      site: { id: 'alarm-rules', name: '告警规则测试' },
      organization: {
        id: 'org',
        name: '测试',
        buildings: [
          {
            id: 'zonghe-lou',
            name: '综合楼',
            category: 'office',
            climate_zone: 'hot_summer_warm_winter',
            floor_area: [{ from: '2020-01-01', value: 18600 }],
            headcount: [{ from: '2020-01-01', value: 560 }],
          },
        ],
      },
      gateways: [
        {
          id: GW,
          connections: [
            {
              id: 'tcp',
              protocol: 'modbus_tcp',
              host: '127.0.0.1',
              port,
              timeout: '300ms',
              devices: devices.map((d) => ({
                id: d.id,
                profile: d.profile,
                unit_id: d.modbus.unit_id,
                poll_interval: '500ms',
              })),
            },
          ],
        },
      ],
      meters: [
        meter(on.reset),
        meter(on.rollover, { rollover }),
        meter(on.replacement, {
          replacements: [
            {
              at: new Date(replacementAt).toISOString(),
              old_final: counter(on.replacement) + 30,
              new_initial: 5,
            },
          ],
        }),
        meter(on.reverse),
        meter(on.jump),
      ],
      alarms: robotAlarms(robot.url, {
        stale: { after: '5min' },
        comm_errors: { share: 0.2, window: '10min' },
        stuck: { points: [{ device: on.stuck, point: 'active_power', for: '5min' }] },
        out_of_range: {
          points: [{ device: on.range, point: 'voltage_l1', min: 198, max: 250, deadband: 5, delay: '2min' }],
        },
        meter_jump: { max_kw: 5000, clear_after: '3min' },
        meter_reset: { clear_after: '3min' },
        meter_rollover: { clear_after: '3min' },
        meter_replacement: { clear_after: '3min' },
        meter_reverse: { clear_after: '3min' },
      }),
    };
    writeFileSync(join(dir, 'site.yaml'), stringify(site));
    const loadedSite = loadSite(join(dir, 'site.yaml'));
    path = alarmPath({ site: loadedSite, clock, log, dir });
    detectors = new TelemetryDetectors({
      site: loadedSite,
      clock,
      log,
      report: (c) => {
        conditions.push(conditionSchema.parse(c));
        path.report(c);
      },
    });
    const mqttUrl = inject('mosquittoUrl');
    sub = await mqtt.connectAsync(mqttUrl, { clientId: `jn-test-alarm-rules-${process.pid}` });
    /** Batches already fed (the gateway sends a batch again until a collector confirms it: the alarm service drops repeats by seq). */
    const seen = new Set<string>();
    sub.on('message', (_topic, payload) => {
      const batch = telemetryBatchSchema.parse(JSON.parse(payload.toString()));
      const id = `${batch.epoch ?? ''}:${batch.seq}`;
      if (seen.has(id)) return;
      seen.add(id);
      detectors.onBatch(batch.gateway, batch.readings);
      for (const r of batch.readings)
        newest.set(r.device, Math.max(newest.get(r.device) ?? 0, Date.parse(r.ts)));
    });
    await sub.subscribeAsync(topics.telemetry(GW), { qos: 1 });
    gateway = await startGateway({ site: loadedSite, gatewayId: GW, mqttUrl, dataDir: dir, clock, log });
    await step(0);
  });
  afterAll(async () => {
    await gateway?.stop();
    await sub?.endAsync();
    await sims?.stop();
    await path?.stop();
    await robot?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Devices that answer nothing or only exceptions now: the gateway backs off from them, so a step does not wait for them. */
  const failing = new Set<string>();
  /**
   * Moves data time by `ms` and waits until every answering device has been read at the new time;
   * then ticks the detectors and the engine, and waits for the notifier to send what is due.
   */
  async function step(ms: number): Promise<void> {
    clock.advance(ms);
    const now = clock.now();
    await waitFor(
      `readings of every device at ${new Date(now).toISOString()}`,
      () => (Object.values(on) as string[]).every((d) => failing.has(d) || (newest.get(d) ?? 0) >= now),
      { seen: () => Object.fromEntries(newest) },
    );
    detectors.tick(now);
    await path.settle();
  }
  const of = (rule: string, key: string) => conditions.filter((c) => c.rule === rule && c.key === key);
  /** Steps a minute at a time until `rule` for `key` has `count` reports (at most `minutes`). */
  async function until(rule: string, key: string, count: number, minutes = 20): Promise<Condition> {
    for (let i = 0; i < minutes && of(rule, key).length < count; i++) await step(MIN);
    const list = of(rule, key);
    expect(
      list.length,
      `${rule} ${key}: ${JSON.stringify(conditions.map((c) => `${c.rule}:${c.key}:${c.active}`))}`,
    ).toBeGreaterThanOrEqual(count);
    return list[count - 1] as Condition;
  }
  /** Steps a minute at a time until the robot has a message holding every part (at most `minutes`): its text as shown. */
  async function notified(parts: string[], minutes = 10): Promise<string> {
    for (let i = 0; ; i++) {
      const [shown] = robot.sentWith(...parts);
      if (shown !== undefined) return shown;
      if (i >= minutes) break;
      await step(MIN);
    }
    const got = robot.messages.map((m) => m.shown.split('\n')[0]);
    return expect.fail(`no robot message with ${parts.join(' + ')}; it got ${JSON.stringify(got)}`);
  }
  /**
   * The raise as the person on duty reads it: the 【severity】rule heading and subject, 状态 发生,
   * the content with the rule's figure, the device (and point), the building where the rule has one.
   */
  async function raisedMessage(want: {
    heading: string;
    device: string;
    content: RegExp;
    building?: string;
  }): Promise<string> {
    const shown = await notified([want.heading]);
    expect(shown.split('\n')[0]).toContain(want.heading);
    expect(shown).toMatch(/^状态：发生$/m);
    expect(shown).toMatch(/^发生时间：2026-07-01 \d\d:\d\d:\d\d$/m);
    expect(line(shown, '内容')).toMatch(want.content);
    expect(line(shown, '设备')).toContain(want.device);
    if (want.building) expect(line(shown, '建筑')).toBe(want.building);
    return shown;
  }
  /** The clear of an alarm whose raise had `heading`: 【恢复】 before it, 状态 已恢复, when it recovered. */
  async function clearedMessage(heading: string): Promise<string> {
    const shown = await notified(['【恢复】', heading]);
    expect(shown.split('\n')[0]).toContain(`【恢复】${heading}`);
    expect(shown).toMatch(/^状态：已恢复$/m);
    expect(shown).toMatch(/^恢复时间：2026-07-01 \d\d:\d\d:\d\d$/m);
    return shown;
  }

  it('normal running raises nothing', async () => {
    for (let i = 0; i < 6; i++) await step(MIN);
    expect(conditions).toEqual([]);
    expect(robot.messages).toEqual([]);
  });

  it('stale: a device that stops answering goes stale after 5 min (its own offline as the cause); cleared when it answers', async () => {
    sims.faults.inject(on.stale, { kind: 'offline' });
    failing.add(on.stale);
    const raised = await until('stale', on.stale, 1);
    expect(raised).toMatchObject({
      active: true,
      device: on.stale,
      gateway: GW,
      cause: `device_offline:${on.stale}`,
    });
    expect(raised.message).toMatch(
      /^device "fuwu-main": (\d+) of \1 points have brought no new reading since 2026-07-01 10:\d\d:\d\d \(\d+ (s|min); limit 5 min\); its latest readings are bad$/,
    );
    expect(raised.message_zh).toContain('起没有新数据');
    const heading = `【次要】数据不更新 · ${on.stale}`;
    await raisedMessage({
      heading,
      device: on.stale,
      // How many of its points, since when, for how long against the limit.
      content:
        /fuwu-main.*：(\d+) 个点中有 \1 个自 2026-07-01 10:\d\d:\d\d 起没有新数据（已 \d+ 分钟，限值 5 分钟）/,
    });
    sims.faults.clear(on.stale, 'offline');
    failing.delete(on.stale);
    const cleared = await until('stale', on.stale, 2);
    expect(cleared.active).toBe(false);
    await clearedMessage(heading);
  });

  it('comm_errors: Modbus exceptions on more than 20 % of the readings; the reason is in the message; cleared when they stop', async () => {
    sims.faults.inject(on.comm, { kind: 'exception', code: 2 });
    failing.add(on.comm);
    const raised = await until('comm_errors', on.comm, 1);
    expect(raised).toMatchObject({ active: true, device: on.comm, gateway: GW });
    expect(raised.value).toBeGreaterThan(0.2);
    expect(raised.message).toMatch(/were bad \(\d+ of \d+; limit 20 %\): .*exception.*2/i);
    const heading = `【次要】通信错误 · ${on.comm}`;
    const shown = await raisedMessage({
      heading,
      device: on.comm,
      content: /fuwu-hvac.*最近 10 分钟.*\d+% 的读数为坏值（\d+ 个中 \d+ 个，限值 20%）/,
    });
    // The share the person is told is the one judged: above the limit; and what the device answered.
    expect(Number(/(\d+)% 的读数为坏值/.exec(shown)?.[1])).toBeGreaterThan(20);
    expect(line(shown, '内容')).toMatch(/异常码 0?2|Illegal data address/);
    sims.faults.clear(on.comm, 'exception');
    failing.delete(on.comm);
    const cleared = await until('comm_errors', on.comm, 2);
    expect(cleared.active).toBe(false);
    await clearedMessage(heading);
  });

  it('stuck: a meter whose values freeze; cleared when they move', async () => {
    sims.faults.inject(on.stuck, { kind: 'stuck' });
    const raised = await until('stuck', `${on.stuck}/active_power`, 1);
    expect(raised).toMatchObject({ active: true, device: on.stuck, point: 'active_power' });
    expect(raised.message).toMatch(
      /^dangan-main\/active_power has stayed at [\d.]+ W since 2026-07-01 \d\d:\d\d:\d\d \(5 min; limit 5 min\)$/,
    );
    const heading = `【次要】数值卡死 · ${on.stuck}`;
    const shown = await raisedMessage({
      heading,
      device: `${on.stuck} / active_power`,
      content:
        /dangan-main.*active_power 自 2026-07-01 \d\d:\d\d:\d\d 起一直为 [\d.]+ W（已 \d+ 分钟，限值 5 分钟）/,
    });
    // The frozen figure is the one the meter reads (rounded for the message), with its unit.
    expect(Number(/一直为 ([\d.]+)/.exec(shown)?.[1])).toBeCloseTo(raised.value ?? Number.NaN, 0);
    sims.faults.clear(on.stuck, 'stuck');
    const cleared = await until('stuck', `${on.stuck}/active_power`, 2);
    expect(cleared.active).toBe(false);
    await clearedMessage(heading);
  });

  it('out_of_range: a transducer reading 300 V, raised after the 2-min delay with the value; cleared back inside', async () => {
    sims.faults.inject(on.range, { kind: 'value', point: 'voltage_l1', value: 300 });
    await step(MIN);
    await step(MIN);
    expect(of('out_of_range', `${on.range}/voltage_l1`)).toEqual([]); // the delay has not passed
    const raised = await until('out_of_range', `${on.range}/voltage_l1`, 1);
    expect(raised).toMatchObject({ active: true, value: 300 });
    expect(raised.message).toMatch(
      /is 300 V at 2026-07-01 \d\d:\d\d:\d\d, above the maximum 250 V \(range 198…250 V\) for 2 min$/,
    );
    // The engine's own delay for the rule (its default, 5 min) follows the point's; then it is sent.
    const heading = `【重要】数值越限 · ${on.range}`;
    await raisedMessage({
      heading,
      device: `${on.range} / voltage_l1`,
      content:
        /dangan-hvac.*voltage_l1 于 2026-07-01 \d\d:\d\d:\d\d 为 300 V，高于上限 250 V（范围 198…250 V），已持续 2 分钟/,
    });
    sims.faults.clear(on.range, 'value');
    const cleared = await until('out_of_range', `${on.range}/voltage_l1`, 2);
    expect(cleared.active).toBe(false);
    expect(cleared.value).toBeLessThan(245);
    await clearedMessage(heading);
  });

  it('meter_reset: the counter restarts from 0; cleared after 3 min of ordinary counting', async () => {
    sims.faults.inject(on.reset, { kind: 'counter_reset' });
    const raised = await until('meter_reset', `m-${on.reset}`, 1);
    expect(raised).toMatchObject({
      active: true,
      building: 'zonghe-lou',
      device: on.reset,
      point: 'import_energy',
    });
    expect(raised.value).toBeLessThan(100);
    expect(raised.message).toMatch(/was reset: [\d.]+ → [\d.]+ kWh at 2026-07-01/);
    const heading = `【重要】表计清零 · ${on.reset}`;
    await raisedMessage({
      heading,
      device: `${on.reset} / import_energy`,
      building: BUILDING,
      content: /m-zonghe-main.*读数清零：[\d.]+ → [\d.]+ kWh（2026-07-01 \d\d:\d\d:\d\d），从 0 重新计数/,
    });
    expect((await until('meter_reset', `m-${on.reset}`, 2)).active).toBe(false);
    await clearedMessage(heading);
  });

  it('meter_rollover: the register wraps at the configured rollover', async () => {
    const rollover = detectors.ctx.site.config.meters.find((m) => m.device === on.rollover)?.rollover ?? 0;
    sims.faults.inject(on.rollover, { kind: 'counter_rollover', at: rollover });
    const raised = await until('meter_rollover', `m-${on.rollover}`, 1);
    expect(raised.message).toContain(`wrapped at ${rollover} kWh`);
    const heading = `【提示】表计翻转 · ${on.rollover}`;
    const shown = await raisedMessage({
      heading,
      device: `${on.rollover} / import_energy`,
      building: BUILDING,
      content:
        /m-zonghe-hvac.*读数在 \d+ kWh 翻转：[\d.]+ → [\d.]+ kWh（2026-07-01 \d\d:\d\d:\d\d），计为用量 [\d.]+ kWh/,
    });
    expect(line(shown, '内容')).toContain(`读数在 ${rollover} kWh 翻转`);
    expect((await until('meter_rollover', `m-${on.rollover}`, 2)).active).toBe(false);
    await clearedMessage(heading);
  });

  it('meter_replacement: the recorded swap, informational; cleared after', async () => {
    // Swapped a minute before the recorded time; the first reading after it is the new meter's.
    while (clock.now() < replacementAt - 31 * MIN) await step(30 * MIN);
    await step(replacementAt - MIN - clock.now());
    sims.faults.inject(on.replacement, { kind: 'meter_replacement', initial: 5 });
    const raised = await until('meter_replacement', `m-${on.replacement}`, 1);
    expect(raised.active).toBe(true);
    expect(raised.value).toBeLessThan(10);
    expect(raised.message).toMatch(
      /replaced as recorded at 2026-07-01 \d\d:\d\d:\d\d: the old meter's last reading [\d.]+ kWh, the new one from 5 kWh/,
    );
    expect(of('meter_reset', `m-${on.replacement}`)).toEqual([]);
    const heading = `【提示】换表 · ${on.replacement}`;
    await raisedMessage({
      heading,
      device: `${on.replacement} / import_energy`,
      building: BUILDING,
      content:
        /m-zonghe-power.*按换表记录于 2026-07-01 \d\d:\d\d:\d\d 换表：旧表末次读数 [\d.]+ kWh，新表起始读数 5 kWh；/,
    });
    expect(robot.sentWith('表计清零', on.replacement)).toEqual([]);
    expect((await until('meter_replacement', `m-${on.replacement}`, 2)).active).toBe(false);
    await clearedMessage(heading);
  });

  it('meter_reverse: the counter goes back 20 kWh (not to 0)', async () => {
    sims.faults.inject(on.reverse, { kind: 'counter_offset', delta: -20 });
    const raised = await until('meter_reverse', `m-${on.reverse}`, 1);
    expect(raised.message).toMatch(/went backwards: [\d.]+ → [\d.]+ kWh \(−[\d.]+ kWh\)/);
    const heading = `【重要】表计反走 · ${on.reverse}`;
    const shown = await raisedMessage({
      heading,
      device: `${on.reverse} / import_energy`,
      building: BUILDING,
      content:
        /m-zonghe-lighting-socket.*读数倒退：[\d.]+ → [\d.]+ kWh（−[\d.]+ kWh，2026-07-01 \d\d:\d\d:\d\d）/,
    });
    // Back by the 20 kWh taken off, less the minute's use counted meanwhile.
    const back = Number(/（−([\d.]+) kWh/.exec(shown)?.[1]);
    expect(back).toBeGreaterThan(15);
    expect(back).toBeLessThanOrEqual(20);
    expect((await until('meter_reverse', `m-${on.reverse}`, 2)).active).toBe(false);
    await clearedMessage(heading);
  });

  it('meter_jump: +50,000 kWh in a minute, far beyond max_kw 5000', async () => {
    sims.faults.inject(on.jump, { kind: 'counter_offset', delta: 50_000 });
    const raised = await until('meter_jump', `m-${on.jump}`, 1);
    expect(raised.message).toContain('above the physical bound 5000 kW');
    const heading = `【重要】读数跳变 · ${on.jump}`;
    const shown = await raisedMessage({
      heading,
      device: `${on.jump} / import_energy`,
      building: BUILDING,
      content:
        /m-zonghe-special.*读数跳变：[\d.]+ → [\d.]+ kWh（\d+ 秒 内 \+[\d.]+ kWh，折合 [\d.]+ kW，.*），超过物理上限 5000 kW/,
    });
    expect(Number(/内 \+([\d.]+) kWh/.exec(shown)?.[1])).toBeGreaterThanOrEqual(50_000);
    expect((await until('meter_jump', `m-${on.jump}`, 2)).active).toBe(false);
    await clearedMessage(heading);
  });

  it('no other condition was raised along the way; what the faulted devices also raised names the device as its cause', () => {
    const wanted = [
      `meter_reset:m-${on.reset}`,
      `meter_rollover:m-${on.rollover}`,
      `meter_replacement:m-${on.replacement}`,
      `meter_reverse:m-${on.reverse}`,
      `meter_jump:m-${on.jump}`,
      `stale:${on.stale}`,
      `comm_errors:${on.comm}`,
      `stuck:${on.stuck}/active_power`,
      `out_of_range:${on.range}/voltage_l1`,
    ];
    // A device that times out has communication errors; one that answers only exceptions brings no
    // new value: either may show (how long the gateway backs off decides), naming its device as the
    // cause, so flood control counts it under the device's own alarm.
    const sideEffects = [`comm_errors:${on.stale}`, `stale:${on.comm}`];
    const seen = [...new Set(conditions.map((c) => `${c.rule}:${c.key}`))];
    expect(seen).toEqual(expect.arrayContaining(wanted));
    expect(
      seen.filter((k) => !wanted.includes(k) && !sideEffects.includes(k)),
      JSON.stringify(conditions.filter((c) => !wanted.includes(`${c.rule}:${c.key}`))),
    ).toEqual([]);
    for (const c of conditions.filter((c) => c.active && sideEffects.includes(`${c.rule}:${c.key}`)))
      expect(c.cause).toBe(`device_offline:${c.key}`);
    // Every message the robot got was the documented markdown one (it refuses anything else).
    expect(robot.refused).toEqual([]);
  });
});

/**
 * The demo site (examples/demo-site.yaml) running normally raises none of these rules: a day and a
 * half of the simulated compound (a working day, a night, the learnt jump bound in force for the
 * last hours), every Modbus device read each minute as the gateway reads it (float32 registers,
 * so the counters carry the registers' resolution), through the detectors with the demo's default
 * rule settings. The physics is read directly, not over Modbus: 2,160 polls of 24 devices in
 * seconds. (OPC UA devices report on change and are not judged by silence; stuck and out_of_range
 * have no points on the demo site.)
 */
describe('the demo site over a simulated day and a half', () => {
  it('raises no telemetry condition', () => {
    const site = loadSite('examples/demo-site.yaml');
    const scenario = loadScenario(defaultScenarioFile);
    const start = Date.parse('2026-07-01T00:00:00+08:00'); // a Wednesday, a working day
    const clock = new ManualClock(start);
    const sim = new Simulation(scenario.scenario, start);
    const devices = scenario.scenario.devices
      .filter((d) => site.devices.has(d.id))
      .map((spec) =>
        createSimDevice({
          spec,
          profile: scenario.profiles.get(spec.profile) as ModbusProfile,
          sim,
          advance: () => sim.advanceTo(clock.now()),
        }),
      );
    expect(devices.length).toBeGreaterThan(20);
    const conditions: Condition[] = [];
    const detectors = new TelemetryDetectors({
      site,
      clock,
      log: createLogger({ level: 'error' }),
      report: (c) => conditions.push(conditionSchema.parse(c)),
    });
    let readings = 0;
    for (let minute = 0; minute < 36 * 60; minute++) {
      clock.set(start + minute * MIN);
      const ts = new Date(clock.now()).toISOString();
      for (const d of devices) {
        const gateway = site.devices.get(d.id)?.gatewayId ?? '';
        const values = d.read();
        const batch = Object.entries(values).map(([point, v]) => ({
          device: d.id,
          point,
          value: Math.fround(v),
          ts,
          quality: 'good' as const,
        }));
        readings += batch.length;
        detectors.onBatch(gateway, batch);
      }
      detectors.tick(clock.now());
    }
    expect(readings).toBeGreaterThan(400_000);
    expect(conditions).toEqual([]);
  });
});
