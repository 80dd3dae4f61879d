import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { spawnCli } from './helpers/cli.ts';
import { waitFor, writeTestSite } from './helpers/site.ts';
import { freePort } from './servers/process.ts';

/**
 * SIGHUP used to end every long-running command on the spot (exit 129, nothing stopped). The ones
 * that do not reload (collector, control, sims) log it and run on; SIGTERM then stops them cleanly.
 * (jieneng start and jieneng gateway reload: test/startRealSite.test.ts, test/gatewayReload.test.ts.)
 */
describe('SIGHUP to a service that does not reload', () => {
  it.each([
    ['collector', /collector started/],
    ['control', /control running/],
    ['sims', /modbus tcp sim listening/],
  ])(
    'jieneng %s logs and ignores it, and stops with exit 0 afterwards',
    async (command, ready) => {
      const { dir, file, scenarioFile } = writeTestSite({
        modbusPort: await freePort(),
        gatewayId: 'gw-hup',
        devices: ['main-meter'],
      });
      const dataDir = join(dir, 'data');
      const args =
        command === 'sims'
          ? ['sims', '--scenario', scenarioFile, '--data-dir', dataDir]
          : [command, '--config', file, '--mqtt-url', inject('mosquittoUrl'), '--data-dir', dataDir];
      const p = spawnCli(
        command === 'collector'
          ? [...args, '--influx-url', `${inject('influxUrl')}/hup_${process.pid}`]
          : args,
      );
      try {
        await waitFor(`jieneng ${command} to run`, () => ready.test(p.stderr()), 60_000);
        p.child.kill('SIGHUP');
        await waitFor(
          'the SIGHUP to be logged',
          () => p.stderr().includes('SIGHUP received and ignored'),
          30_000,
        );
        expect(p.stderr()).toContain(
          `jieneng ${command} does not reload; restart it to apply a changed configuration`,
        );
        expect(p.child.exitCode).toBeNull();
        expect(p.child.signalCode).toBeNull();
        expect(await p.stop()).toBe(0);
      } catch (err) {
        p.child.kill('SIGKILL');
        throw new Error(`${(err as Error).message}\n--- stderr\n${p.stderr()}`);
      }
    },
    90_000,
  );
});
