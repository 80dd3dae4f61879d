import { join } from 'node:path';
import mqtt from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Control, startControl } from '../control/main.ts';
import { ManualClock } from '../core/clock.ts';
import type { CommandResult, SignedCommand } from '../core/commands.ts';
import { generateCommandKey } from '../core/control/commandSignature.ts';
import { createLogger } from '../core/log.ts';
import { topics } from '../core/topics.ts';
import type { Sims } from '../device-sims/main.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { modbusSite, startModbusSims } from './helpers/modbusSite.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * Someone on the broker copies each of control's commands with a forged signature under the same
 * id. The gateway refuses the copy at once — before the genuine command's write is read back — and
 * says so on the result topic under that id; control must not take that refusal for the answer to
 * its own command. Real parts: Mosquitto, control, a gateway, the simulated relays.
 */
describe('a forged copy of a genuine command', () => {
  const GW = 'gw-forgery';
  const key = generateCommandKey();
  const clock = new ManualClock(Date.parse('2025-07-02T10:00:00+08:00'));
  const log = createLogger({ level: 'error' });
  const registry = new Registry();
  let sims: Sims;
  let gateway: Gateway;
  let control: Control;
  let attacker: mqtt.MqttClient;
  const refusals: CommandResult[] = [];

  beforeAll(async () => {
    const started = await startModbusSims(['zonghe-lights'], clock, log);
    sims = started.sims;
    const { site: loadedSite, dir } = modbusSite({
      port: started.port,
      gateways: [{ id: GW, devices: started.devices }],
      control: {
        groups: [
          {
            id: 'lights',
            name: '照明',
            building: 'zonghe-lou',
            class: 'lighting',
            devices: ['zonghe-lights'],
          },
        ],
        // Control writes the relinquish default as soon as the relays report: its first command.
        points: [{ group: 'lights', point: 'relay_2', relinquish_default: 0 }],
      },
    });
    const mqttUrl = inject('mosquittoUrl');
    gateway = await startGateway({
      site: loadedSite,
      gatewayId: GW,
      mqttUrl,
      dataDir: dir,
      clock,
      log,
      commandKey: key,
      metrics: registry,
    });
    attacker = await mqtt.connectAsync(mqttUrl);
    attacker.on('message', (topic, payload) => {
      if (topic === topics.commandResult(GW)) {
        const r = JSON.parse(payload.toString()) as CommandResult;
        if (r.refused) refusals.push(r);
        return;
      }
      const genuine = JSON.parse(payload.toString()) as SignedCommand;
      if (genuine.signature.hmac.startsWith('forged')) return; // its own copy
      const copy = {
        ...genuine,
        value: 1,
        signature: { ...genuine.signature, hmac: `forged${genuine.signature.hmac}` },
      };
      attacker.publish(topics.command(GW), JSON.stringify(copy), { qos: 1 });
    });
    await attacker.subscribeAsync([topics.command(GW), topics.commandResult(GW)], { qos: 1 });
    control = await startControl({
      site: loadedSite,
      mqttUrl,
      dbFile: join(dir, 'control.db'),
      clock,
      log,
      tickMs: 200,
      readyWaitMs: 1000,
      commandTimeoutMs: 5000,
      commandKeys: new Map([[GW, key]]),
    });
  }, 120_000);
  afterAll(async () => {
    await control?.stop();
    await attacker?.endAsync();
    await gateway?.stop();
    await sims?.stop();
  });

  it('control takes the gateway’s genuine answer, not the refusal of the forged copy', async () => {
    const writes = () =>
      control.service.audit({ device: 'zonghe-lights', limit: 100 }).filter((a) => a.action === 'write');
    await waitFor('control’s first write of relay_2', () => writes().length > 0, { seen: () => refusals });
    await waitFor('the forged copy refused', () => refusals.length > 0);
    expect(refusals[0]).toMatchObject({ status: 'rejected', refused: 'signature', requested: 1 });
    expect(writes()[0]).toMatchObject({ outcome: 'written', requested: 0, read_back: 0 });
    expect(sims.simulation.building('zonghe-lou')?.zone('f4-8')?.lighting.on).toBe(false);
    expect(await registry.metrics()).toMatch(
      /jieneng_gateway_commands_refused_total\{gateway="gw-forgery",reason="signature"\} [1-9]/,
    );
  });
});
