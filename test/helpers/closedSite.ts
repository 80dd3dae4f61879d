import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { CommandContext } from '../../cli/context.ts';
import { mqttCommand } from '../../cli/mqttCommand.ts';
import { secretsCommand } from '../../cli/secretsCommand.ts';
import { type LoadedSite, loadSite } from '../../core/config/loadSite.ts';
import { createLogger, type Logger } from '../../core/log.ts';
import { loadSecrets, type Secrets } from '../../core/secrets.ts';
import { writeTestSite } from './site.ts';

/** A logger whose lines the test reads. */
export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger({ level: 'debug', sink: { write: (l) => lines.push(l) } }), lines };
}

/** Runs a tool command the way `jieneng` does, its output kept. */
export async function runTool(
  command: (ctx: CommandContext) => Promise<number>,
  operands: string[],
  values: CommandContext['values'],
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CommandContext = {
    values,
    operands,
    io: { out: (t) => (out += t), err: (t) => (err += t) },
    log: createLogger({ sink: { write: (l) => (err += l) } }),
  };
  return { code: await command(ctx), out, err };
}

/**
 * A site with two gateways (gw-a polling `main-meter` on `modbusPort`, gw-b with one device of its
 * own) and `platform.secrets_file: secrets.yaml`, its secrets written by `jieneng secrets init`.
 */
export async function writeClosedSite(
  options: { modbusPort?: number; platform?: Record<string, unknown> } = {},
): Promise<{ dir: string; file: string; site: LoadedSite; secrets: Secrets }> {
  const { dir, file } = writeTestSite({
    modbusPort: options.modbusPort ?? 1,
    gatewayId: 'gw-a',
    devices: ['main-meter'],
    pollInterval: '250ms',
  });
  const doc = parse(readFileSync(file, 'utf8'));
  const b = structuredClone(doc.gateways[0]);
  b.id = 'gw-b';
  b.connections[0].devices[0].id = 'meter-b';
  doc.gateways.push(b);
  doc.platform = { ...doc.platform, secrets_file: 'secrets.yaml', ...options.platform };
  writeFileSync(file, stringify(doc));
  const init = await runTool(secretsCommand, ['init'], { config: file, 'data-dir': join(dir, 'data') });
  if (init.code !== 0) throw new Error(`secrets init failed: ${init.err}`);
  const site = loadSite(file);
  const secrets = loadSecrets(site);
  if (!secrets) throw new Error('no secrets');
  return { dir, file, site, secrets };
}

/** `jieneng mqtt acl --config FILE -o DIR/mosquitto`: the broker's passwd, acl and conf snippet. */
export async function writeMosquittoFiles(
  siteFile: string,
  dir: string,
): Promise<{ passwd: string; acl: string }> {
  const out = join(dir, 'mosquitto');
  const run = await runTool(mqttCommand, ['acl'], {
    config: siteFile,
    output: out,
    'data-dir': join(dir, 'data'),
  });
  if (run.code !== 0) throw new Error(`mqtt acl failed: ${run.err}`);
  return { passwd: join(out, 'passwd'), acl: join(out, 'acl') };
}
