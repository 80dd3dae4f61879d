import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type Alarms, startAlarms } from '../alarms/main.ts';
import { type Control, startControl } from '../control/main.ts';
import { ManualClock } from '../core/clock.ts';
import { type LoadedSite, loadSite } from '../core/config/loadSite.ts';
import { generateCommandKey } from '../core/control/commandSignature.ts';
import { createLogger } from '../core/log.ts';
import { createStore } from '../core/store/openStore.ts';
import type { Store } from '../core/store/store.ts';
import { topics } from '../core/topics.ts';
import { type Sims, startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { waitFor } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

/**
 * Issue 17: a command the unit did not follow is asserted again. On the real path — device-sims'
 * OPC UA zone units → gateway → Mosquitto → control and the alarm service — a unit that
 * acknowledges and ignores writes (the `ignore_writes` fault) is written again with the default
 * backoff (1, 2, 5, 10 min, then every 10 min) on a ManualClock; once the fault is gone the next
 * re-write lands without anyone sending a new command, the not_following alarm clears, and the
 * audit shows each re-write with its read-back. A unit that follows is never written again.
 */
describe('a command the unit did not follow is re-asserted until it follows', () => {
  const AC = 'zonghe-lou-f1-3-ac';
  const UNIT = 'zonghe-lou.f1-3'; // the unit as device-sims names it: building.zone
  const POINT = `${AC}/cooling_setpoint`;
  const GW = 'gw-reassert';
  const clock = new ManualClock(Date.parse('2025-07-15T10:00:00+08:00'));
  const key = generateCommandKey();
  const log = createLogger({ level: 'error' });
  let dir = '';
  let sims: Sims;
  let gateway: Gateway;
  let alarms: Alarms;
  let store: Store;
  let control: Control;
  const zone = () => sims.simulation.building('zonghe-lou')?.zone('f1-3');
  const alarm = () =>
    alarms.db.list({ status: 'all' }).find((a) => a.rule === 'not_following' && a.key === POINT);
  type Line = {
    action: string;
    outcome: string;
    source: string;
    requested: number | null;
    read_back: number | null;
    reason: string | null;
    device: string;
    point: string;
  };
  const audit = () => (control.service.audit({ limit: 10_000 }) as Line[]).slice().reverse(); // oldest first
  const reasserts = () => audit().filter((a) => a.action === 'reassert');
  const held = () => control.service.engine.conditions.list().filter((c) => c.key === POINT);
  const seen = () => ({
    alarm: alarm()?.state,
    conditions: control.service.engine.conditions.list(),
    unit: zone()?.hvac.coolingSetpoint,
    reasserts: reasserts(),
  });
  /** Lets `ms` of site time pass on the shared clock and runs a control cycle. */
  const passing = async (ms: number) => {
    clock.advance(ms);
    await control.service.tick();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jn-reassert-'));
    const port = await freePort();
    const loaded = loadScenario(defaultScenarioFile);
    sims = await startSims({
      scenario: {
        ...loaded,
        scenario: { ...loaded.scenario, devices: [], opcua: { port, profile: 'opcua/jieneng/hvac-zone' } },
      },
      clock,
      log,
    });
    // The demo site with only its OPC UA air-conditioning units and their control points.
    const doc = parse(readFileSync(join(import.meta.dirname, '../examples/demo-site.yaml'), 'utf8'));
    doc.gateways = [
      {
        id: GW,
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
    doc.site.id = `reassert-${process.pid}`; // topics of its own on the shared broker (conditions, alarms)
    doc.meters = [];
    doc.control.groups = doc.control.groups.filter((g: { class: string }) => g.class === 'hvac');
    const kept = new Set(doc.control.groups.map((g: { id: string }) => g.id));
    doc.control.points = doc.control.points.filter((p: { group: string }) => kept.has(p.group));
    delete doc.control.lighting_sweeps;
    doc.control.demand_limits = [];
    doc.control.schedules = [];
    // control.reassert is left out: the defaults are what is tested.
    doc.alarms = { rules: {} };
    const file = join(dir, 'site.yaml');
    writeFileSync(file, stringify(doc));
    const site: LoadedSite = loadSite(file);
    const mqttUrl = inject('mosquittoUrl');
    store = createStore({ dataDir: dir });
    await store.open();
    gateway = await startGateway({ site, gatewayId: GW, mqttUrl, dataDir: dir, clock, log, commandKey: key });
    alarms = await startAlarms({
      site,
      mqttUrl,
      store,
      dbFile: join(dir, 'alarms.db'),
      clock,
      log,
      tickMs: 100,
      detectorTickMs: 200,
      settleMs: 60_000,
    });
    // Control starts once the gateway publishes the units' values (its OPC UA session is up).
    const watcher = await mqtt.connectAsync(mqttUrl);
    let telemetry = false;
    watcher.on('message', (_t, p) => {
      if (p.toString().includes(AC)) telemetry = true;
    });
    await watcher.subscribeAsync(topics.telemetry(GW), { qos: 1 });
    await waitFor('telemetry of the AC units', () => telemetry);
    await watcher.endAsync();
    control = await startControl({
      site,
      mqttUrl,
      dbFile: join(dir, 'control.db'),
      clock,
      log,
      tickMs: 200,
      readyWaitMs: 1000,
      commandKeys: new Map([[GW, key]]),
    });
    await waitFor(
      'the relinquish default (26 °C) written and followed',
      () => control.service.engine.array(POINT)?.last_written === 26 && zone()?.hvac.coolingSetpoint === 26,
      { seen },
    );
  }, 300_000);
  afterAll(async () => {
    await control?.stop();
    await alarms?.stop();
    await gateway?.stop();
    await sims?.stop();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ignored: not_following and re-writes with its read-back; fault cleared: the next re-write lands, condition and alarm cleared, and nothing more is written', async () => {
    sims.faults.inject(UNIT, { kind: 'ignore_writes' });
    const asked = await control.service.command({
      device: AC,
      point: 'cooling_setpoint',
      priority: 8,
      value: 27,
      actor: { user: '李工', role: 'engineer', via: 'session', scopes: [] },
      expiresAt: clock.now() + 8 * 3_600_000,
    });
    expect(asked).toMatchObject({ accepted: true, write: { status: 'written', readBack: 26 } });
    await waitFor(
      'the not_following alarm raised',
      async () => {
        await passing(1000); // the rule's delay, on the shared clock
        return alarm()?.state === 'active';
      },
      { seen },
    );

    // The unit still ignores writes: control writes 27 again (the first after a minute), reads 26 back.
    await waitFor(
      'a re-write of 27 audited with its read-back',
      async () => {
        await passing(10_000);
        return reasserts().length > 0;
      },
      { seen },
    );
    expect(reasserts()[0]).toMatchObject({
      device: AC,
      point: 'cooling_setpoint',
      source: 'user:李工',
      requested: 27,
      read_back: 26,
      outcome: 'not_following',
    });
    expect(reasserts()[0]?.reason).toMatch(/^第 1 次重新下发（自 2025-07-15T10:\d\d:\d\d\+08:00 起未执行）/);
    expect(alarm()?.state).toBe('active');
    expect(zone()?.hvac.coolingSetpoint).toBe(26);

    // The unit mended (the fault cleared); nobody sends a new command.
    sims.faults.clear(UNIT, 'ignore_writes');
    await waitFor(
      'a re-write that lands, the condition and the alarm cleared',
      async () => {
        await passing(10_000);
        return (
          reasserts().at(-1)?.outcome === 'written' && held().length === 0 && alarm()?.state !== 'active'
        );
      },
      { seen },
    );
    expect(zone()?.hvac.coolingSetpoint).toBe(27);
    expect(reasserts().at(-1)).toMatchObject({ source: 'user:李工', requested: 27, read_back: 27 });
    expect(reasserts().at(-1)?.reason).toMatch(/re-assert \d+ .*: read back 27 after writing 27: following$/);
    // The one command of the test is 李工's: the 27 °C that landed came from a re-write.
    expect(audit().filter((a) => a.action === 'set' && a.point === 'cooling_setpoint')).toHaveLength(1);
    // Every re-write was of this point, the only one that did not follow.
    expect(new Set(reasserts().map((a) => `${a.device}/${a.point}`))).toEqual(new Set([POINT]));

    // Following now: half an hour of control cycles writes nothing again, to this point or any other.
    const before = audit().filter((a) => a.action === 'write' || a.action === 'reassert').length;
    for (let i = 0; i < 30; i++) await passing(60_000);
    expect(audit().filter((a) => a.action === 'write' || a.action === 'reassert')).toHaveLength(before);
    expect(held()).toEqual([]);
    expect(zone()?.hvac.coolingSetpoint).toBe(27);
  });
});
