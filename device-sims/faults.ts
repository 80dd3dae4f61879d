/**
 * Fault state of simulated devices (kinds and parameters: `deviceFaultSchema` in scenario/schema.ts).
 */
import type { DeviceProfile } from '../core/profiles/profileSchema.ts';
import type { SimulatedModbusDevice } from './devices/adapters.ts';
import type { DeviceFault } from './scenario/schema.ts';

/** Error a Modbus server turns into an exception response. */
function modbusException(code: number): Error {
  return Object.assign(new Error(`simulated exception ${code}`), { modbusErrorCode: code });
}

/** The fault state of one device; the server and the device's value path consult it. */
export class DeviceFaults {
  offline = false;
  delay = 0;
  exception: number | undefined;
  /** RTU replies with a wrong CRC, or garbage instead of a reply. */
  corruption: 'crc_error' | 'garbage' | undefined;
  private stuck: Record<string, number> | undefined;
  private stuckPending = false;
  /** Added to each counter's reading. */
  private readonly counterOffsets = new Map<string, number>();
  private pendingOffset: ((raw: number, counter: string) => number) | undefined;
  /** Points forced to a value (the `value` fault). */
  private readonly forced = new Map<string, number>();
  private rolloverAt: number | undefined;

  constructor(private readonly counters: ReadonlySet<string>) {}

  inject(fault: DeviceFault): void {
    switch (fault.kind) {
      case 'offline':
        this.offline = true;
        break;
      case 'slow':
        this.delay = fault.delay;
        break;
      case 'exception':
        this.exception = fault.code;
        break;
      case 'stuck':
        this.stuckPending = true;
        break;
      case 'crc_error':
      case 'garbage':
        this.corruption = fault.kind;
        break;
      case 'counter_reset':
        this.pendingOffset = (raw) => -raw;
        break;
      case 'meter_replacement':
        this.pendingOffset = (raw) => fault.initial - raw;
        break;
      case 'counter_rollover':
        this.rolloverAt = fault.at;
        break;
      case 'counter_offset':
        this.pendingOffset = (_raw, c) => (this.counterOffsets.get(c) ?? 0) + fault.delta;
        break;
      case 'value':
        this.forced.set(fault.point, fault.value);
        break;
    }
  }

  /** Ends a lasting fault (offline, slow, exception, stuck, rollover, corruption, value); counter resets, offsets and replacements are history. */
  clear(kind?: DeviceFault['kind']): void {
    if (!kind || kind === 'offline') this.offline = false;
    if (!kind || kind === 'slow') this.delay = 0;
    if (!kind || kind === 'exception') this.exception = undefined;
    if (!kind || kind === 'stuck') {
      this.stuck = undefined;
      this.stuckPending = false;
    }
    if (!kind || kind === 'counter_rollover') this.rolloverAt = undefined;
    if (!kind || kind === 'crc_error' || kind === 'garbage') this.corruption = undefined;
    if (!kind || kind === 'value') this.forced.clear();
  }

  /** Throws the injected exception, if any. */
  checkException(): void {
    if (this.exception !== undefined) throw modbusException(this.exception);
  }

  /** What the registers hold, given what the physics says. */
  apply(values: Record<string, number>): Record<string, number> {
    const out = { ...values };
    const pending = this.pendingOffset;
    this.pendingOffset = undefined;
    for (const c of this.counters) {
      const v = out[c];
      if (v === undefined) continue;
      if (pending) this.counterOffsets.set(c, pending(v, c));
      let shown = Math.max(0, v + (this.counterOffsets.get(c) ?? 0));
      if (this.rolloverAt !== undefined) shown %= this.rolloverAt;
      out[c] = shown;
    }
    for (const [point, value] of this.forced) out[point] = value;
    if (this.stuckPending) {
      this.stuck = out;
      this.stuckPending = false;
    }
    return this.stuck ?? out;
  }
}

/** The device with its fault state applied to every read. */
export function withFaults(device: SimulatedModbusDevice): SimulatedModbusDevice & { faults: DeviceFaults } {
  const counters = new Set(counterPoints(device.profile));
  const faults = new DeviceFaults(counters);
  return { ...device, faults, read: () => faults.apply(device.read()) };
}

function counterPoints(profile: DeviceProfile): string[] {
  return profile.points
    .filter((p) => p.role === 'energy_counter' || p.role === 'volume_counter')
    .map((p) => p.id);
}
