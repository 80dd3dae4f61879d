import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type Api, startApi } from '../api/main.ts';
import { type Control, startControl } from '../control/main.ts';
import { ManualClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { ConfigError } from '../core/config/problems.ts';
import { generateCommandKey, signCommand } from '../core/control/commandSignature.ts';
import { createLogger } from '../core/log.ts';
import { topics } from '../core/topics.ts';
import { type Sims, startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { apiToken, authedFetch } from './helpers/apiAuth.ts';
import { waitFor } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

/**
 * Safety on the real path: control → real Mosquitto → gateway → OPC UA → the simulated AC units.
 * Commands outside policy from the API, an operator override and a schedule are rejected with the
 * reason, and the simulator's own write counter shows that none of them reached a device; a
 * command within policy does reach it (so the watch can see writes).
 */

/** The parts of a site file (parsed YAML) these tests edit. */
type SiteDoc = { control: { schedules: unknown[] }; [key: string]: unknown };

describe('control safety', () => {
  const AC = 'zonghe-lou-f1-3-ac';
  let sims: Sims;
  let gateway: Gateway;
  let control: Control;
  let api: Api;
  let base: string;
  let dir: string;
  // 张工's engineer token (made once, in the API's data dir): the API refuses anonymous calls.
  let token: ReturnType<typeof apiToken> | undefined;
  const engineer = () => {
    token ??= apiToken(dir, { role: 'engineer', name: '张工' });
    return token;
  };
  const authed: typeof fetch = (input, init) => authedFetch(engineer())(input, init);
  const clock = new ManualClock(Date.parse('2025-07-15T10:00:00+08:00'));
  const log = createLogger({ level: 'error' });
  const key = generateCommandKey();
  const opcuaWrites = () => sims.status().detail?.opcua_writes as number;
  const zone = () => sims.simulation.building('zonghe-lou')?.zone('f1-3');
  let lastSetpoint: number | undefined;
  const reported = () => lastSetpoint;
  let siteId = '';

  /** The demo site with only its OPC UA air-conditioning (on `port`) and their control. */
  function siteFile(port: number, extra: (doc: SiteDoc) => void = () => {}): string {
    const doc = parse(readFileSync(join(import.meta.dirname, '../examples/demo-site.yaml'), 'utf8'));
    doc.gateways = [
      {
        id: 'gw-safety',
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
    // Its own site id: control's retained conditions snapshot is per site on the shared Mosquitto
    // (test/alarms/control.test.ts runs the demo's control too).
    doc.site.id = `fz-safety-${process.pid}`;
    doc.meters = [];
    doc.control.groups = doc.control.groups.filter((g: { class: string }) => g.class === 'hvac');
    const kept = new Set(doc.control.groups.map((g: { id: string }) => g.id));
    doc.control.points = doc.control.points.filter((p: { group: string }) => kept.has(p.group));
    delete doc.control.lighting_sweeps;
    doc.control.demand_limits = [];
    extra(doc);
    const file = join(dir, `site-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, stringify(doc));
    return file;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jn-safety-'));
    const loaded = loadScenario(defaultScenarioFile);
    const port = await freePort();
    sims = await startSims({
      scenario: {
        ...loaded,
        scenario: { ...loaded.scenario, devices: [], opcua: { port, profile: 'opcua/jieneng/hvac-zone' } },
      },
      clock,
      log,
    });
    const site = loadSite(siteFile(port));
    siteId = site.config.site.id;
    const mqttUrl = inject('mosquittoUrl');
    gateway = await startGateway({
      site,
      gatewayId: 'gw-safety',
      mqttUrl,
      dataDir: dir,
      clock,
      log,
      commandKey: key,
    });
    // Control starts once the gateway publishes the units' values (its OPC UA session is up).
    const watcher = await mqtt.connectAsync(mqttUrl);
    let seen = false;
    watcher.on('message', (_t, p) => {
      if (p.toString().includes(AC)) seen = true;
    });
    await watcher.subscribeAsync(topics.telemetry('gw-safety'), { qos: 1 });
    await waitFor('telemetry of the AC units', () => seen);
    await watcher.endAsync();
    const reports = await mqtt.connectAsync(mqttUrl);
    reports.on('message', (_t, p) => {
      const batch = JSON.parse(p.toString()) as {
        readings: { device: string; point: string; value: number }[];
      };
      for (const r of batch.readings)
        if (r.device === AC && r.point === 'cooling_setpoint') lastSetpoint = r.value;
    });
    await reports.subscribeAsync(topics.telemetry('gw-safety'), { qos: 1 });
    closers.push(() => reports.endAsync());
    control = await startControl({
      site,
      mqttUrl,
      dbFile: join(dir, 'control.db'),
      clock,
      log,
      tickMs: 200,
      readyWaitMs: 1000,
      metrics: registry,
      commandKeys: new Map([['gw-safety', key]]),
    });
    api = await startApi({
      dataDir: dir,
      store: undefined as never,
      health: async () => ({}),
      log,
      port: 0,
      site,
      control: control.service,
    });
    base = `http://127.0.0.1:${api.port}/api/v1`;
    // The relinquish defaults (26 °C cooling, 20 °C heating) and the schedule's "on" reach every unit.
    await waitFor(
      'the relinquish default and the schedule on the unit',
      () =>
        control.service.engine.array(`${AC}/cooling_setpoint`)?.last_written === 26 &&
        zone()?.hvac.on === true,
      {
        seen: () => ({ array: control.service.engine.array(`${AC}/cooling_setpoint`), on: zone()?.hvac.on }),
      },
    );
  }, 300_000);

  const closers: (() => Promise<void>)[] = [];
  const registry = new Registry();
  afterAll(async () => {
    for (const close of closers) await close();
    await api?.stop();
    await control?.stop();
    await gateway?.stop();
    await sims?.stop();
  });

  it('rejects 24 °C from the API, an operator override and a schedule with the reason; no write reaches the unit', async () => {
    const before = opcuaWrites();
    const setpointBefore = zone()?.hvac.coolingSetpoint;
    expect(setpointBefore).toBe(26);

    // API
    const put = await authed(`${base}/points/${AC}/cooling_setpoint/override`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: engineer().headers.authorization ?? '' },
      body: JSON.stringify({ value: 24, for: '2h', reason: '会议室太热' }),
    });
    expect(put.status).toBe(422);
    const problem = (await put.json()) as { detail: string };
    // Chinese by default (the API's first language), English by Accept-Language.
    expect(problem.detail).toMatch(/的制冷设定温度 24 °C 低于政策下限 26 °C：《福建省公共机构节能管理办法》/);
    const putEn = await authed(`${base}/points/${AC}/cooling_setpoint/override`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        'accept-language': 'en',
        authorization: engineer().headers.authorization ?? '',
      },
      body: JSON.stringify({ value: 24, for: '2h', reason: '会议室太热' }),
    });
    expect(putEn.status).toBe(422);
    expect(((await putEn.json()) as { detail: string }).detail).toMatch(
      /cooling setpoint 24 °C .* below the policy minimum 26 °C: 《福建省公共机构节能管理办法》/,
    );

    // Operator override (level 8 with an expiry) through the control port, as the web UI sends it.
    const override = await control.service.command({
      device: AC,
      point: 'cooling_setpoint',
      priority: 8,
      value: 24,
      actor: { user: '李工', role: 'engineer', via: 'session', scopes: [] },
      expiresAt: clock.now() + 3_600_000,
    });
    expect(override).toMatchObject({ accepted: false });
    expect(override.reason).toMatch(/below the policy minimum 26 °C/);

    // A schedule through the API: refused with the path of the offending value.
    const sched = await authed(`${base}/schedules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'too-cold',
        name: '过冷',
        group: 'zonghe-office-ac',
        point: 'cooling_setpoint',
        priority: 14,
        week: { workday: [{ at: '08:00', value: 24 }] },
      }),
    });
    expect(sched.status).toBe(422);
    const body = (await sched.json()) as { problems: { path: string; message: string }[] };
    expect(body.problems[0]?.path).toBe('week.workday[0].value');
    expect(body.problems[0]?.message).toMatch(/below the policy minimum 26 °C/);

    // A schedule stored before the policy was tightened: the running schedule's request is rejected.
    control.service.db.putSchedule(
      {
        id: 'legacy',
        name: '旧时间表',
        group: 'zonghe-office-ac',
        point: 'cooling_setpoint',
        priority: 14,
        default: 24,
        effective: {},
        week: { workday: [], weekend: [], holiday: [] },
        exceptions: [],
      },
      new Date(clock.now()).toISOString(),
      'migration',
    );
    control.service.reloadSchedules();
    await control.service.tick();
    const legacy = control.service.audit({ device: AC, source: 'schedule:legacy' });
    expect(legacy[0]).toMatchObject({ outcome: 'rejected', requested: 24, priority: 14 });
    expect(legacy[0]?.reason).toMatch(/below the policy minimum 26 °C/);
    control.service.db.deleteSchedule('legacy');
    control.service.reloadSchedules();

    // A site file with such a schedule does not load: file, path and reason.
    const badFile = siteFile(1, (doc) => {
      const schedule = doc.control.schedules[0] as Record<string, unknown>;
      schedule.point = 'cooling_setpoint';
      schedule.default = 24;
      schedule.week = { workday: [{ at: '08:00', value: 26 }] };
    });
    expect(() => loadSite(badFile)).toThrow(ConfigError);
    try {
      loadSite(badFile);
    } catch (err) {
      expect(String((err as ConfigError).message)).toMatch(
        /control\.schedules\[0\]\.default.*below the policy minimum 26 °C/s,
      );
    }

    // A command published straight to the gateway, past control: unsigned, it is refused; signed
    // with the gateway's key (as if control's check were skipped), the gateway holds the policy too.
    const rogue = await mqtt.connectAsync(inject('mosquittoUrl'));
    const answers = new Map<string, { status: string; reason?: string; refused?: string }>();
    rogue.on('message', (_t, p) => {
      const r = JSON.parse(p.toString()) as { id: string; status: string; reason?: string };
      answers.set(r.id, r);
    });
    await rogue.subscribeAsync(topics.commandResult('gw-safety'), { qos: 1 });
    const rogueCommand = (id: string) => ({
      id,
      device: AC,
      point: 'cooling_setpoint',
      value: 24,
      sent_at: new Date().toISOString(),
    });
    await rogue.publishAsync(topics.command('gw-safety'), JSON.stringify(rogueCommand('rogue-1')), {
      qos: 1,
    });
    const signed = signCommand(rogueCommand('rogue-2'), { gateway: 'gw-safety', key, issuedAt: Date.now() });
    await rogue.publishAsync(topics.command('gw-safety'), JSON.stringify(signed), { qos: 1 });
    await waitFor('both rogue commands answered', () => answers.has('rogue-1') && answers.has('rogue-2'));
    await rogue.endAsync();
    expect(answers.get('rogue-1')).toMatchObject({ status: 'rejected', refused: 'unsigned' });
    expect(answers.get('rogue-2')?.status).toBe('rejected');
    expect(answers.get('rogue-2')?.reason).toMatch(
      /^policy: cooling setpoint 24 °C .* below the policy minimum 26 °C/,
    );

    // Nothing reached the unit so far; a stray write still on its way would be counted by the
    // time the in-policy write below is read back (exactly one write more than before).
    expect(opcuaWrites()).toBe(before);
    expect(zone()?.hvac.coolingSetpoint).toBe(26);

    // Within policy it does reach the unit: 27 °C for an hour, read back 27.
    const ok = await authed(`${base}/points/${AC}/cooling_setpoint/override`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: engineer().headers.authorization ?? '' },
      body: JSON.stringify({ value: 27, for: '1h' }),
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      accepted: true,
      effective: { value: 27, level: 8 },
      write: { status: 'written', readBack: 27 },
    });
    expect(opcuaWrites()).toBe(before + 1);
    expect(zone()?.hvac.coolingSetpoint).toBe(27);
    const audit = (await (
      await authed(`${base}/control/audit?device=${AC}&point=cooling_setpoint&limit=20`)
    ).json()) as {
      entries: { source: string; outcome: string; read_back: number | null }[];
    };
    expect(audit.entries[0]).toMatchObject({ source: 'user:token:张工', outcome: 'written', read_back: 27 });
    // The same refusals, counted for Prometheus.
    const refusals = (
      control.service.audit({ limit: 1000 }) as { action: string; outcome: string; source: string }[]
    ).filter((a) => a.action === 'set' && a.outcome === 'rejected');
    expect(refusals.length).toBe(5); // 张工 (asked in Chinese and in English), 李工, and the legacy schedule on both units of its group
    expect(await registry.metrics()).toContain(
      `jieneng_control_commands_total{action="set",outcome="rejected"} ${refusals.length}\n`,
    );
    expect(audit.entries.filter((e) => e.outcome === 'rejected').map((e) => e.source)).toEqual(
      expect.arrayContaining(['user:token:张工', 'user:李工', 'schedule:legacy']),
    );
  });

  it('publishes a not_following condition when a unit drifts from its command, and clears it when it follows again', async () => {
    const watcher = await mqtt.connectAsync(inject('mosquittoUrl'));
    type Snapshot = { source: string; conditions: { rule: string; key: string; message: string }[] };
    const snapshots: Snapshot[] = [];
    watcher.on('message', (_t, p) => p.length > 0 && snapshots.push(JSON.parse(p.toString())));
    await watcher.subscribeAsync(topics.conditions('control', siteId), { qos: 1 });
    const drifting = (s: Snapshot | undefined) =>
      s?.conditions.find((c) => c.rule === 'not_following' && c.key === `${AC}/cooling_setpoint`);
    // Someone turns the unit's own panel to 25 °C: the gateway reports it, control notices.
    const z = zone();
    if (!z) throw new Error('no zone f1-3');
    // A minute after the write (the simulator stamps its values with this clock, and control takes
    // only a value read after its write as the unit's answer to it).
    clock.advance(60_000);
    z.hvac.coolingSetpoint = 25;
    await waitFor(
      'the unit reporting 25 °C',
      () => control.service.engine.array(`${AC}/cooling_setpoint`) !== undefined && reported() === 25,
      { seen: () => `${reported()} °C reported` },
    );
    clock.advance(3 * 60_000);
    await control.service.tick();
    await waitFor('a retained snapshot with not_following', () => drifting(snapshots.at(-1)) !== undefined, {
      seen: () => snapshots,
    });
    expect(snapshots.at(-1)?.source).toBe(`control/${siteId}`);
    expect(drifting(snapshots.at(-1))?.message).toMatch(/reports 25 but was set to 27/);
    expect(await registry.metrics()).toMatch(/jieneng_control_conditions\{rule="not_following"\} 1\n/);
    // The panel back at 27 °C: the unit follows its command again, and the condition clears.
    z.hvac.coolingSetpoint = 27;
    await waitFor(
      'the condition cleared',
      async () => {
        await control.service.tick();
        return (
          drifting(snapshots.at(-1)) === undefined && control.service.engine.conditions.list().length === 0
        );
      },
      { seen: () => ({ reported: reported(), last: snapshots.at(-1) }) },
    );
    await watcher.endAsync();
    expect(await registry.metrics()).toMatch(/jieneng_control_conditions\{rule="not_following"\} 0\n/);
  });
});
