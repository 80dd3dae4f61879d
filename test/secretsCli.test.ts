import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { mqttCommand } from '../cli/mqttCommand.ts';
import { secretsCommand } from '../cli/secretsCommand.ts';
import { runTool, writeClosedSite } from './helpers/closedSite.ts';
import { writeTestSite } from './helpers/site.ts';

describe('jieneng secrets init and jieneng mqtt acl', () => {
  it('writes a secrets file with mode 0600, prints no secret, and keeps an existing one unless --force', async () => {
    const { dir, file, secrets } = await writeClosedSite();
    const secretsFile = join(dir, 'secrets.yaml');
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    const again = runTool(secretsCommand, ['init'], { config: file, 'data-dir': join(dir, 'data') });
    await expect(again).rejects.toThrow(/secrets\.yaml exists; give --force/);
    const before = readFileSync(secretsFile, 'utf8');
    const forced = await runTool(secretsCommand, ['init'], {
      config: file,
      force: true,
      'data-dir': join(dir, 'data'),
    });
    expect(forced.out).toMatch(
      /wrote .*secrets\.yaml \(mode 0600\): MQTT passwords for gateway-gw-a, gateway-gw-b, collector, control, api, alarms; command keys for 2 gateway\(s\)/,
    );
    const after = readFileSync(secretsFile, 'utf8');
    expect(after).not.toBe(before);
    for (const password of secrets.mqtt.values()) expect(forced.out + forced.err).not.toContain(password);
    for (const password of Object.values(parse(after).mqtt as Record<string, string>))
      expect(forced.out + forced.err).not.toContain(password);
  });

  it('writes passwd, acl and mosquitto.conf for the site; a site without a secrets file is told how to make one', async () => {
    const { dir, file, secrets } = await writeClosedSite();
    const out = join(dir, 'broker');
    const run = await runTool(mqttCommand, ['acl'], {
      config: file,
      output: out,
      'data-dir': join(dir, 'data'),
    });
    expect(run.out).toMatch(
      /wrote .*broker\/passwd \(6 users\), .*broker\/acl and .*broker\/mosquitto\.conf/,
    );
    const passwd = readFileSync(join(out, 'passwd'), 'utf8');
    expect(
      passwd
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(':')[0]),
    ).toEqual(['gateway-gw-a', 'gateway-gw-b', 'collector', 'control', 'api', 'alarms']);
    expect(passwd).toMatch(/^gateway-gw-a:\$7\$101\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]{88}$/m);
    for (const password of secrets.mqtt.values()) expect(passwd + run.out).not.toContain(password);
    expect(statSync(join(out, 'passwd')).mode & 0o777).toBe(0o600);
    const conf = readFileSync(join(out, 'mosquitto.conf'), 'utf8');
    expect(conf).toContain(`password_file ${join(out, 'passwd')}`);
    expect(conf).toContain(`acl_file ${join(out, 'acl')}`);
    expect(conf).toContain('allow_anonymous false');

    const open = writeTestSite({ modbusPort: 1, gatewayId: 'gw', devices: ['m'] });
    await expect(runTool(mqttCommand, ['acl'], { config: open.file, output: out })).rejects.toThrow(
      /names no secrets file \(platform\.secrets_file or \$JIENENG_SECRETS\); write one with jieneng secrets init/,
    );
    await expect(runTool(secretsCommand, ['init'], { config: open.file })).rejects.toThrow(
      /names no secrets file: add platform\.secrets_file \(e\.g\. secrets\.yaml\) or give -o FILE/,
    );
  });

  it('refuses a secrets file that lacks a principal of the site, naming the file and the user', async () => {
    const { dir, file } = await writeClosedSite();
    const secretsFile = join(dir, 'secrets.yaml');
    const doc = parse(readFileSync(secretsFile, 'utf8'));
    delete doc.mqtt['gateway-gw-b'];
    writeFileSync(secretsFile, stringify(doc), { mode: 0o600 });
    await expect(
      runTool(mqttCommand, ['acl'], { config: file, output: join(dir, 'b'), 'data-dir': join(dir, 'data') }),
    ).rejects.toThrow(`secrets file ${secretsFile}: no MQTT password for "gateway-gw-b"`);
  });
});
