import { AttributeIds, type ClientSession } from 'node-opcua';
import type { Command, CommandResult } from '../../../core/commands.ts';
import { errorText } from '../../../core/errors.ts';
import type { OpcuaPoint } from '../../../core/profiles/profileSchema.ts';
import type { Item } from './items.ts';
import { decodeValue, variantFor } from './values.ts';

/**
 * Writes a validated command's value to its node, then reads the node back. Resolves with the
 * outcome: a Bad status from the server is a failure with the server's reason; no session (the
 * server is down, or its node was not found) is a failure that says so.
 */
export async function writeCommand(options: {
  command: Command;
  point: OpcuaPoint;
  item: Item | undefined;
  session: ClientSession | undefined;
  now: () => number;
}): Promise<CommandResult> {
  const { command, point, item, session } = options;
  const at = () => new Date(options.now()).toISOString();
  const base = { id: command.id, device: command.device, point: command.point, requested: command.value };
  if (!session) return { ...base, status: 'failed', reason: 'not connected to the OPC UA server', at: at() };
  if (!item)
    return {
      ...base,
      status: 'failed',
      reason: `the node of point "${point.id}" was not found on the server`,
      at: at(),
    };
  try {
    const status = await session.write({
      nodeId: item.nodeId,
      attributeId: AttributeIds.Value,
      value: { value: variantFor(point, command.value) },
    });
    if (!status.isGood())
      return { ...base, status: 'failed', reason: `server answered ${status.toString()}`, at: at() };
  } catch (err) {
    return { ...base, status: 'failed', reason: errorText(err), at: at() };
  }
  try {
    const dv = await session.read({ nodeId: item.nodeId, attributeId: AttributeIds.Value });
    return { ...base, status: 'written', read_back: decodeValue(item, dv, options.now()).value, at: at() };
  } catch (err) {
    return {
      ...base,
      status: 'written',
      read_back: null,
      reason: `written, but the read-back failed: ${errorText(err)}`,
      at: at(),
    };
  }
}
