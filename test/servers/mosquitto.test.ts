import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.ts';
import { startMosquitto } from './mosquitto.ts';

describe('test Mosquitto with persistence', () => {
  // Tests of broker outages depend on it: a restarted broker that forgot its subscribers would
  // drop what a gateway replays before they subscribe again.
  it('keeps a session, its subscription and the messages queued for it across a restart', async () => {
    const broker = await startMosquitto({ persistence: true });
    const got: string[] = [];
    // The handler is in place before CONNACK: the broker sends queued messages right after it.
    const subscriber = async () => {
      const c = mqtt.connect(broker.url, { clientId: 'jn-persist-sub', clean: false, reconnectPeriod: 0 });
      c.on('message', (_t, p) => got.push(p.toString()));
      await new Promise((resolve, reject) => c.once('connect', resolve).once('error', reject));
      return c;
    };
    try {
      const sub = await subscriber();
      await sub.subscribeAsync('jn-test/persist', { qos: 1 });
      await sub.endAsync();
      await broker.halt();
      await broker.resume();
      const pub = await mqtt.connectAsync(broker.url, { clientId: 'jn-persist-pub', clean: true });
      await pub.publishAsync('jn-test/persist', 'while away', { qos: 1 });
      await pub.endAsync();
      // Connects without subscribing: the restored session must still hold the subscription.
      const again = await subscriber();
      await waitFor('the message queued for the session', () => got.length > 0, { seen: () => got });
      expect(got).toEqual(['while away']);
      await again.endAsync();
    } finally {
      await broker.stop();
    }
  });
});
