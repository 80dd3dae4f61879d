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
import { writeTestSite } from './helpers/site.ts';
import { waitFor } from './helpers/wait.ts';

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
    // Batch 3 never arrives (it is rejected whole): reported once it is 300 ms overdue. Batch 2 is
    // a good envelope whose only reading is invalid: that reading is rejected, the batch is not.
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
    // Recent timestamps: the collector quarantines readings older than its accept window.
    const t0 = Date.now() - 3_600_000;
    const good = (seq: number, value: number) =>
      JSON.stringify({
        gateway: 'gw-bad',
        seq,
        sent_at: new Date(t0).toISOString(),
        readings: [
          {
            device: 'meter-a',
            point: 'active_power',
            value,
            unit: 'W',
            ts: new Date(t0 + seq * 1000).toISOString(),
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
        sent_at: new Date(t0).toISOString(),
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
    // A good envelope whose readings are a 1970 one, a 2100 one and one of a device not in the
    // site file: none is stored as a reading, all three are kept in quarantine with the reason.
    const stray = JSON.parse(good(5, 500));
    stray.readings = [
      { ...stray.readings[0], ts: '1970-01-01T00:00:00Z' },
      { ...stray.readings[0], ts: '2100-01-01T00:00:00Z' },
      { ...stray.readings[0], device: 'meter-z' },
    ];
    await pub.publishAsync(topic, JSON.stringify(stray), { qos: 1 });
    await pub.endAsync();

    await waitFor(
      'two good batches stored',
      () =>
        collector.status().detail?.readings_stored === 2 &&
        collector.status().detail?.rejected === 2 &&
        collector.status().detail?.readings_rejected === 1 &&
        collector.status().detail?.duplicates === 1 &&
        collector.status().detail?.gaps === 1 &&
        collector.status().detail?.quarantined === 2 &&
        collector.status().detail?.unknown_device_readings === 1,
      { seen: () => collector.status().detail },
    );
    await collector.stop();

    const rejected = lines.filter((l) => l.includes('telemetry rejected'));
    expect(rejected).toHaveLength(2);
    expect(rejected[0]).toContain('not JSON');
    const reading = lines.filter((l) => l.includes('reading rejected'));
    expect(reading).toHaveLength(1);
    expect(reading[0]).toContain('readings.0: value: Invalid input: expected number, received string');
    expect(reading[0]).toContain('ts: Invalid ISO datetime');
    expect(rejected[1]).toContain(
      'batch says gateway \\"gw-other\\" but was published on the topic of gateway \\"gw-bad\\"',
    );
    expect(
      lines.some(
        (l) =>
          l.includes('telemetry sequence gap') &&
          l.includes('expected=3') &&
          l.includes('got=4') &&
          l.includes('missing=3'),
      ),
    ).toBe(true);
    expect((await store.queryReadings({ device: 'meter-a' })).map((r) => r.value)).toEqual([100, 400]);
    expect((await store.queryReadings({})).length).toBe(2);
    const kept = await store.queryQuarantine({});
    expect(kept.map((q) => [q.device, q.ts, q.kind])).toEqual([
      ['meter-a', '1970-01-01T00:00:00Z', 'too_old'],
      ['meter-a', '2100-01-01T00:00:00Z', 'in_future'],
      ['meter-z', stray.readings[2].ts, 'unknown_device'],
    ]);
    expect(kept[0]?.reason).toContain('outside the accepted window');
    await store.close();
  });
});
