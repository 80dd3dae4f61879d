import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startAlarms } from '../../alarms/main.ts';
import { AlarmDb } from '../../core/alarms/db.ts';
import { systemClock } from '../../core/clock.ts';
import { createLogger } from '../../core/log.ts';
import { createStore } from '../../core/store/openStore.ts';
import { apiToken } from '../helpers/apiAuth.ts';
import { spawnStart } from '../helpers/cli.ts';
import { writeTestSite } from '../helpers/site.ts';
import { waitFor } from '../helpers/wait.ts';
import { freePort } from '../servers/process.ts';
import { alarmBench } from './bench.ts';

/**
 * `jieneng start` as a user runs it (embedded broker, its login for the alarm service), on a site
 * of two meters: m-a simulated, m-b on a second bus where nothing listens (it never answers).
 */
async function siteWithDeadMeter() {
  const t = writeTestSite({
    modbusPort: await freePort(),
    gatewayId: 'gw-al-restart',
    devices: ['m-a'],
    pollInterval: '500ms',
    timeout: '500ms',
  });
  const site = parse(readFileSync(t.file, 'utf8'));
  const bus = site.gateways[0].connections[0];
  site.gateways[0].connections.push({
    ...bus,
    id: 'bus-2',
    port: await freePort(),
    devices: [{ ...bus.devices[0], id: 'm-b', max_retry_interval: '1s' }],
  });
  site.alarms = { rules: { device_offline: { delay: '1s' } } };
  writeFileSync(t.file, stringify(site));
  return t;
}

describe('alarms across a restart of jieneng start', () => {
  it('keeps the alarm and who acknowledged it', async () => {
    const { dir, file, scenarioFile } = await siteWithDeadMeter();
    const dbFile = join(dir, 'data', 'alarms.db');
    const args = ['--scenario', scenarioFile, '--history', 'none'];
    let cli = spawnStart(file, dir, ...args);
    let db: AlarmDb | undefined;
    try {
      await waitFor('the alarm service to run', () => cli.stderr().includes('alarm service running'), {
        seen: () => cli.stderr().slice(-3000),
      });
      expect(existsSync(dbFile)).toBe(true);
      db = new AlarmDb(dbFile, 'Asia/Shanghai'); // a second connection, as the API has
      const opened = db;
      await waitFor('device_offline of m-b', () => opened.openAlarm('device_offline', 'm-b') !== undefined, {
        seen: () => cli.stderr().slice(-3000),
      });
      const raised = opened.openAlarm('device_offline', 'm-b');
      expect(raised).toMatchObject({ state: 'active', severity: 'major', gateway: 'gw-al-restart' });
      opened.acknowledge(raised?.id ?? 0, 'engineer-wang', '已通知运维检查 m-b 接线', Date.now());
      expect(opened.list({ status: 'all' })).toHaveLength(1); // m-a answers: nothing of it
      expect(await cli.stop()).toBe(0);

      cli = spawnStart(file, dir, ...args);
      await waitFor('jieneng start to run again', () => cli.stdout().includes('jieneng is running'), {
        seen: () => cli.stderr().slice(-3000),
      });
      // The alarm service reads the retained availability again: still offline, the same alarm.
      await waitFor('the alarm service to run again', () => cli.stderr().includes('alarm service running'), {
        seen: () => cli.stderr().slice(-3000),
      });
      // The embedded broker forgot the retained availability: the gateway's online comes before it
      // has polled m-b again, and that must not clear m-b (it did once).
      await waitFor(
        'the gateway to find m-b offline again',
        () => cli.stderr().includes('device offline device=m-b'),
        {
          seen: () => cli.stderr().slice(-3000),
        },
      );
      await new Promise((r) => setTimeout(r, 2000)); // a few engine ticks after it
      const after = opened.get(raised?.id ?? 0);
      expect(after).toMatchObject({
        id: raised?.id,
        rule: 'device_offline',
        key: 'm-b',
        state: 'active',
        acknowledged: true,
        acknowledged_by: 'engineer-wang',
        ack_note: '已通知运维检查 m-b 接线',
        list: 'in_progress',
        count: 1,
      });
      expect(opened.list({ status: 'all' })).toHaveLength(1);
      expect(opened.transitions(raised?.id ?? 0).map((t) => [t.action, t.by])).toEqual([
        ['raise', 'alarm-service'],
        ['acknowledge', 'engineer-wang'],
      ]);
      // /metrics of jieneng start has the alarm service's figures beside the others'.
      const port = /API: +https?:\/\/127\.0\.0\.1:(\d+)/.exec(cli.stdout())?.[1];
      const viewer = apiToken(join(dir, 'data'), { role: 'viewer' });
      const metrics = await (
        await fetch(`http://127.0.0.1:${port}/metrics`, { headers: viewer.headers })
      ).text();
      expect(metrics).toMatch(/^jieneng_alarms_open\{severity="major",rule="device_offline"\} 1$/m);
      expect(metrics).toContain('# TYPE jieneng_alarm_transitions_total counter');
      expect(metrics).toContain('jieneng_control_commands_total');
      const health = (await (await fetch(`http://127.0.0.1:${port}/api/v1/health`)).json()) as Record<
        string,
        unknown
      >;
      expect(JSON.stringify(health)).toMatch(/"alarms":\{"state":"(running|degraded)"/);
      expect(await cli.stop()).toBe(0);
    } finally {
      db?.close();
      await cli.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a telemetry alarm still active from before the restart clears once the data is good again', async () => {
    const b = await alarmBench({ gatewayId: 'gw-al-seed', devices: ['m-a'] });
    // The alarms.db of the run before: m-a stale, raised an hour ago and still active.
    const dbFile = join(b.dir, 'before-restart.db');
    const before = new AlarmDb(dbFile, 'Asia/Shanghai');
    const hourAgo = Date.now() - 3_600_000;
    before.observe(
      {
        rule: 'stale',
        key: 'm-a',
        active: true,
        at: new Date(hourAgo).toISOString(),
        device: 'm-a',
        gateway: 'gw-al-seed',
        message: 'device "m-a": 3 of 3 points have brought no new reading',
        message_zh: '设备 m-a：3 个点中有 3 个没有新数据',
      },
      { now: hourAgo, severity: 'major', holdOffMs: 600_000 },
    );
    before.close();
    const storeDir = join(b.dir, 'restart-store');
    const store = createStore({ dataDir: storeDir });
    await store.open();
    const lines: string[] = [];
    const alarms = await startAlarms({
      site: b.site,
      mqttUrl: b.broker.url,
      store,
      dbFile,
      clock: systemClock,
      log: createLogger({ level: 'info', sink: { write: (l) => lines.push(l) } }),
      tickMs: 200,
      detectorTickMs: 500,
      settleMs: 3000,
    });
    try {
      expect(lines.join('')).toContain('telemetry alarms still active from before the restart');
      // m-a answers (the simulator): the stale detector of this run judges its points fresh.
      await waitFor(
        'the stale alarm to clear',
        () => alarms.db.openAlarm('stale', 'm-a')?.state === 'cleared',
        {
          seen: () => `${JSON.stringify(alarms.db.list({ status: 'all' }))}\n${lines.slice(-10).join('')}`,
        },
      );
      const [a] = alarms.db.list({ status: 'all' });
      expect(a).toMatchObject({ rule: 'stale', key: 'm-a', count: 1, state: 'cleared' });
      expect(alarms.db.transitions(a?.id ?? 0).map((t) => [t.action, t.by])).toEqual([
        ['raise', 'alarm-service'],
        ['clear', 'alarm-service'],
      ]);
    } finally {
      await alarms.stop();
      await store.close();
      await b.stop();
    }
  });
});
