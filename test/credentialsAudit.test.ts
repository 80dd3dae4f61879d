import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { AuditLog } from '../core/audit/auditLog.ts';
import { spawnCli } from './helpers/cli.ts';
import { writeTestSite } from './helpers/site.ts';

/** Runs `jieneng ARGS` as a user does and returns its exit code and output. */
async function jieneng(...args: string[]): Promise<{ code: number | null; out: string }> {
  const cli = spawnCli(args);
  const code = await cli.exited;
  return { code, out: cli.stdout() + cli.stderr() };
}

describe('jieneng secrets init and jieneng mqtt acl are in the audit log', () => {
  it('appends secrets.init and mqtt.acl to DIR/audit.db (a refused init too), naming the file and no secret', async () => {
    const { dir, file } = writeTestSite({ modbusPort: 1, gatewayId: 'gw-a', devices: ['m'] });
    const doc = parse(readFileSync(file, 'utf8'));
    doc.platform = { ...doc.platform, secrets_file: 'secrets.yaml' };
    writeFileSync(file, stringify(doc));
    const data = join(dir, 'data');
    const secretsFile = join(dir, 'secrets.yaml');
    const broker = join(dir, 'mosquitto');

    const init = await jieneng('secrets', 'init', '--config', file, '--data-dir', data);
    expect(init.code, init.out).toBe(0);
    const acl = await jieneng('mqtt', 'acl', '--config', file, '-o', broker, '--data-dir', data);
    expect(acl.code, acl.out).toBe(0);
    const again = await jieneng('secrets', 'init', '--config', file, '--data-dir', data);
    expect(again.code).not.toBe(0);
    expect(again.out).toMatch(/secrets\.yaml exists; give --force/);

    const log = new AuditLog({ file: join(data, 'audit.db'), timeZone: 'Asia/Shanghai' });
    try {
      const entries = log.list({}).sort((a, b) => a.id - b.id);
      expect(entries.map((e) => [e.action, e.target, e.outcome])).toEqual([
        ['secrets.init', `file:${secretsFile}`, 'ok'],
        ['mqtt.acl', `file:${join(broker, 'passwd')}`, 'ok'],
        ['secrets.init', `file:${secretsFile}`, 'refused'],
      ]);
      for (const e of entries) expect(e.actor).toMatchObject({ via: 'cli', role: 'admin' });
      expect(entries[0]?.actor.user).toMatch(/^cli:/);
      expect(entries[0]?.after).toMatchObject({
        mqtt_users: ['gateway-gw-a', 'collector', 'control', 'api', 'alarms'],
        command_keys: ['gw-a'],
      });
      expect(log.verify()).toMatchObject({ ok: true });
      // No password or command key of the file is in the log.
      const secrets = parse(readFileSync(secretsFile, 'utf8'));
      const text = JSON.stringify(entries);
      for (const value of [...Object.values(secrets.mqtt), ...Object.values(secrets.command_keys)])
        expect(text).not.toContain(value as string);
    } finally {
      log.close();
    }
  }, 60_000);
});
