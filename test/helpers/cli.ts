import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/** A `jieneng` process started the way a user starts it (`bin/jieneng.js`), its output kept. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function spawnCli(args: string[]): CliProcess {
  const child = spawn(process.execPath, ['bin/jieneng.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** `jieneng collector` arguments for the given site file, broker and InfluxDB database, then `extra`. */
export function collectorArgs(
  file: string,
  mqttUrl: string,
  influxUrl: string,
  ...extra: string[]
): string[] {
  return ['collector', '--config', file, '--mqtt-url', mqttUrl, '--influx-url', influxUrl, ...extra];
}

/**
 * `jieneng start` of the site `file` as a process, with its data in `dir/data`, the API and the
 * embedded broker on free ports, and `extra` options (e.g. `--mqtt-url`).
 */
export function spawnStart(file: string, dir: string, ...extra: string[]): CliProcess {
  return spawnCli([
    'start',
    '--config',
    file,
    '--data-dir',
    join(dir, 'data'),
    '--port',
    '0',
    '--broker-port',
    '0',
    ...extra,
  ]);
}

/**
 * `jieneng ARGS` run to its end as a user runs it: `input` on its stdin (a pipe, not a terminal),
 * `env` added to the environment; its exit code and output.
 */
export async function runCli(
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['bin/jieneng.js', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  child.stdin.end(options.input ?? '');
  const [code] = await once(child, 'exit');
  return { code: code as number | null, out, err };
}
