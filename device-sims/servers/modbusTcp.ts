import { EventEmitter } from 'node:events';
import { ServerTCP } from 'modbus-serial';
import type { Logger } from '../../core/log.ts';
import type { SimulatedModbusDevice } from '../devices/adapters.ts';
import type { DeviceFaults } from '../faults.ts';
import { bitPointAt, readRegisterRange, registerPointAt, type ServedValue } from './registerImage.ts';

export type ServedDevice = SimulatedModbusDevice & { faults?: DeviceFaults };

const ILLEGAL_DATA_ADDRESS = 0x02;
const GATEWAY_TARGET_FAILED = 0x0b;

type Callback<T> = (err: Error | null, value: T) => void;

/**
 * What goes with an error. modbus-serial 8.0.25's FC04 callback path evaluates `values[i]` even on
 * an error, and the TypeError from `undefined[i]` replaced our exception code with 4 (seen: code 6
 * arrived as 4); an empty array keeps the code.
 */
const noValue: unknown = [];

function modbusError(code: number, message: string): Error {
  return Object.assign(new Error(message), { modbusErrorCode: code });
}

/**
 * A Modbus TCP server (modbus-serial ServerTCP) for the devices of one port, told apart by unit
 * id. Every handler uses modbus-serial's callback form so that faults can delay a reply or never
 * send one. Emits `served` with every point value it put on the wire, which tests compare with
 * what arrives in the store.
 */
export class ModbusTcpSimServer extends EventEmitter<{ served: [ServedValue[]] }> {
  private server: ServerTCP | undefined;
  requests = 0;

  constructor(
    readonly options: {
      host: string;
      port: number;
      devices: ServedDevice[];
      log: Logger;
      /** Runs before every request: brings the simulation (and scheduled faults) up to now. */
      beforeRequest?: () => void;
    },
  ) {
    super();
  }

  /** Runs `compute` for unit `unitID` as the device's faults allow, and answers through `cb`. */
  private answer<T>(unitID: number, cb: Callback<T>, compute: (dev: ServedDevice) => T): void {
    this.requests++;
    this.options.beforeRequest?.();
    const dev = this.options.devices.find((d) => d.unitId === unitID);
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
    if (faults && faults.delay > 0) setTimeout(run, faults.delay);
    else run();
  }

  private readRegisters(
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

  private readBit(table: 'coil' | 'discrete_input', addr: number, dev: ServedDevice): boolean {
    const point = bitPointAt(dev.profile, table, addr);
    if (!point) throw modbusError(ILLEGAL_DATA_ADDRESS, `no ${table} at ${addr}`);
    const value = dev.read()[point.id] ?? 0;
    this.emit('served', [{ device: dev.id, point: point.id, value }]);
    return value !== 0;
  }

  private write(dev: ServedDevice, point: string, value: number): void {
    if (!dev.write) throw modbusError(ILLEGAL_DATA_ADDRESS, `${dev.id} takes no writes`);
    dev.write(point, value);
    this.options.log.info('device written', { device: dev.id, point, value });
  }

  async start(): Promise<void> {
    const { host, port, log } = this.options;
    const multi =
      (table: 'holding_register' | 'input_register') =>
      (addr: number, length: number, unitID: number, cb: Callback<number[]>) =>
        this.answer(unitID, cb, (dev) => this.readRegisters(table, addr, length, dev));
    const single =
      (table: 'holding_register' | 'input_register') =>
      (addr: number, unitID: number, cb: Callback<number>) =>
        this.answer(unitID, cb, (dev) => this.readRegisters(table, addr, 1, dev)[0] ?? 0);
    const bit = (table: 'coil' | 'discrete_input') => (addr: number, unitID: number, cb: Callback<boolean>) =>
      this.answer(unitID, cb, (dev) => this.readBit(table, addr, dev));
    const vector = {
      getMultipleInputRegisters: multi('input_register'),
      getMultipleHoldingRegisters: multi('holding_register'),
      getInputRegister: single('input_register'),
      getHoldingRegister: single('holding_register'),
      getCoil: bit('coil'),
      getDiscreteInput: bit('discrete_input'),
      setCoil: (addr: number, value: boolean, unitID: number, cb: Callback<void>) =>
        this.answer(unitID, cb, (dev) => {
          const point = bitPointAt(dev.profile, 'coil', addr);
          if (!point || point.access !== 'read_write')
            throw modbusError(ILLEGAL_DATA_ADDRESS, `no writable coil at ${addr}`);
          this.write(dev, point.id, value ? 1 : 0);
        }),
      setRegister: (addr: number, value: number, unitID: number, cb: Callback<void>) =>
        this.answer(unitID, cb, (dev) => {
          const point = registerPointAt(dev.profile, addr);
          if (!point || point.access !== 'read_write')
            throw modbusError(ILLEGAL_DATA_ADDRESS, `no writable register at ${addr}`);
          this.write(dev, point.id, value * point.scale + point.offset);
        }),
    };
    await new Promise<void>((resolve, reject) => {
      const server = new ServerTCP(vector, { host, port, unitID: 255 });
      server.on('initialized', () => resolve());
      server.on('serverError', (err: Error | null) =>
        reject(new Error(`modbus sim ${host}:${port}: ${err?.message}`)),
      );
      server.on('socketError', (err: Error | null) =>
        log.warn('modbus client socket error', { port, error: err?.message }),
      );
      this.server = server;
    });
    log.info('modbus tcp sim listening', {
      address: `${host}:${port}`,
      devices: this.options.devices.map((d) => `${d.id}@${d.unitId}`).join(','),
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    // Close client sockets too, or close() waits for them.
    for (const sock of server.socks.keys()) sock.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
