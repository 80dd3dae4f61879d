import type { Clock } from '../../core/clock.ts';
import type { Command, CommandResult } from '../../core/commands.ts';
import type { ConnectionConfig } from '../../core/config/siteSchema.ts';
import type { Logger } from '../../core/log.ts';
import type { DeviceProfile } from '../../core/profiles/profileSchema.ts';
import type { Reading } from '../../core/telemetry.ts';
import type { AvailabilitySink } from '../deviceAvailability.ts';
import type { GatewayMetrics } from '../metrics.ts';

/**
 * What the gateway needs from a protocol, whatever it is: a driver that opens a session per
 * connection of the site file. A protocol is one folder under `protocols/` (its `driver.ts`
 * exports `driver`) plus one line in `protocols/index.ts`; its config and profile schemas are the
 * folder of the same name under core/protocols/. Nothing outside those folders and the two
 * registries names a protocol.
 */
export interface ProtocolDriver {
  /**
   * A session for one connection, checked against the devices' profiles without any I/O: a
   * connection that cannot run throws a JnError naming it. Nothing is sent before `start`.
   */
  open(connection: ConnectionConfig, ctx: SessionContext): ProtocolSession;
}

/** What every session is given by the gateway (shared by all its connections). */
export interface SessionContext {
  /** Profiles by the device's `profile:` value, as loadSite validated them. */
  profiles: Map<string, DeviceProfile>;
  clock: Clock;
  log: Logger;
  /** Takes every reading: values, and `bad` readings with the reason when a value cannot be had. */
  emit: (readings: Reading[]) => void;
  /** The gateway's one availability tracker: a session says when each device answers and when it does not. */
  availability: AvailabilitySink;
  metrics?: GatewayMetrics;
  /** The gateway's data folder (e.g. for an OPC UA client's PKI folder). */
  dataDir: string;
}

/** A command checked against its device's profile: the write to run, or why it may not be written. */
export type PreparedWrite = { ok: true; write: () => Promise<CommandResult> } | { ok: false; reason: string };

/** One connection's acquisition and writes. */
export interface ProtocolSession {
  /** Devices this session serves (ids from the site file). */
  deviceIds(): string[];
  /**
   * Connects and starts reading (polls) or subscribing; readings go to `emit`. Returns at once and
   * never throws: a device or server that is down gives bad readings and an offline device, and
   * is tried again by the session.
   */
  start(): void;
  /**
   * Checks a command against the device's profile (the point exists and is writable, the value
   * fits its range and type) without I/O. The returned write runs ahead of the next read on this
   * connection, reads the point back, and resolves with the outcome (never rejects).
   */
  prepareWrite(command: Command): PreparedWrite;
  /** Counters for health: per device (merged with its availability) and of the connection. */
  status(): SessionStatus;
  /** Stops reading, fails writes still queued, and closes the connection. */
  close(): Promise<void>;
}

export interface SessionStatus {
  /** Per device id, e.g. requests, errors, last_success. */
  devices?: Record<string, object>;
  /** The connection's own counters, shown as `detail.<protocol>.<connection id>` (e.g. OPC UA's). */
  connection?: object;
}
