import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type RunningServer, requireBinary, startProcess, stopProcess } from './process.ts';

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** A real Mosquitto (Debian `mosquitto`) on a free loopback port, anonymous, no persistence. */
export async function startMosquitto(options: { port?: number } = {}): Promise<RunningServer> {
  const binary = requireBinary('mosquitto', 'mosquitto');
  const dir = mkdtempSync(join(tmpdir(), 'jn-mosquitto-'));
  const port = options.port ?? (await freePort());
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'log_dest stderr',
      'max_queued_messages 100000',
      '',
    ].join('\n'),
  );
  const child = await startProcess({
    name: 'mosquitto',
    command: binary,
    args: ['-c', conf],
    ready: () => canConnect(port),
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop: async () => {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
