import mqtt from 'mqtt';
import { describe, expect, inject, it } from 'vitest';
import { AvailabilityWatch } from '../api/availability.ts';
import { createLogger } from '../core/log.ts';
import { topics } from '../core/topics.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * The API's view of device availability, from retained topics on the real Mosquitto: what a gateway
 * published before the API started is there, a gateway's last will darkens its devices, an empty
 * message forgets a device, and a broken payload is ignored with one warning.
 */
describe('AvailabilityWatch', () => {
  it('keeps the retained state of every device, overlaid by its gateway being offline', async () => {
    const gwA = `gw-avail-a-${process.pid}`;
    const gwB = `gw-avail-b-${process.pid}`;
    const pub = await mqtt.connectAsync(inject('mosquittoUrl'), { clientId: `jn-test-avail-${process.pid}` });
    const retain = (topic: string, payload: string) =>
      pub.publishAsync(topic, payload, { qos: 1, retain: true });
    const since = '2026-12-01T08:00:00.000Z';
    await retain(topics.deviceAvailability(gwA, 'd1'), JSON.stringify({ state: 'online', since }));
    await retain(topics.deviceAvailability(gwA, 'd2'), '{"state":"sleepy"}');
    await retain(topics.deviceAvailability(gwB, 'd3'), JSON.stringify({ state: 'online', since }));
    await retain(
      topics.availability(gwB),
      JSON.stringify({ state: 'offline', since: '2026-12-01T09:00:00.000Z' }),
    );

    const lines: string[] = [];
    const watch = new AvailabilityWatch({
      mqttUrl: inject('mosquittoUrl'),
      log: createLogger({ sink: { write: (l) => lines.push(l) } }),
    });
    try {
      await waitFor(
        'the retained states',
        () => watch.get('d1') !== undefined && watch.get('d3') !== undefined,
      );
      expect(watch.get('d1')).toEqual({ state: 'online', since, gateway: gwA });
      expect(watch.get('d3')).toEqual({
        state: 'offline',
        since: '2026-12-01T09:00:00.000Z',
        reason: `gateway "${gwB}" is offline`,
        gateway: gwB,
      });
      await waitFor('the broken payload to be reported', () => lines.some((l) => l.includes('d2')));
      expect(watch.get('d2')).toBeUndefined();
      await retain(topics.deviceAvailability(gwA, 'd2'), '{"state":"sleepy"}');
      await retain(topics.deviceAvailability(gwA, 'd1'), ''); // the gateway removed d1
      await waitFor('d1 forgotten', () => watch.get('d1') === undefined);
      expect(lines.filter((l) => l.includes('availability message ignored'))).toHaveLength(1);
    } finally {
      await watch.stop();
      for (const t of [
        topics.deviceAvailability(gwA, 'd2'),
        topics.deviceAvailability(gwB, 'd3'),
        topics.availability(gwB),
      ])
        await retain(t, '');
      await pub.endAsync();
    }
  });
});
