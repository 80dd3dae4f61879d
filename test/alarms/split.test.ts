import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { AlarmDb } from '../../core/alarms/db.ts';
import { topics } from '../../core/topics.ts';
import { spawnCli } from '../helpers/cli.ts';
import { writeTestSite } from '../helpers/site.ts';
import { waitFor } from '../helpers/wait.ts';
import { startMosquitto } from '../servers/mosquitto.ts';
import { freePort } from '../servers/process.ts';

describe('jieneng alarm-service (the split deployment)', () => {
  it('raises a gateway_offline from the retained availability and publishes it; stops on SIGTERM', async () => {
    const { dir, file } = writeTestSite({
      modbusPort: await freePort(),
      gatewayId: 'gw-al-split',
      devices: ['m-a'],
    });
    const site = parse(readFileSync(file, 'utf8'));
    site.alarms = { rules: { gateway_offline: { delay: '1s' } } };
    writeFileSync(file, stringify(site));
    const broker = await startMosquitto();
    const pub = await mqtt.connectAsync(broker.url, { clientId: `tap-split-${process.pid}` });
    const events: string[] = [];
    pub.on('message', (_t, p) => events.push(p.toString()));
    await pub.subscribeAsync(topics.alarmEvents, { qos: 1 });
    await pub.publishAsync(
      topics.availability('gw-al-split'),
      JSON.stringify({ state: 'offline', since: '2026-12-02T08:00:00+08:00' }),
      { retain: true, qos: 1 },
    );
    // Another site's collector on the same broker: its gateway is not ours.
    await pub.publishAsync(
      topics.conditions('collector', 'jn-collector-other-site'),
      JSON.stringify({
        source: 'collector/jn-collector-other-site',
        at: '2026-12-02T08:00:00+08:00',
        conditions: [
          {
            rule: 'collector_silence',
            key: 'gw-other',
            gateway: 'gw-other',
            at: '2026-12-02T08:00:00+08:00',
            message: 'silent',
            message_zh: '无数据',
          },
        ],
      }),
      { retain: true, qos: 1 },
    );
    const dataDir = join(dir, 'data');
    const cli = spawnCli([
      'alarm-service',
      '--config',
      file,
      '--mqtt-url',
      broker.url,
      '--data-dir',
      dataDir,
    ]);
    try {
      await waitFor('the alarm on jn/v1/alarms/events', () => events.some((e) => e.includes('"raise"')), {
        seen: () => cli.stderr().slice(-3000),
      });
      expect(existsSync(join(dataDir, 'alarms.db'))).toBe(true);
      const db = new AlarmDb(join(dataDir, 'alarms.db'), 'Asia/Shanghai');
      await new Promise((r) => setTimeout(r, 2000)); // past collector_silence's 1 s delay
      const [a, ...others] = db.list();
      db.close();
      expect(others).toEqual([]);
      expect(a).toMatchObject({ rule: 'gateway_offline', key: 'gw-al-split', state: 'active' });
      // The gateway told by the building its devices serve (alarms/naming.ts), and carrying it for routing.
      expect(a?.message_zh).toContain('网关 gw-al-split（一号楼） 自 2026-12-02 08:00:00 起离线');
      expect(a?.building).toBe('b1');
      expect(await cli.stop()).toBe(0);
    } finally {
      await cli.stop();
      await pub.endAsync();
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
