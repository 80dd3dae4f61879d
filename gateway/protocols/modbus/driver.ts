import type { ModbusConnection } from '../../../core/config/siteSchema.ts';
import { JnError } from '../../../core/errors.ts';
import type { ProtocolDriver, ProtocolSession, SessionContext } from '../driver.ts';
import { validateCommand } from './commands.ts';
import { ConnectionPoller } from './poller.ts';

/** Modbus TCP and RTU: the gateway asks, request by request, one at a time per connection (poller.ts). */
export const driver: ProtocolDriver = {
  open(connection, ctx) {
    if (connection.protocol !== 'modbus_tcp' && connection.protocol !== 'modbus_rtu')
      throw new JnError(
        'protocol_mismatch',
        `connection "${connection.id}" speaks ${connection.protocol}; the modbus driver takes modbus_tcp and modbus_rtu`,
      );
    return pollerSession(connection, ctx);
  },
};

/** A poller as a protocol session: commands checked against the register map, run ahead of polls. */
function pollerSession(connection: ModbusConnection, ctx: SessionContext): ProtocolSession {
  const poller = new ConnectionPoller({ ...ctx, connection });
  return {
    deviceIds: () => poller.deviceIds(),
    start: () => poller.start(),
    prepareWrite: (command) => {
      const dev = poller.device(command.device);
      if (!dev)
        return { ok: false, reason: `device "${command.device}" is not on connection "${connection.id}"` };
      const checked = validateCommand(command, dev.profile, dev.ref);
      if (!checked.ok) return checked;
      return { ok: true, write: () => poller.execute(command, checked.point, checked.target) };
    },
    status: () => ({ devices: poller.counters() }),
    close: () => poller.stop(),
  };
}
