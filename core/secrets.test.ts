import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadedSite } from './config/loadedSite.ts';
import { createLogger } from './log.ts';
import {
  commandKeyOf,
  extendSecrets,
  generateSecrets,
  loadSecrets,
  parseSecrets,
  secretsFileOf,
  writeSecretsFile,
} from './secrets.ts';

function siteIn(dir: string, gateways = ['gw-1'], secretsFile: string | null = 'secrets.yaml'): LoadedSite {
  return {
    file: join(dir, 'site.yaml'),
    config: {
      site: { id: 'hq' },
      gateways: gateways.map((id) => ({ id })),
      platform: secretsFile === null ? {} : { secrets_file: secretsFile },
    },
  } as unknown as LoadedSite;
}
const key = Buffer.alloc(32, 7).toString('base64');

describe('secrets', () => {
  it('names the file relative to the site, $JIENENG_SECRETS first', () => {
    const site = siteIn('/etc/jieneng');
    expect(secretsFileOf(site, {})).toBe('/etc/jieneng/secrets.yaml');
    expect(secretsFileOf(site, { JIENENG_SECRETS: '/run/s.yaml' })).toBe('/run/s.yaml');
    expect(secretsFileOf(siteIn('/x', ['g'], null), {})).toBeUndefined();
  });

  it('round-trips what it writes, with mode 0600, and refuses to overwrite without force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-secrets-'));
    const site = siteIn(dir, ['gw-1', 'gw-2']);
    const made = generateSecrets(site);
    const file = join(dir, 'secrets.yaml');
    writeSecretsFile(file, made);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const read = loadSecrets(site, { env: {} });
    expect(read?.mqtt).toEqual(made.mqtt);
    expect(read?.commandKeys.get('gw-2')?.equals(made.commandKeys.get('gw-2') ?? Buffer.alloc(0))).toBe(true);
    expect([...made.mqtt.keys()]).toEqual([
      'gateway-gw-1',
      'gateway-gw-2',
      'collector',
      'control',
      'api',
      'alarms',
    ]);
    expect(() => writeSecretsFile(file, made)).toThrow(/exists; give --force/);
    chmodSync(file, 0o644);
    writeSecretsFile(file, generateSecrets(site), { force: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(made.mqtt.get('collector'));
  });

  it.each([
    ['mqtt: [a, b]', /mqtt: .*expected mqtt: \{user: password\}/],
    ['mqtt: {collector: short}', /mqtt\.collector: a password of at least 12 characters/],
    ['mqtt: {"a:b": "long-enough-password"}', /a user name without/],
    [
      `command_keys: {gw-1: "${Buffer.alloc(16).toString('base64')}"}`,
      /command_keys\.gw-1: give base64 of 32 random bytes/,
    ],
    ['mqtt: {', /is not valid YAML/],
    ['tokens: {}', /malformed/],
  ])('refuses %s naming the file and the entry', (text, message) => {
    expect(() => parseSecrets('/s.yaml', text)).toThrow(message);
    expect(() => parseSecrets('/s.yaml', text)).toThrow(/secrets file \/s\.yaml/);
  });

  it('refuses a missing file and a principal without a password; warns when others may read it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-secrets-'));
    const site = siteIn(dir, ['gw-1']);
    expect(() => loadSecrets(site, { env: {} })).toThrow(
      /secrets\.yaml: does not exist; write one with jieneng secrets init/,
    );
    const file = join(dir, 'secrets.yaml');
    writeFileSync(file, `mqtt:\n  gateway-gw-1: "0123456789abcdef"\ncommand_keys:\n  gw-1: "${key}"\n`, {
      mode: 0o644,
    });
    expect(() => loadSecrets(site, { env: {} })).toThrow(
      /no MQTT password for "collector", "control", "api"/,
    );
    const lines: string[] = [];
    const log = createLogger({ sink: { write: (l) => lines.push(l) } });
    const one = loadSecrets(site, { env: {}, users: ['gateway-gw-1'], log });
    expect(one?.mqtt.get('gateway-gw-1')).toBe('0123456789abcdef');
    expect(lines.join('')).toMatch(/readable by others than its owner; chmod 600 it .*mode=644/);
    expect(lines.join('')).not.toContain('0123456789abcdef');
    expect(commandKeyOf(one ?? generateSecrets(site), 'gw-1').length).toBe(32);
    expect(() => commandKeyOf(one ?? generateSecrets(site), 'gw-9')).toThrow(
      /no command key for gateway "gw-9"/,
    );
  });

  it('extends secrets made in memory to the gateways a reload adds, keeping the others', () => {
    const first = generateSecrets(siteIn('/x', ['gw-1']));
    const before = first.mqtt.get('gateway-gw-1');
    extendSecrets(first, siteIn('/x', ['gw-1', 'gw-2']));
    expect(first.mqtt.get('gateway-gw-1')).toBe(before);
    expect(first.mqtt.get('gateway-gw-2')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first.commandKeys.get('gw-2')?.length).toBe(32);
  });
});
