import { EventEmitter } from 'node:events';
import type { Logger } from '../../core/log.ts';
import type { SimulatedModbusDevice } from '../devices/adapters.ts';
import type { DeviceFaults } from '../faults.ts';
import { bitPointAt, readRegisterRange, registerPointAt, type ServedValue } from './registerImage.ts';

export type ServedDevice = SimulatedModbusDevice & { faults?: DeviceFaults };
export type Callback<T> = (err: Error | null, value: T) => void;

export const ILLEGAL_FUNCTION = 0x01;
export const ILLEGAL_DATA_ADDRESS = 0x02;
export const GATEWAY_TARGET_FAILED = 0x0b;

export function modbusError(code: number, message: string): Error {
  return Object.assign(new Error(message), { modbusErrorCode: code });
}

/**
 * What goes with an error. modbus-serial 8.0.25's FC04 callback path evaluates `values[i]` even on
 * an error, and the TypeError from `undefined[i]` replaced our exception code with 4 (seen: code 6
 * arrived as 4); an empty array keeps the code.
 */
const noValue: unknown = [];

/**
 * The Modbus slave side of a set of simulated devices, independent of transport: finds the device
 * by unit id, applies its faults (silence, delay, exception), reads registers and bits by profile,
 * takes writes. Emits `served` with every point value it puts on the wire.
 */
export class ModbusSlave extends EventEmitter<{ served: [ServedValue[]] }> {
  requests = 0;
  /** Writes that reached a device. */
  writes = 0;

  constructor(
    readonly options: {
      devices: ServedDevice[];
      log: Logger;
      /** Runs before every request: brings the simulation (and scheduled faults) up to now. */
      beforeRequest?: () => void;
    },
  ) {
    super();
  }

  device(unitID: number): ServedDevice | undefined {
    return this.options.devices.find((d) => d.unitId === unitID);
  }

  /** Runs `compute` for unit `unitID` as the device's faults allow, and answers through `cb` (or never, when offline). */
  answer<T>(unitID: number, cb: Callback<T>, compute: (dev: ServedDevice) => T, extraDelay = 0): void {
    this.requests++;
    this.options.beforeRequest?.();
    const dev = this.device(unitID);
    if (!dev) {
      cb(modbusError(GATEWAY_TARGET_FAILED, `no device at unit ${unitID}`), noValue as T);
      return;
    }
    const faults = dev.faults;
    if (faults?.offline) return; // the master hears nothing and times out
    const run = () => {
      try {
        faults?.checkException();
        cb(null, compute(dev));
      } catch (err) {
        cb(err as Error, noValue as T);
      }
    };
    const delay = (faults?.delay ?? 0) + extraDelay;
    if (delay > 0) setTimeout(run, delay);
    else run();
  }

  readRegisters(
    table: 'holding_register' | 'input_register',
    addr: number,
    length: number,
    dev: ServedDevice,
  ): number[] {
    if (addr + length > 65536) throw modbusError(ILLEGAL_DATA_ADDRESS, 'range past 65535');
    const { words, served } = readRegisterRange({
      device: dev.id,
      profile: dev.profile,
      table,
      start: addr,
      length,
      values: dev.read(),
    });
    if (served.length > 0) this.emit('served', served);
    return words;
  }

  readBit(table: 'coil' | 'discrete_input', addr: number, dev: ServedDevice): boolean {
    const point = bitPointAt(dev.profile, table, addr);
    if (!point) throw modbusError(ILLEGAL_DATA_ADDRESS, `no ${table} at ${addr}`);
    const value = dev.read()[point.id] ?? 0;
    this.emit('served', [{ device: dev.id, point: point.id, value }]);
    return value !== 0;
  }

  writeCoil(addr: number, value: boolean, dev: ServedDevice): void {
    const point = bitPointAt(dev.profile, 'coil', addr);
    if (point?.access !== 'read_write')
      throw modbusError(ILLEGAL_DATA_ADDRESS, `no writable coil at ${addr}`);
    this.write(dev, point.id, value ? 1 : 0);
  }

  writeRegister(addr: number, raw: number, dev: ServedDevice): void {
    const point = registerPointAt(dev.profile, addr);
    if (point?.access !== 'read_write')
      throw modbusError(ILLEGAL_DATA_ADDRESS, `no writable register at ${addr}`);
    this.write(dev, point.id, raw * point.scale + point.offset);
  }

  private write(dev: ServedDevice, point: string, value: number): void {
    if (!dev.write) throw modbusError(ILLEGAL_DATA_ADDRESS, `${dev.id} takes no writes`);
    if (dev.faults?.writeIgnored()) {
      // Acknowledged as a healthy device does, and nothing changes (ignore_writes).
      this.options.log.info('device write ignored (fault)', { device: dev.id, point, value });
      return;
    }
    dev.write(point, value);
    this.writes++;
    this.options.log.info('device written', { device: dev.id, point, value });
  }
}
