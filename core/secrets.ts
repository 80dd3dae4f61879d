import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import type { LoadedSite } from './config/loadedSite.ts';
import { errorText, JnError } from './errors.ts';
import type { Logger } from './log.ts';
import { sitePrincipals } from './mqtt/acl.ts';

/**
 * The site's secrets: each MQTT principal's password and each gateway's command key (HMAC-SHA256,
 * 32 bytes: control signs every command with it and the gateway checks it).
 *
 * The file (YAML, `platform.secrets_file` relative to the site file, or `$JIENENG_SECRETS`):
 * ```yaml
 * mqtt:
 *   gateway-gw-1: "…"     # user → password; one per gateway, collector, control, api
 *   collector: "…"
 * command_keys:
 *   gw-1: "…"             # gateway id → base64 of 32 random bytes
 * ```
 * `jieneng secrets init` writes one with random values (mode 0600).
 */
export interface Secrets {
  /** The file they came from; undefined when made up in memory (`jieneng start`, embedded broker). */
  file?: string;
  /** MQTT user → password. */
  mqtt: Map<string, string>;
  /** Gateway id → command key (32 bytes). */
  commandKeys: Map<string, Buffer>;
}

/** Bytes of a command key. */
export const commandKeyBytes = 32;

const secretsSchema = z
  .object({
    mqtt: z.record(z.string(), z.string().min(12, 'a password of at least 12 characters')).default({}),
    command_keys: z.record(z.string().min(1), z.string()).default({}),
  })
  .strict();

/** The secrets file named for the site (`$JIENENG_SECRETS` first), or undefined when none is. */
export function secretsFileOf(site: LoadedSite, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.JIENENG_SECRETS?.trim();
  if (fromEnv) return resolve(fromEnv);
  const named = site.config.platform.secrets_file;
  return named === undefined ? undefined : resolve(dirname(site.file), named);
}

function refuse(file: string, problem: string, cause?: unknown): JnError {
  return new JnError('config_invalid', `secrets file ${file}: ${problem}`, {
    context: { file },
    ...(cause === undefined ? {} : { cause }),
  });
}

function readSecretsText(file: string): string {
  if (!existsSync(file))
    throw refuse(file, 'does not exist; write one with jieneng secrets init --config SITE.yaml');
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw refuse(file, `cannot be read: ${errorText(err)}`, err);
  }
}

/** Parses and checks a secrets file's text; problems name the file and the entry. */
export function parseSecrets(file: string, text: string): Secrets {
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (err) {
    throw refuse(file, `is not valid YAML: ${errorText(err)}`, err);
  }
  const parsed = secretsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw refuse(
      file,
      `malformed (${problems.join('; ')}); expected mqtt: {user: password} and command_keys: {gateway: base64}`,
    );
  }
  // A user name goes into Mosquitto's password file as `user:hash` and into ACL lines.
  const badUser = Object.keys(parsed.data.mqtt).find((u) => !/^[^\s:#+/]+$/.test(u));
  if (badUser !== undefined)
    throw refuse(file, `mqtt."${badUser}": a user name without spaces, ":", "#", "+" or "/"`);
  const commandKeys = new Map<string, Buffer>();
  for (const [gateway, text64] of Object.entries(parsed.data.command_keys)) {
    const key = Buffer.from(text64, 'base64');
    if (key.length !== commandKeyBytes || key.toString('base64') !== text64.trim())
      throw refuse(
        file,
        `command_keys.${gateway}: give base64 of ${commandKeyBytes} random bytes (openssl rand -base64 32)`,
      );
    commandKeys.set(gateway, key);
  }
  return { file, mqtt: new Map(Object.entries(parsed.data.mqtt)), commandKeys };
}

/**
 * The site's secrets from its secrets file, or undefined when the site names none. Refuses (a
 * JnError naming the file and the problem) a file that is missing, unreadable or malformed, or that
 * lacks a password of one of `users` (default: every principal of the site — a host running one
 * gateway passes just that gateway's user). Warns when others than the owner may read the file.
 */
export function loadSecrets(
  site: LoadedSite,
  options: { env?: NodeJS.ProcessEnv; log?: Logger; users?: readonly string[] } = {},
): Secrets | undefined {
  const file = secretsFileOf(site, options.env);
  if (file === undefined) return undefined;
  const secrets = parseSecrets(file, readSecretsText(file));
  const users = options.users ?? sitePrincipals(site.config.gateways.map((g) => g.id)).map((p) => p.user);
  const missing = users.filter((u) => !secrets.mqtt.has(u));
  if (missing.length > 0)
    throw refuse(
      file,
      `no MQTT password for ${missing.map((u) => `"${u}"`).join(', ')}; add them under mqtt: (jieneng secrets init --force writes a new file for every principal)`,
    );
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0)
    options.log?.warn('the secrets file is readable by others than its owner; chmod 600 it', {
      file,
      mode: mode.toString(8),
    });
  return secrets;
}

/** Random secrets for every principal and gateway of the site (in memory; nothing is written). */
export function generateSecrets(site: LoadedSite): Secrets {
  const ids = site.config.gateways.map((g) => g.id);
  return {
    mqtt: new Map(sitePrincipals(ids).map((p) => [p.user, randomBytes(24).toString('base64url')])),
    commandKeys: new Map(ids.map((id) => [id, randomBytes(commandKeyBytes)])),
  };
}

/**
 * Adds random secrets for the principals and gateways of `site` that `secrets` lacks (a reload that
 * adds a gateway, on secrets made up in memory); returns `secrets`.
 */
export function extendSecrets(secrets: Secrets, site: LoadedSite): Secrets {
  const fresh = generateSecrets(site);
  for (const [user, pw] of fresh.mqtt) if (!secrets.mqtt.has(user)) secrets.mqtt.set(user, pw);
  for (const [g, key] of fresh.commandKeys) if (!secrets.commandKeys.has(g)) secrets.commandKeys.set(g, key);
  return secrets;
}

/** The command key of `gateway`, or an error naming the file and the gateway. */
export function commandKeyOf(secrets: Secrets, gateway: string): Buffer {
  const key = secrets.commandKeys.get(gateway);
  if (key) return key;
  throw new JnError(
    'config_invalid',
    `${secrets.file ? `secrets file ${secrets.file}` : 'secrets'}: no command key for gateway "${gateway}"; add command_keys.${gateway} (base64 of ${commandKeyBytes} bytes)`,
  );
}

/**
 * Writes the secrets as YAML with mode 0600. Refuses to overwrite an existing file unless `force`
 * (the brokers' password files and the gateways would no longer match it).
 */
export function writeSecretsFile(file: string, secrets: Secrets, options: { force?: boolean } = {}): void {
  if (existsSync(file) && !options.force)
    throw new JnError('usage', `secrets file ${file} exists; give --force to replace it with new secrets`);
  const doc = {
    mqtt: Object.fromEntries(secrets.mqtt),
    command_keys: Object.fromEntries([...secrets.commandKeys].map(([g, k]) => [g, k.toString('base64')])),
  };
  const header = '# jieneng secrets: MQTT passwords and command keys. Keep it mode 0600; never commit it.\n';
  writeFileSync(file, header + stringify(doc), { mode: 0o600 });
  chmodSync(file, 0o600); // `mode` applies only to a new file; a replaced one keeps its old mode
}
