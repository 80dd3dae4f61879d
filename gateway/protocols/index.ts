import type { ProtocolDriver } from './driver.ts';
import { defaultInterFrameGapMs, ModbusClient } from './modbus/client.ts';

/** The protocol registry: one line per protocol the gateway speaks. */
export const drivers: Record<string, ProtocolDriver> = {
  modbus_tcp: {
    protocol: 'modbus_tcp',
    folder: 'modbus',
    kind: 'poll',
    connect: (c) => {
      if (c.protocol !== 'modbus_tcp') throw new Error(`modbus_tcp driver given a ${c.protocol} connection`);
      return new ModbusClient({ line: { kind: 'tcp', host: c.host, port: c.port }, timeoutMs: c.timeout });
    },
  },
  modbus_rtu: {
    protocol: 'modbus_rtu',
    folder: 'modbus',
    kind: 'poll',
    connect: (c) => {
      if (c.protocol !== 'modbus_rtu') throw new Error(`modbus_rtu driver given a ${c.protocol} connection`);
      const line = {
        kind: 'rtu' as const,
        path: c.path,
        baudRate: c.baud,
        parity: c.parity,
        stopBits: c.stop_bits,
      };
      return new ModbusClient({
        line,
        timeoutMs: c.timeout,
        interFrameGapMs: c.inter_frame_gap ?? defaultInterFrameGapMs(c.baud),
      });
    },
  },
  opcua: { protocol: 'opcua', folder: 'opcua', kind: 'subscribe' },
};

export function driverFor(protocol: string): ProtocolDriver {
  const driver = drivers[protocol];
  if (!driver)
    throw new Error(`no driver for protocol "${protocol}"; registered: ${Object.keys(drivers).join(', ')}`);
  return driver;
}
