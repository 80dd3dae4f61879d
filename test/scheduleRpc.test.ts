import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MqttControlPort } from '../api/controlClient.ts';
import { type RpcServer, startRpcServer } from '../control/rpcServer.ts';
import { ControlService } from '../control/service.ts';
import type { Actor } from '../core/auth/actor.ts';
import { ManualClock } from '../core/clock.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * The schedule versions and the command privileges through `jieneng api`'s path: the API's
 * MqttControlPort on a real Mosquitto (MQTT 5 request/response), control behind it.
 */
describe('schedule versions and privileges over control RPC', () => {
  const site = loadSite(join(import.meta.dirname, '../examples/demo-site.yaml'));
  const siteId = `sched-rpc-${process.pid}`;
  const log = createLogger({ level: 'error' });
  const engineer: Actor = { user: '王工', role: 'engineer', via: 'token', scopes: [] };
  let service: ControlService;
  let serverClient: MqttClient;
  let server: RpcServer;
  let client: MqttControlPort;

  beforeAll(async () => {
    const mqttUrl = inject('mosquittoUrl');
    service = new ControlService({
      site,
      dbFile: join(mkdtempSync(join(tmpdir(), 'jn-sched-rpc-')), 'control.db'),
      dispatcher: { write: async (c) => ({ status: 'written', readBack: c.value }) },
      latest: () => undefined,
      clock: new ManualClock(Date.parse('2025-10-15T22:00:00+08:00')),
      log,
    });
    serverClient = await mqtt.connectAsync(mqttUrl, { protocolVersion: 5, clean: true });
    server = await startRpcServer({ client: serverClient, service, site: siteId, log });
    client = new MqttControlPort({ mqttUrl, site: siteId, log });
    await waitFor(
      'the client answered once',
      async () => (await Promise.resolve(client.now()).catch(() => 0)) > 0,
    );
  });
  afterAll(async () => {
    await client?.stop();
    await server?.stop();
    await serverClient?.endAsync();
    service?.close();
  });

  it('edits, diffs and reverts a site-file schedule; refuses an engineer priority 1 with the rule', async () => {
    const id = 'dangan-archives-setback';
    const site0 = await client.schedule(id);
    expect(site0.origin).toBe('site');
    const put = await client.putSchedule({ ...site0.schedule, default: 27 }, engineer, '档案保护');
    expect(put).toMatchObject({ problems: [], version: 1 });
    expect(await client.scheduleDiff(id, 'site', 1)).toEqual({
      id,
      from: 'site',
      to: 1,
      changes: [{ path: 'default', before: 28, after: 27 }],
    });
    expect((await client.revertSchedule(id, 'site', engineer)).schedule).toMatchObject({
      origin: 'site',
      version: 2,
    });
    expect((await client.scheduleHistory(id)).versions.map((v) => [v.version, v.action, v.reason])).toEqual([
      [1, 'edit', '档案保护'],
      [2, 'revert', null],
    ]);
    await expect(Promise.resolve(client.scheduleDiff(id, 1, 5))).rejects.toMatchObject({
      code: 'not_found',
      message: `schedule "${id}" has no version 5; allowed: 1 … 2 or "site"`,
    });

    const refused = await client.command({
      device: 'zonghe-lou-f4-8-ac',
      point: 'cooling_setpoint',
      priority: 1,
      value: 27,
      actor: engineer,
      reason: '演练',
      expiresAt: service.now() + 3_600_000,
    });
    expect(refused).toMatchObject({
      accepted: false,
      code: 'priority_not_allowed',
      rule: 'command_privileges.levels[0]',
      reason_zh: expect.stringMatching(/^优先级 1（生命安全）需要/),
    });
  });
});
