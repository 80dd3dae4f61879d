import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiToken } from './helpers/apiAuth.ts';
import { spawnStart } from './helpers/cli.ts';
import { writeClosedSite, writeMosquittoFiles } from './helpers/closedSite.ts';
import { startMeterServer } from './helpers/meterServer.ts';
import { waitFor } from './helpers/wait.ts';
import { startMosquitto } from './servers/mosquitto.ts';

describe('jieneng start on a Mosquitto closed by jieneng mqtt acl', () => {
  it('every service logs in as its own principal with the secrets file and works within its ACL', async () => {
    const meters = await startMeterServer({ 1: { 72: 321.5 } });
    const { dir, file, secrets } = await writeClosedSite({ modbusPort: meters.port });
    const { passwd, acl } = await writeMosquittoFiles(file, dir);
    const broker = await startMosquitto({ passwordFile: passwd, aclFile: acl });
    const cli = spawnStart(file, dir, '--mqtt-url', broker.url);
    const output = () => cli.stdout() + cli.stderr();
    try {
      await waitFor('the API address', () => /API: +http:\/\/127\.0\.0\.1:\d+/.test(cli.stdout()), {
        seen: output,
      });
      const api = `http://127.0.0.1:${/API: +http:\/\/127\.0\.0\.1:(\d+)/.exec(cli.stdout())?.[1]}/api/v1`;
      const { headers } = apiToken(join(dir, 'data'), { role: 'viewer' });
      // The reading gets to the API only if the gateway publishes, the collector reads and stores,
      // and the API reads the device's availability — each as its own user, within its topics.
      await waitFor(
        'the meter through the closed Mosquitto, with its availability',
        async () => {
          const items = (await (await fetch(`${api}/readings/latest`, { headers })).json()) as {
            point: string;
            value: number;
            availability?: { state: string };
          }[];
          return items.some(
            (r) => r.point === 'import_energy' && r.value === 321.5 && r.availability?.state === 'online',
          );
        },
        { seen: output },
      );
      // The collector's confirmations reach the gateway (its spool lets the batches go).
      await waitFor('the gateway spool emptied by confirmations', async () => {
        const health = (await (await fetch(`${api}/health`)).json()) as {
          services: Record<string, { detail?: { spool?: { batches: number }; batches_published?: number } }>;
        };
        const gw = health.services['gateway:gw-a']?.detail;
        return (gw?.batches_published ?? 0) > 1 && gw?.spool?.batches === 0;
      });
      for (const password of secrets.mqtt.values()) expect(output()).not.toContain(password);
      expect(await cli.stop()).toBe(0);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- output\n${output()}`);
    } finally {
      cli.child.kill('SIGKILL');
      await broker.stop();
      await meters.stop();
    }
  }, 180_000);
});
