import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, OPCUACertificateManager, OPCUAServer, Variant } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { opcuaConnectionSchema } from '../core/config/siteSchema.ts';
import { createLogger } from '../core/log.ts';
import { loadProfile } from '../core/profiles/loadProfile.ts';
import type { DeviceProfile } from '../core/profiles/profileSchema.ts';
import type { Reading } from '../core/telemetry.ts';
import { startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { OpcuaSubscriber } from '../gateway/protocols/opcua/subscriber.ts';
import { waitFor } from './helpers/site.ts';
import { freePort } from './servers/process.ts';

const PROFILE = 'opcua/jieneng/hvac-zone';
const log = createLogger({ level: 'error' });

function profiles(): Map<string, DeviceProfile> {
  const r = loadProfile(PROFILE);
  if (!r.ok) throw new Error(PROFILE);
  return new Map([[PROFILE, r.profile]]);
}

function connection(port: number, objects: string[]) {
  return opcuaConnectionSchema.parse({
    id: 'hvac',
    protocol: 'opcua',
    endpoint: `opc.tcp://127.0.0.1:${port}/jieneng`,
    sampling_interval: '200ms',
    publishing_interval: '200ms',
    devices: objects.map((object) => ({ id: object.replace('.', '-'), profile: PROFILE, object })),
  });
}

describe('gateway OPC UA acquisition', () => {
  it('decodes a server built directly with node-opcua’s server API (not device-sims)', async () => {
    const port = await freePort();
    const pki = mkdtempSync(join(tmpdir(), 'jn-ua-interop-'));
    const server = new OPCUAServer({
      port,
      host: '127.0.0.1',
      hostname: '127.0.0.1',
      resourcePath: '/jieneng',
      serverCertificateManager: new OPCUACertificateManager({
        rootFolder: join(pki, 'server'),
        automaticallyAcceptUnknownCertificate: true,
      }),
    });
    await server.initialize();
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('no address space');
    const ns = addressSpace.registerNamespace('urn:jieneng:device-sims');
    const unit = ns.addObject({
      organizedBy: addressSpace.rootFolder.objects,
      browseName: 'AHU-1',
      nodeId: 's=b1.ahu-1',
    });
    const values: Record<string, [string, DataType, boolean | number | string]> = {
      OnOff: ['Boolean', DataType.Boolean, true],
      Mode: ['String', DataType.String, 'cool'],
      CoolingSetpoint: ['Double', DataType.Double, 25.5],
      HeatingSetpoint: ['Double', DataType.Double, 19],
      FanSpeed: ['Int32', DataType.Int32, 2],
      ZoneTemperature: ['Double', DataType.Double, 27.25],
      ElectricPower: ['Double', DataType.Double, 4321.5],
      ThermalOutput: ['Double', DataType.Double, 12000],
      Status: ['String', DataType.String, 'cooling'],
    };
    for (const [name, [dataType, dt, value]] of Object.entries(values)) {
      ns.addVariable({
        componentOf: unit,
        browseName: name,
        nodeId: `s=b1.ahu-1.${name}`,
        dataType,
        value: new Variant({ dataType: dt, value }),
      });
    }
    await server.start();
    const readings: Reading[] = [];
    const sub = new OpcuaSubscriber({
      connection: connection(port, ['b1.ahu-1']),
      profiles: profiles(),
      clock: new ManualClock(0),
      log,
      emit: (r) => readings.push(...r),
    });
    try {
      await sub.start();
      await waitFor('the initial values', () => readings.length >= 9, 10_000);
    } finally {
      await sub.stop();
      await server.shutdown(0);
    }
    const got = Object.fromEntries(readings.map((r) => [r.point, r.value]));
    expect(got).toEqual({
      on_off: 1,
      mode: 0, // index in the profile's values: cool, heat, fan, auto
      cooling_setpoint: 25.5,
      heating_setpoint: 19,
      fan_speed: 2,
      zone_temperature: 27.25,
      electric_power: 4321.5,
      thermal_output: 12000,
      status: 1, // off, cooling, heating, fan
    });
    expect(readings.every((r) => r.quality === 'good' && r.device === 'b1-ahu-1')).toBe(true);
  });

  it('resumes within 10 s after the server restarts, without duplicate monitored items', async () => {
    const loaded = loadScenario(defaultScenarioFile);
    const port = await freePort();
    const sims = await startSims({
      scenario: {
        ...loaded,
        scenario: { ...loaded.scenario, devices: [], opcua: { port, profile: PROFILE } },
      },
      clock: new ManualClock(Date.parse('2025-07-02T10:00:00+08:00')),
      log,
    });
    const readings: Reading[] = [];
    const sub = new OpcuaSubscriber({
      connection: connection(port, ['zonghe-lou.f1-3', 'zonghe-lou.f4-8']),
      profiles: profiles(),
      clock: new ManualClock(0),
      log,
      emit: (r) => readings.push(...r),
    });
    try {
      await sub.start();
      await waitFor('the initial values', () => readings.length >= 18, 10_000);
      expect(sims.opcua?.monitoredItemCount()).toBe(18);
      const before = readings.length;
      await sims.opcua?.restart(500);
      await waitFor('data after the restart', () => readings.length >= before + 18, 10_000);
      await waitFor(
        'the server to hold the items again',
        () => sims.opcua?.monitoredItemCount() === 18,
        5_000,
      );
      await new Promise((r) => setTimeout(r, 1000));
      expect(sims.opcua?.monitoredItemCount()).toBe(18); // re-created once, not twice
      expect(sub.counters.monitored_items).toBe(18);
    } finally {
      await sub.stop();
      await sims.stop();
    }
  }, 40_000);
});
