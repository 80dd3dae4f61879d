import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { ManualClock } from '../core/clock.ts';
import type { CommandResult } from '../core/commands.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { generateCommandKey, signCommand } from '../core/control/commandSignature.ts';
import { createLogger } from '../core/log.ts';
import { topics } from '../core/topics.ts';
import { type Sims, startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { waitFor } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

/**
 * Commands over a real Mosquitto to the gateway, executed on simulated lighting modules; the test
 * watches the device side (the simulator's write count and the building) as well as the outcome.
 */
describe('gateway commands', () => {
  const gatewayId = 'gw-commands';
  let sims: Sims;
  let gateway: Gateway;
  let client: mqtt.MqttClient;
  const results: CommandResult[] = [];
  const writes = () => sims.status().detail?.modbus_writes as number;
  const key = generateCommandKey();

  beforeAll(async () => {
    const loaded = loadScenario(defaultScenarioFile);
    const port = await freePort();
    const ids = ['zonghe-lights', 'zonghe-dimmer', 'zonghe-main'];
    const devices = loaded.scenario.devices
      .filter((d) => ids.includes(d.id))
      .map((d, i) => ({ ...d, modbus: { port, unit_id: i + 1 } }));
    const clock = new ManualClock(Date.parse('2025-07-02T10:00:00+08:00'));
    const log = createLogger({ level: 'error' });
    sims = await startSims({
      scenario: { ...loaded, scenario: { ...loaded.scenario, devices, opcua: undefined } },
      clock,
      log,
    });
    const dir = mkdtempSync(join(tmpdir(), 'jn-cmd-'));
    const site = {
      version: 1,
      site: { id: 'cmd-site', name: '命令测试' },
      organization: {
        id: 'org',
        name: '测试',
        buildings: [
          {
            id: 'zonghe-lou',
            name: '综合楼',
            category: 'office',
            climate_zone: 'hot_summer_warm_winter',
            floor_area: [{ from: '2020-01-01', value: 18600 }],
            headcount: [{ from: '2020-01-01', value: 560 }],
          },
        ],
      },
      gateways: [
        {
          id: gatewayId,
          connections: [
            {
              id: 'tcp',
              protocol: 'modbus_tcp',
              host: '127.0.0.1',
              port,
              devices: devices.map((d) => ({
                id: d.id,
                profile: d.profile,
                unit_id: d.modbus.unit_id,
                poll_interval: '1s',
              })),
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'site.yaml'), stringify(site));
    const mqttUrl = inject('mosquittoUrl');
    gateway = await startGateway({
      site: loadSite(join(dir, 'site.yaml')),
      gatewayId,
      mqttUrl,
      dataDir: dir,
      clock,
      log,
      commandKey: key,
    });
    client = await mqtt.connectAsync(mqttUrl);
    await client.subscribeAsync(topics.commandResult(gatewayId), { qos: 1 });
    client.on('message', (_t, payload) => results.push(JSON.parse(payload.toString()) as CommandResult));
  });
  afterAll(async () => {
    await client.endAsync();
    await gateway.stop();
    await sims.stop();
  });

  async function send(id: string, device: string, point: string, value: number): Promise<CommandResult> {
    const before = results.filter((r) => r.id === id).length;
    await client.publishAsync(
      topics.command(gatewayId),
      JSON.stringify(
        signCommand(
          { id, device, point, value, requested_by: 'test', sent_at: new Date().toISOString() },
          { gateway: gatewayId, key, issuedAt: Date.now() },
        ),
      ),
      { qos: 1 },
    );
    await waitFor(`the outcome of ${id}`, () => results.filter((r) => r.id === id).length > before, {
      seen: () => `outcomes of ${results.map((r) => r.id).join(', ') || 'no command'}`,
    });
    return results.filter((r) => r.id === id).at(-1) as CommandResult;
  }

  it('writes a relay, reads it back, and the zone goes dark', async () => {
    const result = await send('c-relay', 'zonghe-lights', 'relay_2', 0);
    expect(result, result.reason).toMatchObject({ status: 'written', requested: 0, read_back: 0 });
    expect(sims.simulation.building('zonghe-lou')?.zone('f4-8')?.lighting.on).toBe(false);
  });

  it('writes a dimmer level in its own unit and reads it back', async () => {
    const result = await send('c-dim', 'zonghe-dimmer', 'dim_level_1', 40);
    expect(result).toMatchObject({ status: 'written', requested: 40, read_back: 40 });
    expect(sims.simulation.building('zonghe-lou')?.zone('f1-3')?.lighting.level).toBe(40);
  });

  it('rejects a value outside the profile range, and the device never sees it', async () => {
    const before = writes();
    const result = await send('c-too-bright', 'zonghe-dimmer', 'dim_level_1', 150);
    expect(result).toMatchObject({ status: 'rejected', requested: 150 });
    expect(result.reason).toContain('150 % is above the maximum 100 % of "dim_level_1"');
    expect(writes()).toBe(before);
  });

  it('rejects a write to a read-only point, and the device never sees it', async () => {
    const before = writes();
    const result = await send('c-readonly', 'zonghe-main', 'active_power', 0);
    expect(result).toMatchObject({
      status: 'rejected',
      reason: 'point "active_power" of device "zonghe-main" is read-only',
    });
    expect(writes()).toBe(before);
  });

  it('answers a redelivered command id with the same outcome and does not write twice', async () => {
    const first = await send('c-once', 'zonghe-lights', 'relay_1', 0);
    const afterFirst = writes();
    const again = await send('c-once', 'zonghe-lights', 'relay_1', 0);
    expect(again).toEqual(first);
    expect(writes()).toBe(afterFirst);
  });

  it('rejects a device of another gateway', async () => {
    const result = await send('c-elsewhere', 'dangan-lights', 'relay_1', 1);
    expect(result).toMatchObject({
      status: 'rejected',
      reason: `device "dangan-lights" is not on gateway "${gatewayId}"`,
    });
  });
});
