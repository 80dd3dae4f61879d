import { EventEmitter } from 'node:events';
import { ServerTCP } from 'modbus-serial';
import type { Logger } from '../../core/log.ts';
import type { SimulatedModbusDevice } from '../devices/adapters.ts';
import { bitPointAt, readRegisterRange, registerPointAt, type ServedValue } from './registerImage.ts';

const ILLEGAL_DATA_ADDRESS = 0x02;
const GATEWAY_TARGET_FAILED = 0x0b;

/**
 * A Modbus TCP server (modbus-serial ServerTCP) for the devices of one connection, told apart by
 * unit id. Emits `served` with every point value it put on the wire, which tests compare with
 * what arrives in the store.
 */
export class ModbusTcpSimServer extends EventEmitter<{ served: [ServedValue[]] }> {
  private server: ServerTCP | undefined;
  requests = 0;

  constructor(
    readonly options: { host: string; port: number; devices: SimulatedModbusDevice[]; log: Logger },
  ) {
    super();
  }

  async start(): Promise<void> {
    const { log } = this.options;
    const byUnit = new Map(this.options.devices.map((d) => [d.unitId, d]));
    const serve =
      (table: 'holding_register' | 'input_register') => (addr: number, length: number, unitID: number) => {
        this.requests++;
        const dev = byUnit.get(unitID);
        if (!dev)
          throw Object.assign(new Error(`no device at unit ${unitID}`), {
            modbusErrorCode: GATEWAY_TARGET_FAILED,
          });
        if (addr + length > 65536)
          throw Object.assign(new Error('range past 65535'), { modbusErrorCode: ILLEGAL_DATA_ADDRESS });
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
      };
    const single = (table: 'holding_register' | 'input_register') => (addr: number, unitID: number) =>
      serve(table)(addr, 1, unitID)[0] ?? 0;
    const device = (unitID: number) => {
      const dev = byUnit.get(unitID);
      if (!dev)
        throw Object.assign(new Error(`no device at unit ${unitID}`), {
          modbusErrorCode: GATEWAY_TARGET_FAILED,
        });
      return dev;
    };
    const illegalAddress = (addr: number) =>
      Object.assign(new Error(`no point at ${addr}`), { modbusErrorCode: ILLEGAL_DATA_ADDRESS });
    const getBit = (table: 'coil' | 'discrete_input') => (addr: number, unitID: number) => {
      this.requests++;
      const dev = device(unitID);
      const point = bitPointAt(dev.profile, table, addr);
      if (!point) throw illegalAddress(addr);
      const value = dev.read()[point.id] ?? 0;
      this.emit('served', [{ device: dev.id, point: point.id, value }]);
      return value !== 0;
    };
    const write = (dev: SimulatedModbusDevice, point: string, value: number) => {
      if (!dev.write) throw illegalAddress(0);
      dev.write(point, value);
      log.info('device written', { device: dev.id, point, value });
    };
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      const server = new ServerTCP(
        {
          getMultipleInputRegisters: serve('input_register'),
          getMultipleHoldingRegisters: serve('holding_register'),
          getInputRegister: single('input_register'),
          getHoldingRegister: single('holding_register'),
          getCoil: getBit('coil'),
          getDiscreteInput: getBit('discrete_input'),
          setCoil: (addr: number, value: boolean, unitID: number) => {
            this.requests++;
            const dev = device(unitID);
            const point = bitPointAt(dev.profile, 'coil', addr);
            if (!point || point.access !== 'read_write') throw illegalAddress(addr);
            write(dev, point.id, value ? 1 : 0);
          },
          setRegister: (addr: number, value: number, unitID: number) => {
            this.requests++;
            const dev = device(unitID);
            const point = registerPointAt(dev.profile, addr);
            if (!point || point.access !== 'read_write') throw illegalAddress(addr);
            write(dev, point.id, value * point.scale + point.offset);
          },
        },
        { host, port, unitID: 255 },
      );
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
