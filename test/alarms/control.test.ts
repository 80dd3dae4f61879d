import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type Alarms, startAlarms } from '../../alarms/main.ts';
import { type Control, startControl } from '../../control/main.ts';
import type { Alarm } from '../../core/alarms/model.ts';
import { type Clock, ManualClock, systemClock } from '../../core/clock.ts';
import { loadSite } from '../../core/config/loadSite.ts';
import { generateCommandKey } from '../../core/control/commandSignature.ts';
import { createLogger } from '../../core/log.ts';
import { createStore } from '../../core/store/openStore.ts';
import type { Store } from '../../core/store/store.ts';
import { topics } from '../../core/topics.ts';
import { type Sims, startSims } from '../../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../../device-sims/scenario/load.ts';
import { type Gateway, startGateway } from '../../gateway/main.ts';
import { waitFor } from '../helpers/wait.ts';
import { freePort } from '../servers/process.ts';
import { type Robot, startRobot } from './receiver.ts';

/**
 * Issue 17's control rules and the slow device, each from a fault injected in device-sims, on the
 * real path: sims → gateway → Mosquitto → control / alarm service → a 企业微信 robot stand-in on
 * 127.0.0.1 (body {msgtype:'markdown', markdown:{content}}, answers {errcode:0}). What a person
 * notices is asserted: the alarm in the alarm list and the robot message with its content.
 */

/** The robot stand-in (test/alarms/receiver.ts): every message it got. */
let robot: Robot;
beforeAll(async () => {
  robot = await startRobot();
});
afterAll(() => robot.close());

/** The site's alarms: one 企业微信 channel, every alarm routed to it, no quiet hours. */
const alarmsSection = (rules: Record<string, unknown>) => ({
  rules,
  channels: [{ id: 'wx', type: 'wecom', url: robot.url }],
  routes: [{ id: 'all', channels: ['wx'] }],
});

/** Each message's markdown content as sent (escapes and all). */
const markdowns = () => robot.messages.map((m) => m.markdown);
const sentWith = (...parts: string[]) => markdowns().filter((m) => parts.every((p) => m.includes(p)));

/** The parts every bench runs and stops. */
interface Bench {
  sims: Sims;
  gateway: Gateway;
  alarms: Alarms;
  store: Store;
  dir: string;
  all(): Alarm[];
  seen(): string;
}

async function startBench(opts: {
  dir: string;
  doc: Record<string, unknown>;
  sims: Sims;
  gatewayId: string;
  clock: Clock;
  commandKey?: Buffer;
}): Promise<Omit<Bench, 'all' | 'seen'> & { site: ReturnType<typeof loadSite> }> {
  const file = join(opts.dir, 'site.yaml');
  writeFileSync(file, stringify(opts.doc));
  const site = loadSite(file);
  const log = createLogger({ level: 'error' });
  const mqttUrl = inject('mosquittoUrl');
  const store = createStore({ dataDir: opts.dir });
  await store.open();
  const gateway = await startGateway({
    site,
    gatewayId: opts.gatewayId,
    mqttUrl,
    dataDir: opts.dir,
    clock: opts.clock,
    log,
    ...(opts.commandKey ? { commandKey: opts.commandKey } : {}),
  });
  const alarms = await startAlarms({
    site,
    mqttUrl,
    store,
    dbFile: join(opts.dir, 'alarms.db'),
    clock: opts.clock,
    log,
    tickMs: 100,
    detectorTickMs: 200,
    settleMs: 60_000,
  });
  return { sims: opts.sims, gateway, alarms, store, dir: opts.dir, site };
}

describe('not_following and write_failing from a unit that ignores or refuses writes (device-sims faults)', () => {
  const AC = 'zonghe-lou-f1-3-ac';
  const UNIT = 'zonghe-lou.f1-3'; // the unit as device-sims names it: building.zone
  const POINT = `${AC}/cooling_setpoint`;
  const clock = new ManualClock(Date.parse('2025-07-15T10:00:00+08:00'));
  const key = generateCommandKey();
  let b: Omit<Bench, 'all' | 'seen'>;
  let control: Control;
  const zone = () => b.sims.simulation.building('zonghe-lou')?.zone('f1-3');
  const all = () => b.alarms.db.list({ status: 'all' });
  const alarmOf = (rule: string) => all().find((a) => a.rule === rule && a.key === POINT);
  const seen = () => ({
    alarms: all().map((a) => `${a.rule}:${a.key} ${a.state}`),
    conditions: control.service.engine.conditions.list(),
    array: control.service.engine.array(POINT),
    unit: zone()?.hvac.coolingSetpoint,
    messages: markdowns(),
  });
  /** Lets time pass on the shared clock (the rules' delay, control's retry) and runs control's tick. */
  const passing = async (ms: number) => {
    clock.advance(ms);
    await control.service.tick();
  };
  const command = (value: number) =>
    control.service.command({
      device: AC,
      point: 'cooling_setpoint',
      priority: 8,
      value,
      actor: { user: '李工', role: 'engineer', via: 'session', scopes: [] },
      expiresAt: clock.now() + 8 * 3_600_000,
    });

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-alarms-control-'));
    const port = await freePort();
    const loaded = loadScenario(defaultScenarioFile);
    const sims = await startSims({
      scenario: {
        ...loaded,
        scenario: { ...loaded.scenario, devices: [], opcua: { port, profile: 'opcua/jieneng/hvac-zone' } },
      },
      clock,
      log: createLogger({ level: 'error' }),
    });
    // The demo site with only its OPC UA air-conditioning and their control (as test/controlSafety.test.ts).
    const doc = parse(readFileSync(join(import.meta.dirname, '../../examples/demo-site.yaml'), 'utf8'));
    doc.gateways = [
      {
        id: 'gw-al-ctl',
        connections: doc.gateways[0].connections
          .filter((c: { protocol: string }) => c.protocol === 'opcua')
          .map((c: object) => ({
            ...c,
            endpoint: `opc.tcp://127.0.0.1:${port}/jieneng`,
            sampling_interval: '200ms',
            publishing_interval: '200ms',
          })),
      },
    ];
    doc.site.id = `al-ctl-${process.pid}`; // its own control conditions on the shared Mosquitto
    doc.meters = [];
    doc.control.groups = doc.control.groups.filter((g: { class: string }) => g.class === 'hvac');
    const kept = new Set(doc.control.groups.map((g: { id: string }) => g.id));
    doc.control.points = doc.control.points.filter((p: { group: string }) => kept.has(p.group));
    delete doc.control.lighting_sweeps;
    doc.control.demand_limits = [];
    doc.control.schedules = [];
    doc.alarms = alarmsSection({});
    b = await startBench({ dir, doc, sims, gatewayId: 'gw-al-ctl', clock, commandKey: key });
    const mqttUrl = inject('mosquittoUrl');
    // Control starts once the gateway publishes the units' values (its OPC UA session is up).
    const watcher = await mqtt.connectAsync(mqttUrl);
    let telemetry = false;
    watcher.on('message', (_t, p) => {
      if (p.toString().includes(AC)) telemetry = true;
    });
    await watcher.subscribeAsync(topics.telemetry('gw-al-ctl'), { qos: 1 });
    await waitFor('telemetry of the AC units', () => telemetry);
    await watcher.endAsync();
    control = await startControl({
      site: (b as unknown as { site: ReturnType<typeof loadSite> }).site,
      mqttUrl,
      dbFile: join(dir, 'control.db'),
      clock,
      log: createLogger({ level: 'error' }),
      tickMs: 200,
      readyWaitMs: 1000,
      commandKeys: new Map([['gw-al-ctl', key]]),
    });
    // The relinquish default (26 °C) reaches the unit: control and the unit agree before any fault.
    await waitFor(
      'the relinquish default written and followed',
      () => control.service.engine.array(POINT)?.last_written === 26 && zone()?.hvac.coolingSetpoint === 26,
      { seen },
    );
  }, 300_000);
  afterAll(async () => {
    await control?.stop();
    await b?.alarms.stop();
    await b?.gateway.stop();
    await b?.sims.stop();
    await b?.store.close();
    if (b) rmSync(b.dir, { recursive: true, force: true });
  });

  it('a setpoint the unit acknowledges and ignores raises not_following (notified with the commanded and read-back value); cleared once the fault is gone and the unit follows', async () => {
    b.sims.faults.inject(UNIT, { kind: 'ignore_writes' });
    expect(await command(27)).toMatchObject({ accepted: true });
    await waitFor(
      'not_following raised and sent to the robot',
      async () => {
        await passing(1000); // the rule's 1 s delay, on the shared clock
        return alarmOf('not_following')?.state === 'active' && sentWith('设备未执行指令', AC).length > 0;
      },
      { seen },
    );
    expect(zone()?.hvac.coolingSetpoint).toBe(26); // the unit did ignore it
    const [raised] = sentWith('设备未执行指令', AC);
    // What the person on duty reads: the rule in Chinese, the unit and its point, commanded vs read back.
    expect(raised).toContain('【重要】设备未执行指令 · zonghe-lou-f1-3-ac');
    expect(raised).toContain('**设备**：zonghe-lou-f1-3-ac / cooling\\_setpoint'); // markdown-escaped
    expect(raised).toContain('制冷设定温度 / Cooling setpoint');
    expect(raised).toMatch(/写入 27 后回读 26/);
    expect(alarmOf('write_failing')).toBeUndefined(); // the write itself was acknowledged

    // The unit back under central control: the fault removed, the next command is followed.
    b.sims.faults.clear(UNIT, 'ignore_writes');
    expect(await command(28)).toMatchObject({ accepted: true });
    await waitFor(
      'not_following cleared, and the clear sent',
      async () => {
        await passing(1000);
        return (
          alarmOf('not_following')?.state !== 'active' &&
          sentWith('【恢复】', '设备未执行指令', AC).length > 0
        );
      },
      { seen },
    );
    expect(zone()?.hvac.coolingSetpoint).toBe(28);
  });

  it('writes the unit refuses (BadDeviceFailure) raise write_failing after the retry; cleared when a write succeeds again', async () => {
    b.sims.faults.inject(UNIT, { kind: 'refuse_writes', code: 4 });
    expect(await command(27)).toMatchObject({ accepted: true });
    await waitFor(
      'write_failing raised and sent to the robot',
      async () => {
        await passing(61_000); // control retries a failed write after a minute; two in a row are the condition
        return alarmOf('write_failing')?.state === 'active' && sentWith('指令写入失败', AC).length > 0;
      },
      { seen },
    );
    expect(zone()?.hvac.coolingSetpoint).toBe(28); // nothing reached the unit
    const [raised] = sentWith('指令写入失败', AC);
    expect(raised).toMatch(/写入 27 连续 \d+ 次/);
    expect(alarmOf('not_following')?.state).not.toBe('active');

    b.sims.faults.clear(UNIT);
    await waitFor(
      'write_failing cleared after the next retry succeeded, and the clear sent',
      async () => {
        await passing(61_000);
        return (
          alarmOf('write_failing')?.state !== 'active' && sentWith('【恢复】', '指令写入失败', AC).length > 0
        );
      },
      { seen },
    );
    expect(zone()?.hvac.coolingSetpoint).toBe(27);
  });
});

describe('a device slower than the gateway’s timeout (device-sims slow fault)', () => {
  it('every poll times out: the gateway takes it offline, so device_offline is raised (its comm_errors counted in it) and sent; cleared once it answers in time again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-alarms-slow-'));
    const port = await freePort();
    const loaded = loadScenario(defaultScenarioFile);
    const devices = loaded.scenario.devices
      .filter((d) => d.id === 'zonghe-main')
      .map((d) => ({ ...d, modbus: { ...d.modbus, port } }));
    const sims = await startSims({
      scenario: { ...loaded, scenario: { ...loaded.scenario, devices, opcua: undefined } },
      clock: systemClock,
      log: createLogger({ level: 'error' }),
    });
    const doc = parse(readFileSync(join(import.meta.dirname, '../../examples/demo-site.yaml'), 'utf8'));
    doc.gateways = [
      {
        id: 'gw-al-slow',
        connections: [
          {
            id: 'meters',
            protocol: 'modbus_tcp',
            host: '127.0.0.1',
            port,
            timeout: '300ms',
            devices: [
              { id: 'zonghe-main', profile: 'modbus/eastron/sdm630', unit_id: 1, poll_interval: '500ms' },
            ],
          },
        ],
      },
    ];
    doc.site.id = `al-slow-${process.pid}`;
    doc.meters = [];
    delete doc.control;
    doc.alarms = alarmsSection({
      device_offline: { delay: '1s' },
      // As short: raised within the test if flood control did not count it in device_offline.
      comm_errors: { delay: '1s', window: '10s' },
    });
    const b = await startBench({ dir, doc, sims, gatewayId: 'gw-al-slow', clock: systemClock });
    const all = () => b.alarms.db.list({ status: 'all' });
    const seen = () => ({
      alarms: all().map((a) => `${a.rule}:${a.key} ${a.state} affected=${a.affected_keys.join(',')}`),
      gateway: b.gateway.status().detail,
      messages: markdowns(),
    });
    const offline = () => all().find((a) => a.rule === 'device_offline' && a.key === 'zonghe-main');
    try {
      await waitFor(
        'zonghe-main polled',
        () => (b.gateway.status().detail as { offline_devices?: string[] }).offline_devices?.length === 0,
        { seen },
      );
      // The replies come after 1.5 s, the gateway gives up after 0.3 s.
      sims.faults.inject('zonghe-main', { kind: 'slow', delay: 1500 });
      await waitFor(
        'device_offline raised and sent',
        () => offline()?.state === 'active' && sentWith('设备离线', 'zonghe-main').length > 0,
        { seen, timeoutMs: 30_000 },
      );
      // One alarm for the one problem: comm_errors is explained by (counted in) the device's outage.
      expect(
        all()
          .filter((a) => a.state === 'active')
          .map((a) => `${a.rule}:${a.key}`),
      ).toEqual(['device_offline:zonghe-main']);
      expect(sentWith('通信错误', 'zonghe-main')).toEqual([]);
      sims.faults.clear('zonghe-main', 'slow');
      await waitFor(
        'device_offline cleared and the clear sent',
        () => offline()?.state !== 'active' && sentWith('【恢复】', '设备离线', 'zonghe-main').length > 0,
        { seen, timeoutMs: 30_000 },
      );
    } finally {
      await b.alarms.stop();
      await b.gateway.stop();
      await sims.stop();
      await b.store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
