import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { parse, stringify } from 'yaml';
import { type Alarms, startAlarms } from '../../alarms/main.ts';
import { type Collector, startCollector } from '../../collector/main.ts';
import type { Alarm, AlarmEvent } from '../../core/alarms/model.ts';
import { systemClock } from '../../core/clock.ts';
import { loadSite } from '../../core/config/loadSite.ts';
import { createLogger } from '../../core/log.ts';
import { createStore } from '../../core/store/openStore.ts';
import type { Store } from '../../core/store/store.ts';
import { topics } from '../../core/topics.ts';
import { startSims } from '../../device-sims/main.ts';
import { loadScenario } from '../../device-sims/scenario/load.ts';
import { type Gateway, startGateway } from '../../gateway/main.ts';
import { writeTestSite } from '../helpers/site.ts';
import { startMosquitto, type TestMosquitto } from '../servers/mosquitto.ts';
import { freePort } from '../servers/process.ts';

/**
 * A one-gateway site on a Mosquitto of its own (its outages are the test's): simulated SDM630s
 * polled every 500 ms with a 500 ms timeout, the gateway and the alarm service in this process, and
 * a subscriber that records every AlarmEvent published. `alarms` is the site file's `alarms:`.
 */
export async function alarmBench(options: {
  gatewayId: string;
  devices: string[];
  alarms?: Record<string, unknown>;
  brokerGraceMs?: number;
  /** Runs a collector too (silence after `silenceMs`), on a store the test can make hang or fail. */
  collector?: { silenceMs: number };
}) {
  const { dir, file, scenarioFile } = writeTestSite({
    modbusPort: await freePort(),
    gatewayId: options.gatewayId,
    devices: options.devices,
    pollInterval: '500ms',
    timeout: '500ms',
  });
  const doc = parse(readFileSync(file, 'utf8'));
  doc.alarms = options.alarms ?? {};
  // Back within a second or two after a device answers again (the poller's backoff).
  for (const d of doc.gateways[0].connections[0].devices) d.max_retry_interval = '1s';
  writeFileSync(file, stringify(doc));
  const site = loadSite(file);
  const lines: string[] = [];
  const log = createLogger({ level: 'info', sink: { write: (l) => lines.push(l) } });
  const broker: TestMosquitto = await startMosquitto();
  const sims = await startSims({ scenario: loadScenario(scenarioFile), clock: systemClock, log });
  const store = createStore({ dataDir: dir });
  await store.open();
  /** What the collector's store does with a write: take it, hold it until `ok` again, or refuse it. */
  let storeMode: 'ok' | 'hang' | 'fail' = 'ok';
  let release: (() => void) | undefined;
  let released = Promise.resolve();
  const faultyStore = new Proxy(store, {
    get(target, prop) {
      if (prop === 'writeReadings')
        return async (rows: Parameters<Store['writeReadings']>[0]) => {
          if (storeMode === 'fail') throw new Error('disk I/O error (injected)');
          if (storeMode === 'hang') await released;
          return target.writeReadings(rows);
        };
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const setStore = (mode: 'ok' | 'hang' | 'fail') => {
    if (mode === 'hang' && storeMode !== 'hang') released = new Promise((r) => (release = r));
    if (mode !== 'hang') release?.();
    storeMode = mode;
  };
  const events: AlarmEvent[] = [];
  const retained = new Map<number, string>();
  const tap = await mqtt.connectAsync(broker.url, {
    clientId: `tap-alarms-${process.pid}`,
    reconnectPeriod: 500,
  });
  tap.on('message', (topic, payload) => {
    if (topic === topics.alarmEvents) events.push(JSON.parse(payload.toString()) as AlarmEvent);
    else retained.set(Number(topic.split('/').at(-1)), payload.toString());
  });
  await tap.subscribeAsync([topics.alarmEvents, 'jn/v1/alarms/open/+'], { qos: 1 });
  let gateway: Gateway | undefined;
  const startGw = async () => {
    gateway = await startGateway({
      site,
      gatewayId: options.gatewayId,
      mqttUrl: broker.url,
      dataDir: dir,
      clock: systemClock,
      log,
    });
  };
  await startGw();
  const collector: Collector | undefined = options.collector
    ? await startCollector({
        site,
        mqttUrl: broker.url,
        store: faultyStore,
        log,
        clock: systemClock,
        silenceMs: options.collector.silenceMs,
        gapGraceMs: 1000,
      })
    : undefined;
  const alarms: Alarms = await startAlarms({
    site,
    mqttUrl: broker.url,
    store,
    dbFile: join(dir, 'alarms.db'),
    clock: systemClock,
    log,
    tickMs: 200,
    detectorTickMs: 1000,
    settleMs: 3000,
    ...(options.brokerGraceMs === undefined ? {} : { brokerGraceMs: options.brokerGraceMs }),
  });
  const all = (): Alarm[] => alarms.db.list({ status: 'all' });
  return {
    dir,
    site,
    broker,
    sims,
    alarms,
    events,
    retained,
    lines,
    all,
    /** What the alarm database holds, one line each (for a failed wait). */
    seen: () =>
      `${all()
        .map((a) => `#${a.id} ${a.rule}:${a.key} ${a.state} count=${a.count} affected=${a.affected}`)
        .join('\n')}\n${lines.slice(-15).join('')}`,
    stopGateway: async () => {
      await gateway?.stop();
      gateway = undefined;
    },
    startGateway: startGw,
    setStore,
    stop: async () => {
      setStore('ok');
      await alarms.stop();
      await collector?.stop();
      await gateway?.stop();
      await tap.endAsync();
      await sims.stop();
      await store.close();
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
