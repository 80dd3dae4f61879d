import { resolve } from 'node:path';
import { loadSite } from '../core/config/loadSite.ts';
import { JnError } from '../core/errors.ts';
import { sitePrincipals } from '../core/mqtt/acl.ts';
import { generateSecrets, secretsFileOf, writeSecretsFile } from '../core/secrets.ts';
import type { CommandSpec } from './commandSpec.ts';
import { type ToolCommand, text } from './context.ts';

/** `jieneng secrets`: its usage line, help page and options (registered in cli/commands.ts). */
export const secretsCommandSpec: CommandSpec = {
  name: 'secrets',
  operands: 'init',
  summary:
    'Writes the site’s secrets file: a random MQTT password for every principal (each gateway-<id>, collector, control, api) and a command key per gateway, mode 0600, never printed.',
  notes:
    'The file is platform.secrets_file of the site (relative to it), $JIENENG_SECRETS, or -o FILE. An existing\n' +
    'file is kept unless --force. Then `jieneng mqtt acl` writes the broker’s password and ACL files from it.',
  options: [
    { name: 'config', arg: 'FILE', defaultText: 'required', text: 'Site file (YAML, see core/README.md)' },
    { name: 'output', arg: 'FILE', defaultText: 'the site’s secrets file', text: 'Where to write it' },
    { name: 'force', text: 'Replace an existing file (every broker and gateway then needs the new one)' },
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
  const secrets = generateSecrets(site);
  writeSecretsFile(file, secrets, { force: ctx.values.force === true });
  const ids = site.config.gateways.map((g) => g.id);
  ctx.io.out(
    `wrote ${file} (mode 0600): MQTT passwords for ${sitePrincipals(ids)
      .map((p) => p.user)
      .join(', ')}; command keys for ${ids.length} gateway(s)\n` +
      (output !== undefined && secretsFileOf(site) !== file
        ? `  the site does not name it yet: set platform.secrets_file, or JIENENG_SECRETS=${file}\n`
        : ''),
  );
  return 0;
};
