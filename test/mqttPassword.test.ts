import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiToken } from './helpers/apiAuth.ts';
import { startMeterServer } from './helpers/meterServer.ts';
import { waitFor, writeTestSite } from './helpers/site.ts';
import { canConnect, freePort, requireBinary, startProcess, stopProcess } from './servers/process.ts';

const SECRET = 'pw-Secret-3';

/** A Mosquitto that admits only user "jn" with SECRET (no anonymous clients). */
async function startAuthMosquitto() {
  const dir = mkdtempSync(join(tmpdir(), 'jn-mosquitto-auth-'));
  const passwords = join(dir, 'passwd');
  spawnSync(requireBinary('mosquitto_passwd', 'mosquitto'), ['-b', '-c', passwords, 'jn', SECRET]);
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  // user root: the broker would otherwise drop to "mosquitto", who cannot read this temp dir.
  const lines = [`listener ${port} 127.0.0.1`, 'allow_anonymous false', `password_file ${passwords}`];
  writeFileSync(conf, [...lines, 'user root', 'persistence false', 'log_dest stderr', ''].join('\n'));
  const child = await startProcess({
    name: 'mosquitto',
    command: requireBinary('mosquitto', 'mosquitto'),
    args: ['-c', conf],
    ready: () => canConnect(port),
  });
  return { port, stop: () => stopProcess(child) };
}

describe('MQTT password from the environment', () => {
  it('jieneng start logs in with MQTT_PASSWORD and the user of the URL, and never shows the password', async () => {
    const broker = await startAuthMosquitto();
    const meters = await startMeterServer({ 1: { 72: 321.5 } });
    const { dir, file } = writeTestSite({
      modbusPort: meters.port,
      gatewayId: 'gw-auth',
      devices: ['main-meter'],
      pollInterval: '250ms',
    });
    const args = ['start', '--config', file, '--data-dir', join(dir, 'data'), '--port', '0'];
    const child = spawn(
      process.execPath,
      ['bin/jieneng.js', ...args, '--mqtt-url', `mqtt://jn@127.0.0.1:${broker.port}`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, MQTT_PASSWORD: SECRET },
      },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await waitFor('the API address', () => /API: +http:\/\/127\.0\.0\.1:\d+/.test(out), 60_000);
      const api = `http://127.0.0.1:${/API: +http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]}/api/v1`;
      const { headers } = apiToken(join(dir, 'data'), { role: 'viewer' });
      // Readings get through only if the gateway and the collector were let in.
      await waitFor(
        'the meter through the password-protected broker',
        async () => {
          const items = (await (await fetch(`${api}/readings/latest`, { headers })).json()) as {
            point: string;
            value: number;
          }[];
          return items.some((r) => r.point === 'import_energy' && r.value === 321.5);
        },
        60_000,
      );
      const health = await (await fetch(`${api}/health`)).text();
      expect(health).toContain(`mqtt://jn:***@127.0.0.1:${broker.port}`);
      child.kill('SIGTERM');
      expect((await once(child, 'exit'))[0]).toBe(0);
      expect(out).toMatch(/MQTT: +mqtt:\/\/jn:\*\*\*@127\.0\.0\.1/);
      expect(`${out}${health}`).not.toContain(SECRET);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- output\n${out}`);
    } finally {
      child.kill('SIGKILL');
      await meters.stop();
      await broker.stop();
    }
  }, 180_000);
});
