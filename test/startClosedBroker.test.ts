import { readFileSync, writeFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { mqttClientOptions } from '../core/mqtt/connection.ts';
import { topics } from '../core/topics.ts';
import { spawnStart } from './helpers/cli.ts';
import { writeClosedSite } from './helpers/closedSite.ts';
import { startMeterServer } from './helpers/meterServer.ts';
import { writeTestSite } from './helpers/site.ts';
import { waitFor } from './helpers/wait.ts';

describe('jieneng start: the embedded broker is closed', () => {
  it('its services log in with the secrets file, an anonymous client is refused, a gateway cannot publish for another, a reload with a gateway the file lacks is refused, and no secret is printed', async () => {
    const meters = await startMeterServer({ 1: { 72: 321.5 } });
    const { dir, file, secrets } = await writeClosedSite({ modbusPort: meters.port });
    const cli = spawnStart(file, dir);
    const output = () => cli.stdout() + cli.stderr();
    try {
      await waitFor(
        'the API and MQTT addresses',
        () => /MQTT: +mqtt:\/\/127\.0\.0\.1:\d+/.test(cli.stdout()),
        {
          seen: output,
        },
      );
      const api = `http://127.0.0.1:${/API: +http:\/\/127\.0\.0\.1:(\d+)/.exec(cli.stdout())?.[1]}/api/v1`;
      const brokerUrl = /MQTT: +(mqtt:\/\/127\.0\.0\.1:\d+)/.exec(cli.stdout())?.[1] ?? '';
      const health = async () =>
        (await (await fetch(`${api}/health`)).json()) as {
          services: {
            broker: { detail: { refused: { connect: number; publish: number } } };
            collector: { detail: { readings_stored: number } };
          };
        };
      // Readings reach the store only if gateway and collector got in with their passwords.
      await waitFor(
        'readings stored through the closed broker',
        async () => (await health()).services.collector.detail.readings_stored > 0,
        {
          seen: output,
        },
      );

      await expect(mqtt.connectAsync(brokerUrl, { reconnectPeriod: 0 })).rejects.toThrow(
        /Bad username or password/,
      );
      const gw = await mqtt.connectAsync(
        brokerUrl,
        mqttClientOptions(
          { username: 'gateway-gw-a', password: secrets.mqtt.get('gateway-gw-a') ?? '' },
          { reconnectPeriod: 0, clientId: 'jn-gateway-gw-a-intruder' },
        ),
      );
      const closed = new Promise<void>((resolve) => gw.once('close', () => resolve()));
      gw.publish(topics.telemetry('gw-b'), '{}', { qos: 1 });
      await closed;
      await waitFor('the refusals in /health', async () => {
        const refused = (await health()).services.broker.detail.refused;
        return refused.connect >= 1 && refused.publish >= 1;
      });
      expect(cli.stderr()).toMatch(/mqtt publish refused .*user=gateway-gw-a topic=jn\/v1\/gw-b\/telemetry/);
      // A gateway added to the site but not to its secrets file: the reload is refused, naming both.
      const doc = parse(readFileSync(file, 'utf8'));
      const added = structuredClone(doc.gateways[1]);
      added.id = 'gw-c';
      added.connections[0].devices[0].id = 'meter-c';
      doc.gateways.push(added);
      writeFileSync(file, stringify(doc));
      cli.child.kill('SIGHUP');
      await waitFor('the reload refused', () => cli.stderr().includes('configuration reload failed'), {
        seen: output,
      });
      expect(cli.stderr()).toMatch(/secrets file \S+secrets\.yaml: no MQTT password for \\"gateway-gw-c\\"/);
      const text = output() + JSON.stringify(await health());
      for (const password of secrets.mqtt.values()) expect(text).not.toContain(password);
      expect(await cli.stop()).toBe(0);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- output\n${output()}`);
    } finally {
      cli.child.kill('SIGKILL');
      await meters.stop();
    }
  }, 180_000);

  it('a gateway added by a reload gets in with a password made up for it (no secrets file)', async () => {
    const meters = await startMeterServer({ 1: { 72: 321.5 } });
    const { dir, file } = writeTestSite({
      modbusPort: meters.port,
      gatewayId: 'gw-a',
      devices: ['main-meter'],
      pollInterval: '250ms',
    });
    const cli = spawnStart(file, dir);
    const output = () => cli.stdout() + cli.stderr();
    try {
      await waitFor('the API address', () => /API: +http:\/\/127\.0\.0\.1:\d+/.test(cli.stdout()), {
        seen: output,
      });
      const api = `http://127.0.0.1:${/API: +http:\/\/127\.0\.0\.1:(\d+)/.exec(cli.stdout())?.[1]}/api/v1`;
      const gatewayConnected = (id: string) => async () => {
        const health = (await (await fetch(`${api}/health`)).json()) as {
          services: Record<string, { detail?: { mqtt_connected?: boolean } }>;
        };
        return health.services[`gateway:${id}`]?.detail?.mqtt_connected === true;
      };
      await waitFor('gw-a connected', gatewayConnected('gw-a'), { seen: output });
      const doc = parse(readFileSync(file, 'utf8'));
      const added = structuredClone(doc.gateways[0]);
      added.id = 'gw-new';
      added.connections[0].devices[0].id = 'meter-new';
      doc.gateways.push(added);
      writeFileSync(file, stringify(doc));
      cli.child.kill('SIGHUP');
      await waitFor('the reload', () => /INFO +configuration reloaded/.test(cli.stderr()), { seen: output });
      await waitFor('gw-new connected to the closed broker', gatewayConnected('gw-new'), { seen: output });
      expect(cli.stderr()).not.toMatch(/mqtt connect refused/);
      expect(await cli.stop()).toBe(0);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- output\n${output()}`);
    } finally {
      cli.child.kill('SIGKILL');
      await meters.stop();
    }
  }, 180_000);
});
