import { z } from 'zod';
import type { ConnectionProblem, PointRole } from './common.ts';
import { modbus } from './modbus/index.ts';
import { opcua } from './opcua/index.ts';

/**
 * What every protocol's profile point has, whatever else it carries: the services (control, the
 * API, reports) read these and nothing protocol-specific.
 */
export interface CommonPoint {
  id: string;
  name: string;
  unit?: string | undefined;
  access: 'read' | 'read_write';
  role: PointRole;
  min?: number | undefined;
  max?: number | undefined;
}

/** One protocol as the registry takes it (`<name>/index.ts`). */
interface ProtocolEntry {
  /** The folder name here and under gateway/protocols/; the `protocol:` of its profiles. */
  name: string;
  /** Its `gateways[].connections[]` schemas, one per connection `protocol:` value. */
  connections: readonly z.ZodObject<{ protocol: z.ZodLiteral<string>; devices: z.ZodArray<z.ZodObject> }>[];
  profile: z.ZodType<{ protocol: string; points: CommonPoint[] }>;
  /** Device keys that list points of the device's profile (each must exist there). */
  pointLists: readonly string[];
  /** Checks of one connection that need no I/O (the argument is that protocol's connection). */
  checkConnection: ((connection: never) => ConnectionProblem[]) | undefined;
  /** Whether a point of its profiles is on/off, 0/1 (the argument is that protocol's point). */
  binaryPoint: (point: never) => boolean;
}

/**
 * The protocol registry of core: one line per protocol. Each protocol is a folder here (its
 * connection and profile schemas, `<name>/index.ts` naming them) and a folder of the same name
 * under gateway/protocols/ (its driver, registered there); `<name>` is also the `protocol:` value
 * of its profiles. The site schema's connection union and the profile union are composed from
 * this list, so core never branches on a protocol's name. `registry.test.ts` checks the list
 * against the folders.
 */
export const protocols = [modbus, opcua] as const satisfies readonly ProtocolEntry[];

type Protocol = (typeof protocols)[number];
/** A protocol family: `modbus`, `opcua` (a folder name, and a profile's `protocol:`). */
export type ProtocolName = Protocol['name'];
type ConnectionSchema = Protocol['connections'][number];
type ProfileSchema = Protocol['profile'];

/** `gateways[].connections[]` of the site file: one entry per connection `protocol:` any protocol accepts. */
export const connectionSchema = z.discriminatedUnion(
  'protocol',
  // The registry's lists, flattened: zod needs a non-empty tuple, which the registry always gives.
  protocols.flatMap((p) => [...p.connections]) as unknown as [ConnectionSchema, ...ConnectionSchema[]],
);
export type ConnectionConfig = z.infer<typeof connectionSchema>;
export type DeviceProfile = z.infer<ProfileSchema>;

/** The profile format of each protocol, by the `protocol:` a profile file names. */
export const profileSchemas: Record<string, z.ZodType<DeviceProfile>> = Object.fromEntries(
  protocols.map((p) => [p.name, p.profile]),
);

/** Every connection `protocol:` value (`modbus_tcp`, `modbus_rtu`, `opcua`). */
export function connectionProtocols(): string[] {
  return protocols.flatMap((p) => p.connections.map((c) => c.shape.protocol.value));
}

/** The protocol whose connections have this `protocol:` value, e.g. modbus for `modbus_rtu`. */
export function protocolOf(connectionProtocol: string): Protocol | undefined {
  return protocols.find((p) => p.connections.some((c) => c.shape.protocol.value === connectionProtocol));
}

/** Problems of one connection its protocol finds without I/O (e.g. two Modbus devices with one unit id). */
export function connectionProblems(connection: ConnectionConfig): ConnectionProblem[] {
  const check = protocolOf(connection.protocol)?.checkConnection as
    | ((c: ConnectionConfig) => ConnectionProblem[])
    | undefined;
  // The schema has matched the connection to this protocol's own schema, so the cast holds.
  return check?.(connection) ?? [];
}

/** Device keys of a connection that list points of the device's profile (slow_points, stale_points). */
export function pointListsOf(connectionProtocol: string): readonly string[] {
  return protocolOf(connectionProtocol)?.pointLists ?? [];
}

/** Whether a profile point is on/off (0/1): a Modbus coil, an OPC UA Boolean — as its protocol says. */
export function isBinaryPoint(profile: DeviceProfile, point: DeviceProfile['points'][number]): boolean {
  const binary = protocols.find((p) => p.name === profile.protocol)?.binaryPoint as
    | ((p: DeviceProfile['points'][number]) => boolean)
    | undefined;
  // The profile was parsed by this protocol's schema, so its points are this protocol's points.
  return binary?.(point) ?? false;
}
