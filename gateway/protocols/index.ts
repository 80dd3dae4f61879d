import type { ProtocolDriver } from './driver.ts';
import { ModbusTcpClient } from './modbus/client.ts';

/** The protocol registry: one line per protocol the gateway speaks. */
export const drivers: Record<string, ProtocolDriver> = {
  modbus_tcp: {
    protocol: 'modbus_tcp',
    folder: 'modbus',
    connect: (c) => new ModbusTcpClient({ host: c.host, port: c.port, timeoutMs: c.timeout }),
  },
};

export function driverFor(protocol: string): ProtocolDriver {
  const driver = drivers[protocol];
  if (!driver)
    throw new Error(`no driver for protocol "${protocol}"; registered: ${Object.keys(drivers).join(', ')}`);
  return driver;
}
