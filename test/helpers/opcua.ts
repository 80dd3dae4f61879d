import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  Variant,
} from 'node-opcua';
import { type Clock, ManualClock } from '../../core/clock.ts';
import { type OpcuaConnection, opcuaConnectionSchema } from '../../core/config/siteSchema.ts';
import { createLogger, type Logger } from '../../core/log.ts';
import { loadProfile } from '../../core/profiles/loadProfile.ts';
import type { DeviceProfile, OpcuaProfile } from '../../core/profiles/profileSchema.ts';
import type { Reading } from '../../core/telemetry.ts';
import type { DeviceAvailability } from '../../gateway/deviceAvailability.ts';
import { OpcuaSubscriber } from '../../gateway/protocols/opcua/subscriber.ts';
import { freePort } from '../servers/process.ts';

/** Shared by the OPC UA gateway tests: the hvac-zone profile, a node-opcua server of our own, a subscriber. */
export const PROFILE = 'opcua/jieneng/hvac-zone';
export const log = createLogger({ level: 'error' });

export function profiles(): Map<string, DeviceProfile> {
  const r = loadProfile(PROFILE);
  if (!r.ok) throw new Error(PROFILE);
  return new Map([[PROFILE, r.profile]]);
}

export function connection(
  port: number,
  objects: string[],
  extra: Record<string, unknown> = {},
  device: Record<string, unknown> = {},
) {
  return opcuaConnectionSchema.parse({
    id: 'hvac',
    protocol: 'opcua',
    endpoint: `opc.tcp://127.0.0.1:${port}/jieneng`,
    sampling_interval: '200ms',
    publishing_interval: '200ms',
    ...extra,
    devices: objects.map((object) => ({ id: object.replace('.', '-'), profile: PROFILE, object, ...device })),
  });
}

/** The hvac-zone variables of a test server: data type name, node-opcua type, first value. */
export const HVAC_VALUES: Record<string, [string, DataType, boolean | number | string]> = {
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

/**
 * An OPC UA server built directly on node-opcua's server API (not device-sims): one AC unit
 * object per name with the hvac-zone variables; every write a client makes is counted.
 */
export async function uaServer(options: {
  objects: string[];
  operationLimits?: { maxMonitoredItemsPerCall: number; maxNodesPerRead: number };
  secure?: boolean;
  /** Same port again: a restart of the device. */
  port?: number;
  /** Variables get numeric NodeIds: only their browse names find them. */
  numericVariables?: boolean;
  /** Subscriptions granted per session from the start (0: BadTooManySubscriptions to every one). */
  subscriptionsPerSession?: number;
}) {
  const port = options.port ?? (await freePort());
  const pki = mkdtempSync(join(tmpdir(), 'jn-ua-server-'));
  const server = new OPCUAServer({
    port,
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    resourcePath: '/jieneng',
    serverCertificateManager: new OPCUACertificateManager({
      rootFolder: join(pki, 'server'),
      automaticallyAcceptUnknownCertificate: true,
    }),
    ...(options.secure
      ? { securityModes: [MessageSecurityMode.Sign], securityPolicies: [SecurityPolicy.Basic256Sha256] }
      : {}),
    ...(options.operationLimits ? { serverCapabilities: { operationLimits: options.operationLimits } } : {}),
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error('no address space');
  const ns = addressSpace.registerNamespace('urn:jieneng:device-sims');
  const writes: { node: string; value: unknown }[] = [];
  const current = new Map<string, Variant>();
  for (const object of options.objects) {
    const unit = ns.addObject({
      organizedBy: addressSpace.rootFolder.objects,
      browseName: object,
      nodeId: `s=${object}`,
    });
    for (const [name, [dataType, dt, value]] of Object.entries(HVAC_VALUES)) {
      const node = `${object}.${name}`;
      current.set(node, new Variant({ dataType: dt, value }));
      ns.addVariable({
        componentOf: unit,
        browseName: name,
        ...(options.numericVariables ? {} : { nodeId: `s=${node}` }),
        dataType,
        accessLevel: 'CurrentRead | CurrentWrite',
        userAccessLevel: 'CurrentRead | CurrentWrite',
        value: {
          get: () => current.get(node) ?? new Variant({}),
          set: (v: Variant) => {
            writes.push({ node, value: v.value });
            current.set(node, new Variant({ dataType: dt, value: v.value }));
            return StatusCodes.Good;
          },
        },
      });
    }
  }
  if (options.subscriptionsPerSession !== undefined)
    server.engine.serverCapabilities.maxSubscriptionsPerSession = options.subscriptionsPerSession;
  await server.start();
  return {
    port,
    writes,
    /** Subscriptions the server grants each session from now on (0: BadTooManySubscriptions). */
    subscriptionsPerSession: (n: number) => {
      server.engine.serverCapabilities.maxSubscriptionsPerSession = n;
    },
    /** Changes a value as the device would (subscribers see it at the next sample). */
    set: (node: string, value: number) => {
      const v = current.get(node);
      if (v) current.set(node, new Variant({ dataType: v.dataType, value }));
    },
    certificateFile: server.certificateFile,
    stop: () => server.shutdown(0),
  };
}

export function subscriber(
  conn: OpcuaConnection,
  emit: (r: Reading[]) => void,
  clock: Clock = new ManualClock(0),
  extra: { profiles?: Map<string, DeviceProfile>; availability?: DeviceAvailability; log?: Logger } = {},
) {
  return new OpcuaSubscriber({
    connection: conn,
    profiles: extra.profiles ?? profiles(),
    clock,
    log: extra.log ?? log,
    emit,
    pkiDir: mkdtempSync(join(tmpdir(), 'jn-ua-client-')),
    ...(extra.availability ? { availability: extra.availability } : {}),
  });
}

/** The bundled hvac-zone profile with `change` applied to it (another namespace, no node templates…). */
export function variant(change: (p: OpcuaProfile) => OpcuaProfile): Map<string, DeviceProfile> {
  const base = profiles().get(PROFILE);
  if (base?.protocol !== 'opcua') throw new Error(PROFILE);
  return new Map([[PROFILE, change(structuredClone(base))]]);
}
