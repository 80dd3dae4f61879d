import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type Alarms, startAlarms } from '../../alarms/main.ts';
import { demoSite } from '../../cli/context.ts';
import { type Collector, startCollector } from '../../collector/main.ts';
import { type Control, startControl } from '../../control/main.ts';
import { alarmRules } from '../../core/alarms/model.ts';
import { dayInfo } from '../../core/calendar.ts';
import { ManualClock } from '../../core/clock.ts';
import { type LoadedSite, loadSite } from '../../core/config/loadSite.ts';
import { generateCommandKey } from '../../core/control/commandSignature.ts';
import { localClock } from '../../core/localTime.ts';
import { createLogger } from '../../core/log.ts';
import { createStore } from '../../core/store/openStore.ts';
import type { Store } from '../../core/store/store.ts';
import type { TelemetryBatch } from '../../core/telemetry.ts';
import { topics } from '../../core/topics.ts';
import { seedHistory } from '../../device-sims/history/history.ts';
import { type Sims, startSims } from '../../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../../device-sims/scenario/load.ts';
import { type Gateway, startGateway } from '../../gateway/main.ts';
import { WAIT_MS } from '../helpers/wait.ts';
import { freePort } from '../servers/process.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const TZ = 'Asia/Shanghai';
/**
 * The simulated week: Saturday 2026-09-19 00:00 to Saturday 09-26 00:00 local — a weekend day, a
 * 补班 Sunday (09-20, 国庆节 make-up), four workdays and the 中秋 holiday (09-25).
 */
const WEEK_START = Date.parse('2026-09-19T00:00:00+08:00');
/** JN_WEEK_DAYS=2 runs the first days only (the weekend and the 补班), for a quicker look. */
const DAYS = Number(process.env.JN_WEEK_DAYS ?? 7);
/**
 * Data time per step (JN_WEEK_STEP_MIN to change it). The demo reads its meters every 2 s of
 * real time; at --speed 60 that is a reading each 2 simulated minutes. A week of 2-minute steps
 * does not fit in a few minutes of test time, so each step is 5 minutes of data time and every
 * device is read (at least) once in it: half of stale's 10 min, so one missed step is tolerated
 * and two missed steps in a row raise stale, as they would in the demo.
 */
const STEP_MS = Number(process.env.JN_WEEK_STEP_MIN ?? 5) * MIN;
/** Weeks of simulated consumption before the week (the data rules' baselines: after_hours learns 4). */
const HISTORY_DAYS = 35;
const GW = `gw-week-${process.pid}`;
/** CPU seconds this process used since `from` (every service of the test runs in it; Mosquitto aside). */
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
};

/**
 * The demo site `jieneng start` runs (examples/demo-site.yaml) on free loopback ports, its gateway
 * renamed (the Mosquitto is shared with other tests), its Modbus devices polled each 100 ms of real
 * time (a step waits for a poll of every device; at 50 ms the 17 meters on one connection ask
 * about as much as the simulator's Modbus server answers, ~720 requests/s (DESIGN §9), and a run
 * on a loaded machine raised device_offline), its OPC UA subscription sampled
 * and published each 500 ms — one to a few steps, as the demo's 5 s at --speed 60 is 5 simulated
 * minutes: a unit's change reaches control and the alarms about a step later, as in the demo, and
 * no step waits for the units; everything else (meters, alarm rules, calendar) as the demo has it.
 */
function demoOnFreePorts(
  dir: string,
  ports: Map<number, number>,
  opcuaPort: number,
): { site: LoadedSite; file: string } {
  const site = parse(readFileSync(demoSite, 'utf8'));
  site.site.id = `week-${process.pid}`;
  expect(site.gateways).toHaveLength(1);
  site.gateways[0].id = GW;
  for (const c of site.gateways[0].connections) {
    if (c.protocol === 'modbus_tcp') {
      c.port = ports.get(c.port);
      for (const d of c.devices) d.poll_interval = '100ms';
    } else if (c.protocol === 'opcua') {
      c.endpoint = `opc.tcp://127.0.0.1:${opcuaPort}/jieneng`;
      c.sampling_interval = '500ms';
      c.publishing_interval = '500ms';
    }
  }
  const file = join(dir, 'site.yaml');
  writeFileSync(file, stringify(site));
  return { site: loadSite(file), file };
}

/**
 * Issue 17's acceptance: a simulated normal week of the demo raises no alarm. The demo site with
 * its simulator (the default scenario, no faults), a real gateway over Modbus TCP and OPC UA on
 * loopback, Mosquitto, the collector into the embedded SQLite store (so the data rules see the
 * week's rollups beside five weeks of simulated history), control with the demo's schedules,
 * optimal start, lighting sweeps and demand limit (as `jieneng start` runs it: cli/siteServices.ts,
 * the gateway's command key shared) and the alarm service, all on one ManualClock moved through
 * the week a step at a time. A step ends when every polled device has been read at its new time
 * and control has run a cycle at it (its writes answered); the step 10 minutes past each hour,
 * when the data rules judge the hour before, also waits until the collector stored what was
 * published, its rollup job ran over it and the data rules ran after that — every hour judged.
 */
describe('a simulated normal week of the demo raises no alarm', () => {
  const clock = new ManualClock(WEEK_START);
  const log = createLogger({ level: 'error' });
  const dir = mkdtempSync(join(tmpdir(), 'jn-week-'));
  let site: LoadedSite;
  let sims: Sims;
  let gateway: Gateway;
  let store: Store;
  let collector: Collector;
  let control: Control;
  let alarms: Alarms;
  let sub: mqtt.MqttClient;
  /** Devices read by polling (Modbus), and those an OPC UA subscription reports on change only. */
  const polled: string[] = [];
  const onChange: string[] = [];
  /** The newest source time seen per device (ms), the readings seen per device, and per local day. */
  const newest = new Map<string, number>();
  const readings = new Map<string, number>();
  const daysRead = new Map<string, Set<string>>();
  /** Telemetry batches seen (epoch:seq), to know when the collector has stored as many. */
  const seen = new Set<string>();
  let seeded = 0;
  let steps = 0;
  const timing = { steps: 0, hours: 0 };

  beforeAll(async () => {
    const scenario = loadScenario(defaultScenarioFile);
    const ports = new Map<number, number>();
    for (const d of scenario.scenario.devices)
      if (d.modbus.port !== undefined && !ports.has(d.modbus.port))
        ports.set(d.modbus.port, await freePort());
    const opcuaPort = await freePort();
    expect(scenario.scenario.opcua).toBeDefined();
    const scenarioDevices = scenario.scenario.devices.map((d) => ({
      ...d,
      modbus: { ...d.modbus, ...(d.modbus.port === undefined ? {} : { port: ports.get(d.modbus.port) }) },
    }));
    ({ site } = demoOnFreePorts(dir, ports, opcuaPort));
    for (const c of site.config.gateways.flatMap((g) => g.connections))
      (c.protocol === 'opcua' ? onChange : polled).push(...c.devices.map((d) => d.id));
    store = createStore({
      dataDir: join(dir, 'data'),
      rawRetentionDays: site.config.platform.raw_retention_days,
    });
    await store.open();
    // What `jieneng start` writes with --history: the simulated consumption before the week.
    const history = await seedHistory(store, site, {
      from: localClock(WEEK_START - HISTORY_DAYS * DAY, TZ).date,
      until: WEEK_START,
    });
    seeded = history.written;
    sims = await startSims({
      scenario: {
        ...scenario,
        scenario: {
          ...scenario.scenario,
          devices: scenarioDevices as typeof scenario.scenario.devices,
          opcua: {
            ...(scenario.scenario.opcua as NonNullable<typeof scenario.scenario.opcua>),
            port: opcuaPort,
          },
          faults: [],
        },
      },
      clock,
      log,
    });
    const mqttUrl = inject('mosquittoUrl');
    sub = await mqtt.connectAsync(mqttUrl, { clientId: `jn-test-week-${process.pid}` });
    sub.on('message', (_topic, payload) => {
      // The collector validates every batch; the test only counts (a zod parse per batch costs CPU the services need).
      const batch = JSON.parse(payload.toString()) as TelemetryBatch;
      const id = `${batch.epoch ?? ''}:${batch.seq}`;
      if (seen.has(id)) return;
      seen.add(id);
      for (const r of batch.readings) {
        const ts = Date.parse(r.ts);
        newest.set(r.device, Math.max(newest.get(r.device) ?? 0, ts));
        readings.set(r.device, (readings.get(r.device) ?? 0) + 1);
        const days = daysRead.get(r.device) ?? new Set<string>();
        days.add(localClock(ts, TZ).date);
        daysRead.set(r.device, days);
      }
    });
    await sub.subscribeAsync(topics.telemetry(GW), { qos: 1 });
    collector = await startCollector({
      site,
      mqttUrl,
      store,
      log,
      clock,
      clientId: `jn-collector-${site.config.site.id}`,
      persistentSession: false,
      rollupIntervalMs: 150,
    });
    // Control and the gateway share the gateway's command key, as in `jieneng start`.
    const commandKey = generateCommandKey();
    control = await startControl({
      site,
      mqttUrl,
      dbFile: join(dir, 'data', 'control.db'),
      clock,
      log,
      // Two cycles (what a step waits for) within the ~130 ms a step waits for its polls anyway.
      tickMs: 40,
      commandKeys: new Map([[GW, commandKey]]),
    });
    alarms = await startAlarms({
      site,
      mqttUrl,
      store,
      dbFile: join(dir, 'data', 'alarms.db'),
      clock,
      log,
      tickMs: 50,
      detectorTickMs: 50,
      dataRulesMs: 20,
      settleMs: 1000,
    });
    gateway = await startGateway({
      site,
      gatewayId: GW,
      mqttUrl,
      dataDir: join(dir, 'gw'),
      clock,
      log,
      commandKey,
    });
  }, 300_000);
  afterAll(async () => {
    await gateway?.stop();
    await alarms?.stop();
    await control?.stop();
    await collector?.stop();
    await sub?.endAsync();
    await sims?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const detail = (s: { detail?: Record<string, unknown> }) => s.detail ?? {};
  const controlCycles = () => Number(detail(control.status()).cycles ?? 0);
  const dataRuleRuns = () => Number(detail(alarms.status()).data_rule_runs ?? 0);
  const stored = () => Number(detail(collector.status()).batches ?? 0);
  const rollupRuns = () =>
    Number((detail(collector.status()).rollups as { runs?: number } | undefined)?.runs ?? 0);

  /** Like waitFor, polling each 5 ms: a step's conditions hold within tens of ms. */
  async function until(what: string, check: () => boolean, seenNow?: () => unknown): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!check()) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}${seenNow ? `; last seen: ${JSON.stringify(seenNow())}` : ''}`,
        );
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Every polled device read at the clock's time (the gateway polls in real time, stamps with the clock), and a control cycle run at it. */
  async function settled(): Promise<void> {
    const now = clock.now();
    const cycles = controlCycles();
    await until(
      `readings of every polled device and a control cycle at ${new Date(now).toISOString()}`,
      () => polled.every((d) => (newest.get(d) ?? 0) >= now) && controlCycles() >= cycles + 2,
      () => ({
        behind: polled
          .filter((d) => (newest.get(d) ?? 0) < now)
          .map((d) => `${d}@${new Date(newest.get(d) ?? 0).toISOString()}`),
        control_cycles: controlCycles() - cycles,
      }),
    );
  }

  /**
   * What was published is stored; returns the collector's rollup runs then (two more: one began
   * after it was stored, and rolled it up).
   */
  async function storedNow(): Promise<number> {
    const published = seen.size;
    await until(
      'the collector storing what was published',
      () => stored() >= published,
      () => ({
        stored: stored(),
        published,
      }),
    );
    return rollupRuns();
  }

  /** Rolled up (`rollups`: storedNow's answer) and judged by the data rules (≥ 2 runs: one began after). */
  async function judged(rollups: number): Promise<void> {
    await until('two rollup runs', () => rollupRuns() >= rollups + 2);
    const runs = dataRuleRuns();
    await until('two data-rule runs', () => dataRuleRuns() >= runs + 2);
  }

  it('seven days with a weekend, a 补班 and a holiday: no alarm of any rule, the week stored', {
    timeout: 900_000,
  }, async () => {
    const days = Array.from(
      { length: DAYS },
      (_, i) => localClock(WEEK_START + i * DAY + 12 * 3_600_000, TZ).date,
    );
    expect(days.map((d) => dayInfo(d).type)).toEqual(
      ['weekend', 'makeup_workday', 'workday', 'workday', 'workday', 'workday', 'holiday'].slice(0, DAYS),
    );
    expect(seeded).toBeGreaterThan(0);
    const started = Date.now();
    const cpu = process.cpuUsage();
    await settled();
    const end = WEEK_START + DAYS * DAY;
    // Past the week's end by an hour and a quarter: its last hour and day are complete and judged.
    let rollupsAtHour = rollupRuns();
    while (clock.now() < end + 75 * MIN) {
      clock.advance(STEP_MS);
      const t0 = Date.now();
      await settled();
      const t1 = Date.now();
      timing.steps += t1 - t0;
      // The data rules judge the hour before 10 minutes past each hour (alarms/rules/afterHours.ts):
      // its readings (the last one at the hour) stored at the hour, rolled up and judged by then —
      // the rollup job runs meanwhile (each 150 ms, not each 20 ms: every run recomputes the hour
      // and day of every meter that got readings, and they get readings at every step), so that
      // this seldom waits.
      if (clock.now() % HOUR === 0) rollupsAtHour = await storedNow();
      if (clock.now() % HOUR === 10 * MIN) await judged(rollupsAtHour);
      timing.hours += Date.now() - t1;
      steps++;
      if (clock.now() % DAY === 16 * HOUR)
        console.log(
          `${localClock(clock.now() - 1, TZ).date} simulated: ${steps} steps, ${Math.round((Date.now() - started) / 1000)} s real, ${Math.round(cpuSeconds(cpu))} s CPU`,
        );
    }
    const realMs = Date.now() - started;
    const cpuS = Math.round(cpuSeconds(cpu));
    // The collector stored the last step and its rollups of the week's local days.
    const meters = site.config.meters.map((m) => m.id);
    const week = async () =>
      (await store.queryRollups({ period: 'day', from: WEEK_START, to: end })).filter(
        (r) => r.value > 0 || r.estimated >= 0,
      );
    await judged(await storedNow());

    const all = alarms.db.list({ status: 'all', limit: 1000 });
    const perRule: Record<string, number> = Object.fromEntries(alarmRules.map((r) => [r, 0]));
    for (const a of all) perRule[a.rule] = (perRule[a.rule] ?? 0) + 1;
    // The newest stored reading of each device (all the week's raw readings are too many to read back).
    const newestStored = new Map<string, number>();
    for (const r of await store.latest())
      newestStored.set(r.device, Math.max(newestStored.get(r.device) ?? 0, r.ts));
    const c = detail(control.status());
    console.log(
      `week ${days[0]} … ${days.at(-1)} (${days.map((d) => dayInfo(d).type).join(', ')}), step ${STEP_MS / MIN} min, ` +
        `${steps} steps in ${Math.round(realMs / 1000)} s real, ${cpuS} s CPU of this process (sims, gateway, collector, control, alarms; ${Math.round(realMs / steps)} ms/step: ` +
        `${Math.round(timing.steps / steps)} ms waiting for readings and control, ${Math.round(timing.hours / 1000)} s in all for the hourly store → rollups → data rules); ` +
        `${seeded} rollups of history seeded; ${[...readings.values()].reduce((a, b) => a + b, 0)} readings published; ` +
        `control: ${c.cycles} cycles; alarms: ${dataRuleRuns()} data-rule runs\n` +
        `alarms per rule: ${JSON.stringify(perRule)}\n` +
        all
          .map((a) => `  #${a.id} ${a.rule} ${a.key} ${a.state} ${a.last_raised_at}: ${a.message}`)
          .join('\n'),
    );
    // The week ran: rollups of the local days of every meter, readings of every device each day.
    const rows = await week();
    for (const m of meters)
      expect(new Set(rows.filter((r) => r.meter === m).map((r) => r.start)).size, `days of meter ${m}`).toBe(
        DAYS,
      );
    for (const d of polled) {
      expect(readings.get(d) ?? 0, `readings of ${d}`).toBeGreaterThanOrEqual((DAYS * DAY) / STEP_MS);
      expect(newestStored.get(d) ?? 0, `newest stored reading of ${d}`).toBeGreaterThanOrEqual(end);
    }
    // A subscription reports a change only: every unit reported on every day of the week, at its time.
    for (const d of onChange)
      expect([...(daysRead.get(d) ?? [])].sort(), `days ${d} reported`).toEqual(
        days.concat(localClock(end, TZ).date),
      );
    expect(alarms.status().state).toBe('running');
    expect(all.map((a) => `${a.rule} ${a.key}: ${a.message}`)).toEqual([]);
  });
});
