import { z } from 'zod';
import type { ConnectionProblem } from './common.ts';
import { modbus } from './modbus/index.ts';
import { opcua } from './opcua/index.ts';

/**
 * The protocol registry of core: one line per protocol. Each protocol is a folder here (its
 * connection and profile schemas, `<name>/index.ts` naming them) and a folder of the same name
 * under gateway/protocols/ (its driver, registered there); `<name>` is also the `protocol:` value
 * of its profiles. The site schema's connection union and the profile union are composed from
 * this list, so core never branches on a protocol's name. `registry.test.ts` checks the list
 * against the folders.
 */
export const protocols = [modbus, opcua] as const;

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
