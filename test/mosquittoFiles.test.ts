import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sitePrincipals } from '../core/mqtt/acl.ts';
import { mosquittoAclFile, mosquittoPasswordLine } from '../core/mqtt/mosquitto.ts';
import { requireBinary } from './servers/process.ts';

describe('mosquittoPasswordLine', () => {
  it('writes the line the real mosquitto_passwd writes for the same salt', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jn-passwd-')), 'passwd');
    const password = 'pä:ss w0rd/with#odd+chars';
    const run = spawnSync(requireBinary('mosquitto_passwd', 'mosquitto'), [
      '-b',
      '-c',
      file,
      'gateway-gw-1',
      password,
    ]);
    expect(run.status, run.stderr?.toString()).toBe(0);
    const line = readFileSync(file, 'utf8').trim();
    const [, , iterations, salt] = line.split('$');
    expect(iterations).toBe('101');
    const ours = mosquittoPasswordLine('gateway-gw-1', password, { salt: Buffer.from(salt ?? '', 'base64') });
    expect(ours).toBe(line);
    expect(
      mosquittoPasswordLine('gateway-gw-1', 'other', { salt: Buffer.from(salt ?? '', 'base64') }),
    ).not.toBe(line);
  });
});

describe('mosquittoAclFile', () => {
  it('gives each principal a user block with its own topics', () => {
    const ids = ['gw-a', 'gw-b'];
    const acl = mosquittoAclFile(sitePrincipals(ids), { siteId: 'hq', gatewayIds: ids });
    const block = (user: string) => acl.split('\n\n').find((b) => b.startsWith(`user ${user}\n`)) ?? '';
    expect(block('gateway-gw-a')).toContain('topic write jn/v1/gw-a/telemetry');
    expect(block('gateway-gw-a')).toContain('topic read jn/v1/gw-a/command');
    expect(block('gateway-gw-a')).not.toContain('gw-b');
    expect(block('collector')).toContain('topic readwrite jn/v1/gw-b/stored');
    expect(block('control')).toContain('topic write jn/v1/gw-b/command');
    expect(block('api')).toContain('topic read jn/v1/+/devices/+/availability');
  });
});
