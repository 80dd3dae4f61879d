import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeIds,
  BrowseDirection,
  type ClientSession,
  ClientSubscription,
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  resolveNodeId,
  SecurityPolicy,
  StatusCodes,
  TimestampsToReturn,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { type Sims, startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { waitFor } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

const NS_URI = 'urn:jieneng:device-sims';

/**
 * The simulated HVAC read and written by an OPC UA client written directly against node-opcua's
 * client API — not our gateway — so the server is checked by a peer we did not write.
 */
describe('device-sims OPC UA server, with node-opcua’s own client', () => {
  let sims: Sims;
  let endpoint = '';
  const clock = new ManualClock(Date.parse('2025-07-02T10:00:00+08:00'));
  const pki = mkdtempSync(join(tmpdir(), 'jn-opcua-client-'));

  beforeAll(async () => {
    const loaded = loadScenario(defaultScenarioFile);
    const port = await freePort();
    // The Modbus devices are not needed here.
    const scenario = {
      ...loaded,
      scenario: { ...loaded.scenario, devices: [], opcua: { port, profile: 'opcua/jieneng/hvac-zone' } },
    };
    sims = await startSims({ scenario, clock, log: createLogger({ level: 'warn' }) });
    endpoint = sims.opcua?.endpointUrl ?? '';
  });
  afterAll(async () => {
    await sims.stop();
  });

  async function withSession<T>(
    fn: (session: ClientSession, ns: number) => Promise<T>,
    security = MessageSecurityMode.None,
  ): Promise<T> {
    const client = OPCUAClient.create({
      endpointMustExist: false,
      connectionStrategy: { maxRetry: 2, initialDelay: 200, maxDelay: 1000 },
      securityMode: security,
      securityPolicy:
        security === MessageSecurityMode.None ? SecurityPolicy.None : SecurityPolicy.Basic256Sha256,
      clientCertificateManager: new OPCUACertificateManager({
        rootFolder: pki,
        automaticallyAcceptUnknownCertificate: true,
      }),
    });
    await client.connect(endpoint);
    try {
      const session = await client.createSession();
      try {
        const nsArray = (await session.readNamespaceArray()) as string[];
        return await fn(session, nsArray.indexOf(NS_URI));
      } finally {
        await session.close();
      }
    } finally {
      await client.disconnect();
    }
  }

  it('advertises a loopback endpoint and browses Buildings → building → zone → variables', async () => {
    expect(endpoint).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+\/jieneng$/);
    await withSession(async (session, ns) => {
      expect(ns).toBeGreaterThan(0);
      const buildings = await session.browse(`ns=${ns};s=Buildings`);
      expect(buildings.references?.map((r) => r.browseName.name)).toEqual([
        'zonghe-lou',
        'fuwu-lou',
        'dangan-lou',
      ]);
      const zones = await session.browse(`ns=${ns};s=zonghe-lou`);
      expect(zones.references?.map((r) => r.browseName.name)).toEqual(['f1-3', 'f4-8']);
      const vars = await session.browse(`ns=${ns};s=zonghe-lou.f1-3`);
      expect(vars.references?.map((r) => r.browseName.name)).toEqual(
        expect.arrayContaining([
          'OnOff',
          'Mode',
          'CoolingSetpoint',
          'HeatingSetpoint',
          'FanSpeed',
          'ZoneTemperature',
          'ElectricPower',
          'Status',
        ]),
      );
    });
  });

  it('reads values with engineering units and ranges', async () => {
    await withSession(async (session, ns) => {
      const sp = await session.read({
        nodeId: `ns=${ns};s=zonghe-lou.f1-3.CoolingSetpoint`,
        attributeId: AttributeIds.Value,
      });
      expect(sp.value.value).toBe(26);
      const props = await session.browse({
        nodeId: `ns=${ns};s=zonghe-lou.f1-3.CoolingSetpoint`,
        referenceTypeId: resolveNodeId('HasProperty'),
        includeSubtypes: true,
        browseDirection: BrowseDirection.Forward,
        resultMask: 0x3f, // every field of the reference description, browse names included
      });
      const byName = new Map(props.references?.map((r) => [r.browseName.name, r.nodeId]));
      const range = await session.read({
        nodeId: byName.get('EURange') ?? '',
        attributeId: AttributeIds.Value,
      });
      expect(range.value.value).toMatchObject({ low: 16, high: 32 });
      const unit = await session.read({
        nodeId: byName.get('EngineeringUnits') ?? '',
        attributeId: AttributeIds.Value,
      });
      expect(unit.value.value.displayName.text).toBe('°C');
      const on = await session.read({
        nodeId: `ns=${ns};s=zonghe-lou.f1-3.OnOff`,
        attributeId: AttributeIds.Value,
      });
      expect(on.value.value).toBe(true); // 10:00 on a working day: the unit's time switch has it on
    });
  });

  it('takes a setpoint write the building follows, and refuses one outside the range', async () => {
    await withSession(async (session, ns) => {
      const nodeId = `ns=${ns};s=zonghe-lou.f1-3.CoolingSetpoint`;
      const ok = await session.write({
        nodeId,
        attributeId: AttributeIds.Value,
        value: { value: { dataType: DataType.Double, value: 27.5 } },
      });
      expect(ok).toEqual(StatusCodes.Good);
      expect(sims.simulation.building('zonghe-lou')?.zone('f1-3')?.hvac.coolingSetpoint).toBe(27.5);
      expect((await session.read({ nodeId, attributeId: AttributeIds.Value })).value.value).toBe(27.5);
      const tooCold = await session.write({
        nodeId,
        attributeId: AttributeIds.Value,
        value: { value: { dataType: DataType.Double, value: 10 } },
      });
      expect(tooCold).toEqual(StatusCodes.BadOutOfRange);
      const badMode = await session.write({
        nodeId: `ns=${ns};s=zonghe-lou.f1-3.Mode`,
        attributeId: AttributeIds.Value,
        value: { value: { dataType: DataType.String, value: 'dehumidify' } },
      });
      expect(badMode).toEqual(StatusCodes.BadOutOfRange);
      const readOnly = await session.write({
        nodeId: `ns=${ns};s=zonghe-lou.f1-3.ZoneTemperature`,
        attributeId: AttributeIds.Value,
        value: { value: { dataType: DataType.Double, value: 20 } },
      });
      expect(readOnly).not.toEqual(StatusCodes.Good);
    });
  });

  it('sends subscription updates as the zone temperature changes', async () => {
    await withSession(async (session, ns) => {
      const subscription = ClientSubscription.create(session, {
        requestedPublishingInterval: 100,
        requestedMaxKeepAliveCount: 20,
        requestedLifetimeCount: 100,
        publishingEnabled: true,
      });
      const seen: number[] = [];
      const item = await subscription.monitor(
        { nodeId: `ns=${ns};s=zonghe-lou.f4-8.ZoneTemperature`, attributeId: AttributeIds.Value },
        { samplingInterval: 100, discardOldest: true, queueSize: 10 },
        TimestampsToReturn.Both,
      );
      item.on('changed', (dv) => seen.push(dv.value.value as number));
      await waitFor('the initial value', () => seen.length >= 1);
      // Switch the unit off and let two simulated hours of a July morning pass: the zone warms up.
      const unit = sims.simulation.building('zonghe-lou')?.zone('f4-8');
      if (unit) unit.hvac.on = false;
      for (let i = 1; i <= 4; i++) {
        const before = seen.length;
        clock.advance(30 * 60_000);
        await waitFor(`an update after ${i * 30} simulated minutes`, () => seen.length > before);
      }
      expect(seen.at(-1)).toBeGreaterThan(seen[0] ?? 0);
      await subscription.terminate();
    });
  });

  it('accepts a SignAndEncrypt session (Basic256Sha256)', async () => {
    const t = await withSession(
      async (session, ns) =>
        (await session.read({ nodeId: `ns=${ns};s=fuwu-lou.canteen.Mode`, attributeId: AttributeIds.Value }))
          .value.value,
      MessageSecurityMode.SignAndEncrypt,
    );
    expect(t).toBe('auto');
  });

  it('comes back after a server restart (fault injection) with the same node map', async () => {
    await sims.opcua?.restart(200);
    const value = await withSession(
      async (session, ns) =>
        (
          await session.read({
            nodeId: `ns=${ns};s=dangan-lou.archives.HeatingSetpoint`,
            attributeId: AttributeIds.Value,
          })
        ).value.value,
    );
    expect(value).toBe(20);
  });

  it('restarts on the scenario schedule (opcua_restart) and serves the same nodes again', async () => {
    const loaded = loadScenario(defaultScenarioFile);
    const port = await freePort();
    const lines: string[] = [];
    const at = '2025-07-02T10:30:00+08:00';
    const ownClock = new ManualClock(Date.parse('2025-07-02T10:00:00+08:00'));
    const scheduled = await startSims({
      scenario: {
        ...loaded,
        scenario: {
          ...loaded.scenario,
          devices: [],
          opcua: { port, profile: 'opcua/jieneng/hvac-zone' },
          faults: [{ at, opcua_restart: 0.2 }],
        },
      },
      clock: ownClock,
      log: createLogger({ level: 'info', sink: { write: (l) => lines.push(l) } }),
    });
    const own = endpoint;
    endpoint = scheduled.opcua?.endpointUrl ?? '';
    try {
      ownClock.set(Date.parse(at) + 60_000);
      // The first access past `at` runs the schedule: the server goes down and comes back.
      await withSession(async (session, ns) =>
        session.read({
          nodeId: `ns=${ns};s=zonghe-lou.f1-3.ZoneTemperature`,
          attributeId: AttributeIds.Value,
        }),
      ).catch(() => undefined);
      await waitFor(
        'the restart',
        () =>
          lines.some((l) => l.includes('opcua sim listening')) &&
          lines.filter((l) => l.includes('opcua sim listening')).length >= 2,
      );
      expect(lines.some((l) => l.includes('opcua sim restarting'))).toBe(true);
      const mode = await withSession(
        async (session, ns) =>
          (
            await session.read({
              nodeId: `ns=${ns};s=fuwu-lou.offices.Mode`,
              attributeId: AttributeIds.Value,
            })
          ).value.value,
      );
      expect(mode).toBe('auto');
    } finally {
      endpoint = own;
      await scheduled.stop();
    }
  });
});
