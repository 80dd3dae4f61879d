import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { DeviceAvailabilityState } from '../core/telemetry.ts';

/** One field device's availability as the gateway sees it (the retained topic's payload). */
export type DeviceState = DeviceAvailabilityState;

/** What a protocol (the Modbus poller, the OPC UA subscriber) reports into. */
export interface AvailabilitySink {
  /** The device answered: a read (even a Modbus exception) or a notification came through. */
  up(device: string): void;
  /** The device did not answer, or its session, subscription or connection is gone. */
  down(device: string, reason: string): void;
}

/** Longest reason kept (the payload schema allows 1000 characters). */
const MAX_REASON = 500;

/**
 * Tracks each device's availability and logs every outage exactly twice: once when it starts (with
 * its reason) and once when it ends (with its length), whatever the reason and however many
 * failed requests lie between — a second outage with the same reason is logged like the first
 * (issue 13 §4: deduplicating by the last error text hid it). Protocol-neutral: Modbus and OPC UA
 * report into the same instance. `onChange` gets every transition (the retained topic and the
 * metrics gauge are fed from there).
 */
export class DeviceAvailability implements AvailabilitySink {
  private readonly states = new Map<string, DeviceState>();

  constructor(
    private readonly ctx: {
      clock: Clock;
      log: Logger;
      onChange?: (device: string, state: DeviceState | undefined) => void;
    },
  ) {}

  up(device: string): void {
    const prev = this.states.get(device);
    if (prev?.state === 'online') return;
    const now = this.ctx.clock.now();
    const next: DeviceState = { state: 'online', since: new Date(now).toISOString() };
    this.states.set(device, next);
    if (prev?.state === 'offline') {
      const seconds = Math.round((now - Date.parse(prev.since)) / 100) / 10;
      this.ctx.log.info('device back online', { device, outage_s: seconds, reason: prev.reason });
    }
    this.ctx.onChange?.(device, next);
  }

  down(device: string, reason: string): void {
    const prev = this.states.get(device);
    if (prev?.state === 'offline') return;
    const short = reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason;
    const next: DeviceState = {
      state: 'offline',
      since: new Date(this.ctx.clock.now()).toISOString(),
      reason: short,
    };
    this.states.set(device, next);
    this.ctx.log.warn('device offline', { device, reason: short });
    this.ctx.onChange?.(device, next);
  }

  /** Forgets the devices not in `keep` (removed by a reload); `onChange` hears `undefined` for each. */
  retain(keep: ReadonlySet<string>): void {
    for (const device of [...this.states.keys()]) {
      if (keep.has(device)) continue;
      this.states.delete(device);
      this.ctx.onChange?.(device, undefined);
    }
  }

  get(device: string): DeviceState | undefined {
    return this.states.get(device);
  }

  snapshot(): Record<string, DeviceState> {
    return Object.fromEntries(this.states);
  }
}
