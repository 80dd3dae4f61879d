import type { ModbusConnection } from '../../core/config/siteSchema.ts';
import type { WriteTarget } from './modbus/client.ts';
import type { PlannedRead } from './modbus/plan.ts';

/**
 * What the poller needs from a protocol: a connection to the field bus that reads a planned
 * request from one device. A protocol is one folder under `protocols/` plus one registry line.
 */
export interface FieldConnection {
  /** Reads one planned request from device `unitId`: register words, or bits for coils / inputs. */
  read(unitId: number, plan: PlannedRead): Promise<number[] | boolean[]>;
  /** Writes a coil or holding registers of device `unitId`. */
  write(unitId: number, target: WriteTarget): Promise<void>;
  close(): void;
}

/**
 * A protocol is polled (Modbus: the gateway asks, request by request) or subscribed (OPC UA: the
 * server reports changes, `protocols/opcua/subscriber.ts`).
 */
export type ProtocolDriver =
  | {
      /** The site file's `protocol:` value. */
      protocol: string;
      /** The folder under protocols/ that implements it. */
      folder: string;
      kind: 'poll';
      connect(connection: ModbusConnection): FieldConnection;
    }
  | { protocol: string; folder: string; kind: 'subscribe' };
