import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, inject, it } from 'vitest';
import { startCollector } from '../collector/main.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import { topics } from '../core/topics.ts';
import { waitFor, writeTestSite } from './helpers/site.ts';

describe('collector on malformed telemetry (real Mosquitto)', () => {
  it('logs why each bad message was rejected and keeps storing good ones', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', sink: { write: (l) => lines.push(l) } });
    const site = loadSite(
      writeTestSite({ modbusPort: 15020, gatewayId: 'gw-bad', devices: ['meter-a'] }).file,
    );
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'jn-bad-')), 'jieneng.db'));
    await store.open();
    const mqttUrl = inject('mosquittoUrl');
    // Batch 2 and 3 never arrive (3 is rejected): reported once they are 300 ms overdue.
    const collector = await startCollector({
      site,
      mqttUrl,
      store,
      log,
      clientId: 'c-malformed',
      gapGraceMs: 300,
    });
    const pub = await mqtt.connectAsync(mqttUrl);
    const topic = topics.telemetry('gw-bad');
    const good = (seq: number, value: number) =>
      JSON.stringify({
        gateway: 'gw-bad',
        seq,
        sent_at: '2026-11-25T02:00:00Z',
        readings: [
          {
            device: 'meter-a',
            point: 'active_power',
            value,
            unit: 'W',
            ts: `2026-11-25T02:00:0${seq}Z`,
            quality: 'good',
          },
        ],
      });

    await pub.publishAsync(topic, good(1, 100), { qos: 1 });
    await pub.publishAsync(topic, '{"gateway": "gw-bad", "seq": ', { qos: 1 });
    await pub.publishAsync(
      topic,
      JSON.stringify({
        gateway: 'gw-bad',
        seq: 2,
        sent_at: '2026-11-25T02:00:00Z',
        readings: [
          { device: 'meter-a', point: 'active_power', value: 'hot', ts: 'yesterday', quality: 'good' },
        ],
      }),
      { qos: 1 },
    );
    await pub.publishAsync(topic, good(3, 300).replace('"gateway":"gw-bad"', '"gateway":"gw-other"'), {
      qos: 1,
    });
    await pub.publishAsync(topic, good(4, 400), { qos: 1 });
    await pub.publishAsync(topic, good(4, 400), { qos: 1 }); // redelivery
    await pub.endAsync();

    await waitFor(
      'two good batches stored',
      () =>
        collector.status().detail?.readings_stored === 2 &&
        collector.status().detail?.rejected === 3 &&
        collector.status().detail?.duplicates === 1 &&
        collector.status().detail?.gaps === 1,
    );
    await collector.stop();

    const rejected = lines.filter((l) => l.includes('telemetry rejected'));
    expect(rejected).toHaveLength(3);
    expect(rejected[0]).toContain('not JSON');
    expect(rejected[1]).toContain('readings.0.value: Invalid input: expected number, received string');
    expect(rejected[1]).toContain('readings.0.ts: Invalid ISO datetime');
    expect(rejected[2]).toContain(
      'batch says gateway \\"gw-other\\" but was published on the topic of gateway \\"gw-bad\\"',
    );
    expect(
      lines.some(
        (l) =>
          l.includes('telemetry sequence gap') &&
          l.includes('expected=2') &&
          l.includes('got=4') &&
          l.includes('missing=2,3'),
      ),
    ).toBe(true);
    expect((await store.queryReadings({ device: 'meter-a' })).map((r) => r.value)).toEqual([100, 400]);
    await store.close();
  });
});
