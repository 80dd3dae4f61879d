import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type AuditInput, AuditLog } from '../core/audit/auditLog.ts';
import { type LoadedSite, loadSite } from '../core/config/loadSite.ts';
import { errorText, JnError } from '../core/errors.ts';
import { sitePrincipals } from '../core/mqtt/acl.ts';
import { generateSecrets, secretsFileOf, writeSecretsFile } from '../core/secrets.ts';
import { cliActor } from './authCli.ts';
import type { CommandSpec, OptionSpec } from './commandSpec.ts';
import { type CommandContext, dataDirOf, type ToolCommand, text } from './context.ts';

/** --data-dir of the commands that write the site's credentials: where their audit entry goes. */
export const auditDirOption: OptionSpec = {
  name: 'data-dir',
  arg: 'DIR',
  default: './data',
  text: 'Where audit.db lives (the API’s data directory): the command is audited there, never a secret',
};

/**
 * Runs `run` (which writes the site's credential files) and appends one entry to DIR/audit.db as
 * the CLI's actor, as the user and token commands do: `ok` with `after` (names and counts, never a
 * secret), else `refused` (a JnError: e.g. the file exists) or `failed`, with the error, rethrown.
 */
export async function auditedWrite<T>(
  ctx: CommandContext,
  site: LoadedSite,
  entry: Pick<AuditInput, 'action' | 'target'>,
  run: () => T,
  after: (result: T) => unknown,
): Promise<T> {
  const dir = dataDirOf(ctx);
  mkdirSync(dir, { recursive: true });
  const audit = new AuditLog({ file: join(dir, 'audit.db'), timeZone: site.config.site.timezone });
  const actor = cliActor();
  try {
    const result = run();
    audit.append({ ...entry, actor, outcome: 'ok', after: after(result) });
    return result;
  } catch (err) {
    audit.append({
      ...entry,
      actor,
      outcome: err instanceof JnError ? 'refused' : 'failed',
      detail: errorText(err),
    });
    throw err;
  } finally {
    audit.close();
  }
}

/** `jieneng secrets`: its usage line, help page and options (registered in cli/commands.ts). */
export const secretsCommandSpec: CommandSpec = {
  name: 'secrets',
  operands: 'init',
  summary:
    'Writes the site’s secrets file: a random MQTT password for every principal (each gateway-<id>, collector, control, api) and a command key per gateway, mode 0600, never printed.',
  notes:
    'The file is platform.secrets_file of the site (relative to it), $JIENENG_SECRETS, or -o FILE. An existing ' +
    'file is kept unless --force. Then `jieneng mqtt acl` writes the broker’s password and ACL files from it.',
  options: [
    { name: 'config', arg: 'FILE', defaultText: 'required', text: 'Site file (YAML, see core/README.md)' },
    { name: 'output', arg: 'FILE', defaultText: 'the site’s secrets file', text: 'Where to write it' },
    { name: 'force', text: 'Replace an existing file (every broker and gateway then needs the new one)' },
    auditDirOption,
  ],
  example: 'jieneng secrets init --config site.yaml',
};

/** `jieneng secrets init`. */
export const secretsCommand: ToolCommand = async (ctx) => {
  const [sub, extra] = ctx.operands;
  if (sub !== 'init' || extra !== undefined)
    throw new JnError('usage', 'usage: jieneng secrets init --config FILE [-o FILE] [--force]');
  const configFile = text(ctx, 'config');
  if (!configFile) throw new JnError('usage', 'jieneng secrets init needs --config FILE (the site)');
  const site = loadSite(configFile);
  const output = text(ctx, 'output');
  const file = output === undefined ? secretsFileOf(site) : resolve(output);
  if (!file)
    throw new JnError(
      'usage',
      `site ${site.file} names no secrets file: add platform.secrets_file (e.g. secrets.yaml) or give -o FILE`,
    );
  const ids = site.config.gateways.map((g) => g.id);
  const users = sitePrincipals(ids).map((p) => p.user);
  await auditedWrite(
    ctx,
    site,
    { action: 'secrets.init', target: `file:${file}` },
    () => writeSecretsFile(file, generateSecrets(site), { force: ctx.values.force === true }),
    () => ({ mqtt_users: users, command_keys: ids, replaced: ctx.values.force === true }),
  );
  ctx.io.out(
    `wrote ${file} (mode 0600): MQTT passwords for ${users.join(', ')}; command keys for ${ids.length} gateway(s)\n` +
      (output !== undefined && secretsFileOf(site) !== file
        ? `  the site does not name it yet: set platform.secrets_file, or JIENENG_SECRETS=${file}\n`
        : ''),
  );
  return 0;
};
