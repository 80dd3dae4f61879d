import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { apiToken } from './helpers/apiAuth.ts';
import { spawnCli } from './helpers/cli.ts';
import { waitFor, writeTestSite } from './helpers/site.ts';
import { freePort } from './servers/process.ts';

interface LatestItem {
  device: string;
  point: string;
  value: number;
  unit: string;
  ts: string;
  quality: string;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

describe('jieneng start (the README run command, as a process)', () => {
  it.each([
    ['embedded broker and store', (): string[] => [], /store: +embedded /],
    [
      '--mqtt-url Mosquitto and --influx-url InfluxDB',
      (): string[] => [
        '--mqtt-url',
        inject('mosquittoUrl'),
        '--influx-url',
        `${inject('influxUrl')}/start_${process.pid}`,
      ],
      /store: +InfluxDB http:\/\/127\.0\.0\.1:\d+\/start_/,
    ],
  ] as const)(
    'with %s: serves the simulated meter power and a growing kWh, and stops on SIGTERM with exit 0',
    async (_name, extraArgs, storeLine) => {
      const modbusPort = await freePort();
      const { dir, file, scenarioFile } = writeTestSite({
        modbusPort,
        gatewayId: 'gw-start',
        devices: ['main-meter'],
        pollInterval: '250ms',
      });
      const cli = spawnCli([
        'start',
        '--config',
        file,
        '--scenario',
        scenarioFile,
        '--data-dir',
        join(dir, 'data'),
        '--port',
        '0',
        '--broker-port',
        '0',
        ...extraArgs(),
      ]);
      try {
        await waitFor(
          'the API address on stdout',
          () => /API: +http:\/\/127\.0\.0\.1:(\d+)/.test(cli.stdout()),
          30_000,
        );
        expect(cli.stdout()).toMatch(storeLine);
        const apiPort = Number(/API: +http:\/\/127\.0\.0\.1:(\d+)/.exec(cli.stdout())?.[1]);
        // A site of one's own gets no account by itself: the newcomer is told how to make the first admin.
        expect(cli.stdout()).toMatch(
          /login: +no account yet — make the first admin: jieneng user add NAME --role admin --config /,
        );
        const { headers } = apiToken(join(dir, 'data'), { role: 'viewer' });
        expect((await fetch(`http://127.0.0.1:${apiPort}/api/v1/readings/latest`)).status).toBe(401);
        const latest = async () =>
          (await (
            await fetch(`http://127.0.0.1:${apiPort}/api/v1/readings/latest`, { headers })
          ).json()) as LatestItem[];
        const find = (items: LatestItem[], point: string) =>
          items.find((r) => r.device === 'main-meter' && r.point === point);

        await waitFor(
          'power and kWh in /readings/latest',
          async () => find(await latest(), 'import_energy') !== undefined,
          30_000,
        );
        const first = await latest();
        const power = find(first, 'active_power');
        expect(power).toMatchObject({ unit: 'W', quality: 'good' });
        expect(power?.value).toBeGreaterThan(1000);
        expect(power?.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?\+08:00$/); // site time
        const kwh1 = find(first, 'import_energy')?.value ?? Number.NaN;
        await waitFor(
          'kWh to grow',
          async () => (find(await latest(), 'import_energy')?.value ?? 0) > kwh1,
          15_000,
        );

        const metrics = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`, { headers })).text();
        expect(metrics).toMatch(
          /^jieneng_gateway_requests_total\{gateway="gw-start",device="main-meter",outcome="ok"\} [1-9]\d*$/m,
        );
        expect(metrics).toMatch(/^jieneng_gateway_spool_batches\{gateway="gw-start"\} \d+$/m);
        const health = await fetch(`http://127.0.0.1:${apiPort}/api/v1/health`);
        expect(health.status).toBe(200);
        expect(Object.keys(((await health.json()) as { services: object }).services)).toEqual(
          expect.arrayContaining(['broker', 'store', 'device-sims', 'collector', 'gateway:gw-start']),
        );

        expect(await cli.stop()).toBe(0);
        expect(await portIsFree(apiPort)).toBe(true);
        expect(await portIsFree(modbusPort)).toBe(true);
      } catch (err) {
        cli.child.kill('SIGKILL');
        throw new Error(
          `${(err as Error).message}\n--- stdout\n${cli.stdout()}\n--- stderr\n${cli.stderr()}`,
        );
      }
    },
  );

  it('refuses to start on an invalid site file, printing every problem, exit 1', async () => {
    const cli = spawnCli([
      'start',
      '--config',
      'core/config/testcases/duplicate-device-id/site.yaml',
      '--port',
      '0',
      '--broker-port',
      '0',
    ]);
    const code = await cli.exited;
    const stderr = cli.stderr();
    expect(code).toBe(1);
    expect(stderr).toContain('duplicate device id "main-meter"');
    expect(stderr).toContain('2 problem(s) found; nothing was started.');
  });
});
