import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RestartableServer } from './influxd.ts';
import { canConnect, freePort, requireBinary, startProcess, stopProcess } from './process.ts';

/**
 * A real Mosquitto (Debian `mosquitto`) on a free loopback port, anonymous. With `persistence` it
 * keeps sessions, their subscriptions and queued messages across `halt` / `resume` (as a production
 * broker configured as collector/README says does): a broker restarted without it forgets every
 * subscriber, and what a gateway replays before they subscribe again is lost by design.
 */
export async function startMosquitto(
  options: { port?: number; persistence?: boolean } = {},
): Promise<RestartableServer> {
  const binary = requireBinary('mosquitto', 'mosquitto');
  const dir = mkdtempSync(join(tmpdir(), 'jn-mosquitto-'));
  const port = options.port ?? (await freePort());
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      ...(options.persistence
        ? // Run as root, Mosquitto drops to the user "mosquitto", who cannot write this temporary
          // directory: it would then persist nothing, silently (shared/DESIGN.md §10).
          ['persistence true', `persistence_location ${dir}/`, 'user root']
        : ['persistence false']),
      'log_dest stderr',
      'max_queued_messages 100000',
      '',
    ].join('\n'),
  );
  const run = () =>
    startProcess({ name: 'mosquitto', command: binary, args: ['-c', conf], ready: () => canConnect(port) });
  let child: Awaited<ReturnType<typeof run>> | undefined = await run();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    halt: async () => {
      if (child) await stopProcess(child);
      child = undefined;
    },
    resume: async () => {
      child ??= await run();
    },
    stop: async () => {
      if (child) await stopProcess(child);
      child = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
