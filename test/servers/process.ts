import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (the kernel picks it; we release it just before the server binds). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` now. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/**
 * The path of a server binary (on PATH, or in /usr/sbin where Debian puts daemons and a non-root
 * PATH does not look); fails naming the Debian package to install — never a silent skip.
 */
export function requireBinary(binary: string, debianPackage: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  if (found.status === 0) return found.stdout.trim();
  if (existsSync(`/usr/sbin/${binary}`)) return `/usr/sbin/${binary}`;
  throw new Error(
    `test setup: "${binary}" is not on PATH. Install the Debian package: apt-get install -y ${debianPackage} (or run scripts/setup)`,
  );
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** How long a server may take to answer after its start: influxd needs ~65 ms alone, far more on a loaded machine. */
const START_MS = 60_000;

/** Spawns a server, keeps its output for error messages, and polls `ready` until it answers (default bound 60 s). */
export async function startProcess(options: {
  name: string;
  command: string;
  args: string[];
  ready: () => Promise<boolean>;
  timeoutMs?: number;
}): Promise<ChildProcess> {
  const child = spawn(options.command, options.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const deadline = Date.now() + (options.timeoutMs ?? START_MS);
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${options.name} exited with code ${child.exitCode} during start:\n${output}`);
    if (await options.ready().catch(() => false)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(
    `${options.name} did not become ready within ${options.timeoutMs ?? START_MS} ms:\n${output}`,
  );
}

/** SIGTERM, then SIGKILL if it has not exited after 5 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
