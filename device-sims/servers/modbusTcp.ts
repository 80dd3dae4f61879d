import { ServerTCP } from 'modbus-serial';
import type { Logger } from '../../core/log.ts';
import { type Callback, ModbusSlave, type ServedDevice } from './slave.ts';

/**
 * A Modbus TCP server (modbus-serial ServerTCP) for the devices of one port, told apart by unit
 * id. Every handler uses modbus-serial's callback form so that faults can delay a reply or never
 * send one.
 */
export class ModbusTcpSimServer {
  private server: ServerTCP | undefined;
  readonly slave: ModbusSlave;

  constructor(
    readonly options: {
      host: string;
      port: number;
      devices: ServedDevice[];
      log: Logger;
      beforeRequest?: () => void;
    },
  ) {
    this.slave = new ModbusSlave(options);
  }

  async start(): Promise<void> {
    const { host, port, log } = this.options;
    const s = this.slave;
    const multi =
      (table: 'holding_register' | 'input_register') =>
      (addr: number, length: number, unitID: number, cb: Callback<number[]>) =>
        s.answer(unitID, cb, (dev) => s.readRegisters(table, addr, length, dev));
    const single =
      (table: 'holding_register' | 'input_register') =>
      (addr: number, unitID: number, cb: Callback<number>) =>
        s.answer(unitID, cb, (dev) => s.readRegisters(table, addr, 1, dev)[0] ?? 0);
    const bit = (table: 'coil' | 'discrete_input') => (addr: number, unitID: number, cb: Callback<boolean>) =>
      s.answer(unitID, cb, (dev) => s.readBit(table, addr, dev));
    const vector = {
      getMultipleInputRegisters: multi('input_register'),
      getMultipleHoldingRegisters: multi('holding_register'),
      getInputRegister: single('input_register'),
      getHoldingRegister: single('holding_register'),
      getCoil: bit('coil'),
      getDiscreteInput: bit('discrete_input'),
      setCoil: (addr: number, value: boolean, unitID: number, cb: Callback<void>) =>
        s.answer(unitID, cb, (dev) => s.writeCoil(addr, value, dev)),
      setRegister: (addr: number, value: number, unitID: number, cb: Callback<void>) =>
        s.answer(unitID, cb, (dev) => s.writeRegister(addr, value, dev)),
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
