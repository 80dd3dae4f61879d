import { join } from 'node:path';
import { errorText, JnError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/log.ts';
import type { ProtocolDriver, ProtocolSession } from '../driver.ts';
import { validateOpcuaCommand } from './commands.ts';
import { OpcuaSubscriber } from './subscriber.ts';

/** OPC UA: the server reports changes to monitored items (or is read each poll_interval); subscriber.ts. */
export const driver: ProtocolDriver = {
  open(connection, ctx) {
    if (connection.protocol !== 'opcua')
      throw new JnError(
        'protocol_mismatch',
        `connection "${connection.id}" speaks ${connection.protocol}; the opcua driver takes opcua`,
      );
    const pkiDir = join(ctx.dataDir, 'pki', 'opcua-client');
    return subscriberSession(new OpcuaSubscriber({ ...ctx, connection, pkiDir }), ctx.log);
  },
};

/** A subscriber as a protocol session: commands checked against the node map, written and read back. */
export function subscriberSession(subscriber: OpcuaSubscriber, log: Logger): ProtocolSession {
  return {
    deviceIds: () => subscriber.deviceIds(),
    // A server may be down at start-up: the client keeps trying without holding up the other connections.
    start: () => {
      subscriber.start().catch((err: unknown) => log.error('opcua start failed', { error: errorText(err) }));
    },
    prepareWrite: (command) => {
      const dev = subscriber.device(command.device);
      if (!dev) return { ok: false, reason: `device "${command.device}" has no OPC UA node map` };
      const checked = validateOpcuaCommand(command, dev.profile, dev.ref);
      if (!checked.ok) return checked;
      return { ok: true, write: () => subscriber.execute(command, checked.point) };
    },
    status: () => ({ connection: subscriber.counters }),
    close: () => subscriber.stop(),
  };
}
