import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { type AclRule, type AclScope, expandRule, type Principal } from './acl.ts';

/** Iterations of Mosquitto 2.0's `$7$` hashes: what `mosquitto_passwd` uses by default. */
export const mosquittoIterations = 101;

/**
 * One line of a Mosquitto 2.0 password file, as `mosquitto_passwd` writes it:
 * `user:$7$<iterations>$<salt, base64>$<PBKDF2-SHA512 of the password, 64 bytes, base64>`, with a
 * random 12-byte salt. Mosquitto reads `$7$` lines from version 2.0 on.
 */
export function mosquittoPasswordLine(
  user: string,
  password: string,
  options: { salt?: Buffer; iterations?: number } = {},
): string {
  const salt = options.salt ?? randomBytes(12);
  const iterations = options.iterations ?? mosquittoIterations;
  const hash = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return `${user}:$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** A Mosquitto password file (`password_file`) for these users, one line each. */
export function mosquittoPasswordFile(passwords: ReadonlyMap<string, string>): string {
  return [...passwords].map(([user, password]) => `${mosquittoPasswordLine(user, password)}\n`).join('');
}

/** The `topic read|write|readwrite` lines of one rule: a pattern in both lists is `readwrite`. */
function topicLines(rule: AclRule): string[] {
  const lines: string[] = [];
  for (const p of rule.publish)
    lines.push(`topic ${rule.subscribe.includes(p) ? 'readwrite' : 'write'} ${p}`);
  for (const p of rule.subscribe) if (!rule.publish.includes(p)) lines.push(`topic read ${p}`);
  return lines;
}

/**
 * A Mosquitto `acl_file`: one `user` block per principal with its topics from core/mqtt/acl.ts.
 * Mosquitto 2.0 grants every SUBSCRIBE and checks `read` on each message it delivers, so a
 * shared subscription (`$share/<group>/…`) needs no line of its own; a refused PUBLISH is dropped
 * (MQTT 5: PUBACK reason 0x87).
 */
export function mosquittoAclFile(principals: readonly Principal[], scope: AclScope): string {
  const blocks = principals.map((p) => {
    const lines = topicLines(expandRule(p, scope));
    return [`user ${p.user}`, ...(lines.length > 0 ? lines : ['# publishes and subscribes nothing']), ''];
  });
  return [
    `# Mosquitto ACL of site "${scope.siteId}", written by jieneng mqtt acl (core/mqtt/acl.ts).`,
    '# Anything not listed is refused. Regenerate it when gateways change.',
    '',
    ...blocks.flat(),
  ].join('\n');
}

/** A `mosquitto.conf` snippet using the written files (absolute paths), TLS lines commented out. */
export function mosquittoConfSnippet(files: { passwordFile: string; aclFile: string }): string {
  return [
    '# jieneng: closed broker (written by jieneng mqtt acl). Include it from mosquitto.conf, or copy it.',
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${files.passwordFile}`,
    `acl_file ${files.aclFile}`,
    '',
    'listener 1883 127.0.0.1',
    '',
    '# TLS for clients on other hosts (mqtts://broker:8883 in platform.mqtt_url):',
    '# listener 8883',
    '# cafile /etc/mosquitto/ca_certificates/ca.crt',
    '# certfile /etc/mosquitto/certs/server.crt',
    '# keyfile /etc/mosquitto/certs/server.key',
    '# require_certificate true   # clients also show a certificate signed by cafile',
    '',
  ].join('\n');
}
