import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';

/** One field device's availability as the gateway sees it (protocol-neutral: Modbus and OPC UA alike). */
export interface DeviceState {
  state: 'online' | 'offline';
  /** When the device entered this state (ISO-8601). */
  since: string;
  /** Why it is offline (the first error of the outage). */
  reason?: string;
}

/**
 * Tracks each device's availability and logs every outage exactly twice: once when it starts (with
 * its reason) and once when it ends (with its length), whatever the reason and however many
 * failed requests lie between. `onChange` is called on every transition (publishing the retained
 * availability topic is wired there).
 */
export class DeviceAvailability {
  private readonly states = new Map<string, DeviceState>();

  constructor(
    private readonly ctx: {
      clock: Clock;
      log: Logger;
      onChange?: (device: string, state: DeviceState) => void;
    },
  ) {}

  /** The device answered (a read or a notification came through). */
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

  /** The device did not answer (or its session, subscription or connection is gone). */
  down(device: string, reason: string): void {
    const prev = this.states.get(device);
    if (prev?.state === 'offline') return;
    const next: DeviceState = {
      state: 'offline',
      since: new Date(this.ctx.clock.now()).toISOString(),
      reason,
    };
    this.states.set(device, next);
    this.ctx.log.warn('device offline', { device, reason });
    this.ctx.onChange?.(device, next);
  }

  /** Forget a device (removed by a reload). */
  remove(device: string): void {
    this.states.delete(device);
  }

  get(device: string): DeviceState | undefined {
    return this.states.get(device);
  }

  snapshot(): Record<string, DeviceState> {
    return Object.fromEntries(this.states);
  }
}
