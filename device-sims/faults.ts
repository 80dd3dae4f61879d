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
  /** Writes acknowledged but not applied (`ignore_writes`). */
  ignoreWrites = false;
  /** Writes refused with this exception code (`refuse_writes`). */
  refuseWrites: number | undefined;

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
      case 'ignore_writes':
        this.ignoreWrites = true;
        break;
      case 'refuse_writes':
        this.refuseWrites = fault.code;
        break;
    }
  }

  /** Ends a lasting fault (offline, slow, exception, stuck, rollover, corruption, value, ignore/refuse writes); counter resets, offsets and replacements are history. */
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
    if (!kind || kind === 'ignore_writes') this.ignoreWrites = false;
    if (!kind || kind === 'refuse_writes') this.refuseWrites = undefined;
  }

  /**
   * Before a write is applied: throws the refusal (`refuse_writes`), or says whether the write
   * is to be acknowledged without effect (`ignore_writes`).
   */
  writeIgnored(): boolean {
    if (this.refuseWrites !== undefined) throw modbusException(this.refuseWrites);
    return this.ignoreWrites;
  }

  /** The lasting faults in effect, for status and the fault endpoint. */
  active(): string[] {
    const on: [boolean, string][] = [
      [this.offline, 'offline'],
      [this.delay > 0, `slow ${this.delay} ms`],
      [this.exception !== undefined, `exception ${this.exception}`],
      [this.stuck !== undefined || this.stuckPending, 'stuck'],
      [this.rolloverAt !== undefined, `counter_rollover at ${this.rolloverAt}`],
      [this.corruption !== undefined, String(this.corruption)],
      [this.forced.size > 0, `value ${[...this.forced.keys()].join(',')}`],
      [this.ignoreWrites, 'ignore_writes'],
      [this.refuseWrites !== undefined, `refuse_writes ${this.refuseWrites}`],
    ];
    return on.filter(([x]) => x).map(([, name]) => name);
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
