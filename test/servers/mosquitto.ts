import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RestartableServer } from './influxd.ts';
import { canConnect, freePort, requireBinary, startProcess, stopProcess } from './process.ts';

/** A TLS listener of the test Mosquitto: PEM files made by the test (e.g. with openssl). */
export interface MosquittoTls {
  cafile: string;
  certfile: string;
  keyfile: string;
  /** Clients must show a certificate signed by `cafile` (default false). */
  requireCertificate?: boolean;
}

export interface MosquittoOptions {
  port?: number;
  persistence?: boolean;
  /** A Mosquitto password file (`jieneng mqtt acl`, mosquitto_passwd); with it no anonymous client gets in. */
  passwordFile?: string;
  /** A Mosquitto ACL file. */
  aclFile?: string;
  /** Default: true without `passwordFile`, false with it. */
  allowAnonymous?: boolean;
  /** Also listen with TLS on a second free port (`tlsUrl`). */
  tls?: MosquittoTls;
}

/** The test Mosquitto; `tlsUrl` is its TLS listener when one was asked for. */
export type TestMosquitto = RestartableServer & { tlsUrl?: string; port: number };

function confLines(o: MosquittoOptions, dir: string, ports: { plain: number; tls?: number }): string[] {
  const anonymous = o.allowAnonymous ?? o.passwordFile === undefined;
  // Run as root, Mosquitto drops to the user "mosquitto", who cannot read or write this temporary
  // directory: it would then persist nothing, silently (shared/DESIGN.md §10), or read no files.
  const asRoot = o.persistence || o.passwordFile || o.aclFile || o.tls;
  return [
    // Security settings apply to every listener alike (Mosquitto 2.0's default, said for clarity).
    'per_listener_settings false',
    `allow_anonymous ${anonymous}`,
    ...(o.passwordFile ? [`password_file ${o.passwordFile}`] : []),
    ...(o.aclFile ? [`acl_file ${o.aclFile}`] : []),
    `listener ${ports.plain} 127.0.0.1`,
    ...(o.tls && ports.tls
      ? [
          `listener ${ports.tls} 127.0.0.1`,
          `cafile ${o.tls.cafile}`,
          `certfile ${o.tls.certfile}`,
          `keyfile ${o.tls.keyfile}`,
          `require_certificate ${o.tls.requireCertificate ?? false}`,
        ]
      : []),
    ...(o.persistence ? ['persistence true', `persistence_location ${dir}/`] : ['persistence false']),
    ...(asRoot ? ['user root'] : []),
    'log_dest stderr',
    'max_queued_messages 100000',
    '',
  ];
}

/**
 * A real Mosquitto (Debian `mosquitto`) on a free loopback port, anonymous unless given a password
 * file. With `persistence` it keeps sessions, their subscriptions and queued messages across
 * `halt` / `resume` (as a production broker configured as collector/README says does): a broker
 * restarted without it forgets every subscriber, and what a gateway replays before they subscribe
 * again is lost by design. With `passwordFile` / `aclFile` it is closed as `jieneng mqtt acl`
 * configures it; with `tls` it also has a TLS listener.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<TestMosquitto> {
  const binary = requireBinary('mosquitto', 'mosquitto');
  const dir = mkdtempSync(join(tmpdir(), 'jn-mosquitto-'));
  const port = options.port ?? (await freePort());
  const tlsPort = options.tls ? await freePort() : undefined;
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    confLines(options, dir, { plain: port, ...(tlsPort ? { tls: tlsPort } : {}) }).join('\n'),
  );
  const ready = async () =>
    (await canConnect(port)) && (tlsPort === undefined || (await canConnect(tlsPort)));
  const run = () => startProcess({ name: 'mosquitto', command: binary, args: ['-c', conf], ready });
  let child: Awaited<ReturnType<typeof run>> | undefined = await run();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    ...(tlsPort ? { tlsUrl: `mqtts://127.0.0.1:${tlsPort}` } : {}),
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
