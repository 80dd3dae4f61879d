import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { InfluxStore } from '../core/store/influxStore.ts';
import { collectorArgs, spawnCli } from './helpers/cli.ts';
import { writeTestSite } from './helpers/site.ts';
import { waitFor } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

describe('split deployment: jieneng sims, gateway and collector as separate processes', () => {
  it('moves readings over an external Mosquitto into an external InfluxDB, and each process exits 0 on SIGTERM', async () => {
    const modbusPort = await freePort();
    const { dir, file, scenarioFile } = writeTestSite({
      modbusPort,
      gatewayId: 'gw-split',
      devices: ['meter-s'],
      pollInterval: '200ms',
    });
    const mqttUrl = inject('mosquittoUrl');
    const influxUrl = `${inject('influxUrl')}/split_${process.pid}`;
    const procs = [
      spawnCli(['sims', '--scenario', scenarioFile]),
      spawnCli(collectorArgs(file, mqttUrl, influxUrl, '--data-dir', join(dir, 'c'))),
      spawnCli(['gateway', '--config', file, '--mqtt-url', mqttUrl, '--data-dir', join(dir, 'g')]),
    ];
    const store = new InfluxStore(influxUrl);
    try {
      await waitFor('power and kWh of meter-s in InfluxDB', async () => {
        const points = new Set(
          // Good ones: read from the simulated meter (a gateway up before the sims sends bad ones).
          (await store.queryReadings({ device: 'meter-s' }).catch(() => []))
            .filter((r) => r.quality === 'good')
            .map((r) => r.point),
        );
        return points.has('active_power') && points.has('import_energy');
      });
      const codes = [];
      for (const p of procs.reverse()) codes.push(await p.stop());
      expect(codes).toEqual([0, 0, 0]);
    } catch (err) {
      for (const p of procs) p.child.kill('SIGKILL');
      throw new Error(
        `${(err as Error).message}\n${procs.map((p) => p.stdout() + p.stderr()).join('\n---\n')}`,
      );
    }
  });
});
