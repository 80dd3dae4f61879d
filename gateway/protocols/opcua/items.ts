import type { Clock } from '../../../core/clock.ts';
import type { OpcuaConnection } from '../../../core/config/siteSchema.ts';
import type { Logger } from '../../../core/log.ts';
import type { DeviceProfile, OpcuaPoint } from '../../../core/profiles/profileSchema.ts';
import type { Reading } from '../../../core/telemetry.ts';
import type { AvailabilitySink } from '../../deviceAvailability.ts';
import type { GatewayMetrics } from '../../metrics.ts';
import { StaleTracker } from '../../stale.ts';

/** What an OpcuaSubscriber is given. */
export interface SubscriberContext {
  connection: OpcuaConnection;
  profiles: Map<string, DeviceProfile>;
  clock: Clock;
  log: Logger;
  emit: (readings: Reading[]) => void;
  /** PKI folder when the connection names none: own certificate, trusted/ and rejected/ server certificates. */
  pkiDir: string;
  /** Where each device's online/offline state is reported (optional). */
  availability?: AvailabilitySink;
  /** The gateway's metrics: silent subscriptions are counted in its registry (optional). */
  metrics?: GatewayMetrics;
}

/** One profile point of one device, with its node once resolved on the current session. */
export interface Item {
  device: string;
  point: OpcuaPoint;
  /** NodeId on the current session (namespace indexes can move when a server restarts). */
  nodeId: string;
  stale: StaleTracker | undefined;
}

/** A point the gateway publishes, before its node is known (bad readings need no node). */
export type Target = Omit<Item, 'nodeId'> & { object: string; namespace: string; profile: string };

/** Items per call when the server states no limit (0): keeps requests a sensible size. */
export const DEFAULT_PER_CALL = 1000;

export function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += Math.max(1, size)) out.push(list.slice(i, i + Math.max(1, size)));
  return out;
}

/** Every point of every OPC UA device of the connection, each device sharing one stale tracker. */
export function targetsOf(connection: OpcuaConnection, profiles: Map<string, DeviceProfile>): Target[] {
  const out: Target[] = [];
  for (const device of connection.devices) {
    const profile = profiles.get(device.profile);
    // loadSite rejects a Modbus profile on an OPC UA connection; this only narrows the type.
    if (profile?.protocol !== 'opcua') continue;
    const stale = device.stale_after === undefined ? undefined : new StaleTracker(device.stale_after);
    for (const point of profile.points) {
      const watched = device.stale_points?.includes(point.id) ?? StaleTracker.applies(point.role);
      out.push({
        device: device.id,
        point,
        object: device.object,
        namespace: profile.namespace,
        profile: device.profile,
        stale: stale && watched ? stale : undefined,
      });
    }
  }
  return out;
}

/** `work`, or undefined once `ms` have passed (a close to a server that is gone must not hang a stop). */
export function bounded<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
