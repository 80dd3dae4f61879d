import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type RunningServer, requireBinary, startProcess, stopProcess } from './process.ts';

/**
 * A real InfluxDB 1.x (Debian `influxdb`, 1.6.7) on free loopback ports with a temporary data
 * directory; usage reporting and the internal monitor store are off. `url` has no database:
 * each test appends its own.
 */
/** A server that can be stopped and started again on the same ports with the same data. */
export interface RestartableServer extends RunningServer {
  /** Stops the process, keeping its data directory. */
  halt(): Promise<void>;
  /** Starts it again after `halt`. */
  resume(): Promise<void>;
  /** The process id while it runs (benchmarks read its CPU time). */
  readonly pid: number | undefined;
}

export async function startInfluxd(): Promise<RestartableServer> {
  const binary = requireBinary('influxd', 'influxdb');
  const dir = mkdtempSync(join(tmpdir(), 'jn-influxd-'));
  // A free port can be taken by another process before influxd binds it (a busy machine runs many
  // servers at once): a bind failure at the first start picks new ports, up to three times.
  let httpPort = 0;
  let url = '';
  let conf = '';
  const configure = async () => {
    const [h, rpcPort] = [await freePort(), await freePort()];
    httpPort = h;
    url = `http://127.0.0.1:${httpPort}`;
    conf = join(dir, 'influxdb.conf');
    writeFileSync(
      conf,
      `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
`,
    );
  };
  const run = () =>
    startProcess({
      name: 'influxd',
      command: binary,
      args: ['run', '-config', conf],
      ready: async () => (await fetch(`${url}/ping`)).status === 204,
    });
  const firstStart = async () => {
    for (let attempt = 1; ; attempt++) {
      await configure();
      try {
        return await run();
      } catch (err) {
        if (attempt >= 3 || !/address already in use/.test(String(err))) throw err;
      }
    }
  };
  let child: Awaited<ReturnType<typeof run>> | undefined = await firstStart();
  return {
    url,
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
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
