import { JnError } from '../../core/errors.ts';
import { connectionProtocols, type ProtocolName, protocolOf } from '../../core/protocols/index.ts';
import type { ProtocolDriver } from './driver.ts';

/**
 * The gateway's protocol registry: one line per protocol, naming the folder whose `driver.ts`
 * implements it. Keyed by core's protocol names (core/protocols/index.ts), so a protocol core
 * knows and the gateway does not is a type error. Drivers load when a connection needs them:
 * node-opcua takes seconds to load, and only gateways with an OPC UA connection pay for it.
 */
export const drivers: Record<ProtocolName, () => Promise<{ driver: ProtocolDriver }>> = {
  modbus: () => import('./modbus/driver.ts'),
  opcua: () => import('./opcua/driver.ts'),
};

/** The driver of a connection's `protocol:` value (`modbus_rtu` → the modbus folder's). */
export async function driverFor(connectionProtocol: string): Promise<ProtocolDriver> {
  const name = protocolOf(connectionProtocol)?.name;
  if (name === undefined)
    throw new JnError(
      'protocol_unknown',
      `no driver for protocol "${connectionProtocol}"; protocols are: ${connectionProtocols().join(', ')}`,
    );
  return (await drivers[name]()).driver;
}
