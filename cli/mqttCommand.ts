import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSite } from '../core/config/loadSite.ts';
import { JnError } from '../core/errors.ts';
import { sitePrincipals } from '../core/mqtt/acl.ts';
import { mosquittoAclFile, mosquittoConfSnippet, mosquittoPasswordFile } from '../core/mqtt/mosquitto.ts';
import { loadSecrets } from '../core/secrets.ts';
import type { CommandSpec } from './commandSpec.ts';
import { type ToolCommand, text } from './context.ts';
import { auditDirOption, auditedWrite } from './secretsCommand.ts';

/** `jieneng mqtt`: its usage line, help page and options (registered in cli/commands.ts). */
export const mqttCommandSpec: CommandSpec = {
  name: 'mqtt',
  operands: 'acl',
  summary:
    'Writes Mosquitto’s files for the site: passwd (mosquitto_passwd format, from the secrets file), acl (each principal’s topics, core/mqtt/acl.ts) and a mosquitto.conf snippet using them.',
  notes:
    'Passwords come from the site’s secrets file (jieneng secrets init writes one). Run it again when gateways ' +
    'are added or the secrets change, then reload Mosquitto (kill -HUP). passwd is mode 0600: chown it to ' +
    'the user Mosquitto runs as.',
  options: [
    { name: 'config', arg: 'FILE', defaultText: 'required', text: 'Site file (YAML, see core/README.md)' },
    {
      name: 'output',
      arg: 'DIR',
      defaultText: 'required',
      text: 'Folder to write passwd, acl and mosquitto.conf in',
    },
    auditDirOption,
  ],
  example: 'jieneng mqtt acl --config site.yaml -o /etc/mosquitto/jieneng',
};

/** `jieneng mqtt acl`. */
export const mqttCommand: ToolCommand = async (ctx) => {
  const [sub, extra] = ctx.operands;
  if (sub !== 'acl' || extra !== undefined)
    throw new JnError('usage', 'usage: jieneng mqtt acl --config FILE -o DIR');
  const configFile = text(ctx, 'config');
  const output = text(ctx, 'output');
  if (!configFile || !output) throw new JnError('usage', 'jieneng mqtt acl needs --config FILE and -o DIR');
  const site = loadSite(configFile);
  const secrets = loadSecrets(site, { log: ctx.log });
  if (!secrets)
    throw new JnError(
      'usage',
      `site ${site.file} names no secrets file (platform.secrets_file or $JIENENG_SECRETS); write one with jieneng secrets init --config ${configFile}`,
    );
  const ids = site.config.gateways.map((g) => g.id);
  const principals = sitePrincipals(ids);
  const dir = resolve(output);
  const files = { passwordFile: join(dir, 'passwd'), aclFile: join(dir, 'acl') };
  const conf = join(dir, 'mosquitto.conf');
  await auditedWrite(
    ctx,
    site,
    { action: 'mqtt.acl', target: `file:${files.passwordFile}` },
    () => {
      mkdirSync(dir, { recursive: true });
      const passwords = new Map(principals.map((p) => [p.user, secrets.mqtt.get(p.user) ?? '']));
      writeFileSync(files.passwordFile, mosquittoPasswordFile(passwords), { mode: 0o600 });
      chmodSync(files.passwordFile, 0o600);
      writeFileSync(
        files.aclFile,
        mosquittoAclFile(principals, { siteId: site.config.site.id, gatewayIds: ids }),
      );
      writeFileSync(conf, mosquittoConfSnippet(files));
    },
    () => ({ files: [files.passwordFile, files.aclFile, conf], users: principals.map((p) => p.user) }),
  );
  ctx.io.out(`wrote ${files.passwordFile} (${principals.length} users), ${files.aclFile} and ${conf}\n`);
  return 0;
};
