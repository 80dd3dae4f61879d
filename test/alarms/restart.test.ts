import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { AlarmDb } from '../../core/alarms/db.ts';
import { apiToken } from '../helpers/apiAuth.ts';
import { spawnStart } from '../helpers/cli.ts';
import { writeTestSite } from '../helpers/site.ts';
import { waitFor } from '../helpers/wait.ts';
import { freePort } from '../servers/process.ts';

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
});
