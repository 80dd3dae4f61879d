import type { Clock } from '../core/clock.ts';
import { type CommandResult, commandSchema } from '../core/commands.ts';
import { errorText } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { validateCommand, validateOpcuaCommand } from './commands.ts';
import type { ConnectionPoller } from './poller.ts';
import type { OpcuaSubscriber } from './protocols/opcua/subscriber.ts';

/** Outcomes kept for idempotency: a redelivered command id gets the same answer, no second write. */
const REMEMBERED = 1000;

/**
 * Takes command payloads for one gateway: validates them (schema, device on this gateway, profile
 * limits), runs the valid ones on the device's connection ahead of polls, and reports every
 * outcome — written with the read-back, rejected with the reason, or failed — exactly once per id.
 */
export function createCommandHandler(ctx: {
  gatewayId: string;
  /** The connections running now (they change on a config reload). */
  connections: () => { pollers: ConnectionPoller[]; subscribers: OpcuaSubscriber[] };
  clock: Clock;
  log: Logger;
  publish: (result: CommandResult) => Promise<void>;
  /** Why the site's policy forbids this value, if it does. */
  policy?: (device: string, point: string, value: number) => string | undefined;
}): (payload: Buffer) => void {
  const outcomes = new Map<string, CommandResult | 'running'>();
  const remember = (id: string, r: CommandResult | 'running') => {
    outcomes.set(id, r);
    if (outcomes.size > REMEMBERED) outcomes.delete(outcomes.keys().next().value ?? '');
  };
  const report = (r: CommandResult) => {
    remember(r.id, r);
    const level = r.status === 'written' ? 'info' : 'warn';
    ctx.log[level]('command', {
      id: r.id,
      device: r.device,
      point: r.point,
      status: r.status,
      requested: r.requested,
      read_back: r.read_back ?? null,
      ...(r.reason ? { reason: r.reason } : {}),
    });
    ctx
      .publish(r)
      .catch((err: unknown) =>
        ctx.log.error('command result not published', { id: r.id, error: errorText(err) }),
      );
  };
  return (payload) => {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      ctx.log.warn('command rejected: not JSON', { error: errorText(err) });
      return;
    }
    const parsed = commandSchema.safeParse(json);
    if (!parsed.success) {
      const id = typeof (json as { id?: unknown })?.id === 'string' ? (json as { id: string }).id : undefined;
      const reason = `invalid command: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
      ctx.log.warn('command rejected', { id: id ?? '(none)', reason });
      if (id)
        report({
          id,
          device: String((json as { device?: unknown }).device ?? ''),
          point: String((json as { point?: unknown }).point ?? ''),
          status: 'rejected',
          requested: Number((json as { value?: unknown }).value ?? Number.NaN) || 0,
          reason,
          at: new Date(ctx.clock.now()).toISOString(),
        });
      return;
    }
    const cmd = parsed.data;
    const seen = outcomes.get(cmd.id);
    if (seen === 'running') return; // the first delivery is still being written
    if (seen) {
      ctx.publish(seen).catch(() => {});
      return;
    }
    const at = () => new Date(ctx.clock.now()).toISOString();
    const reject = (reason: string) =>
      report({
        id: cmd.id,
        device: cmd.device,
        point: cmd.point,
        status: 'rejected',
        requested: cmd.value,
        reason,
        at: at(),
      });
    const { pollers, subscribers } = ctx.connections();
    const poller = pollers.find((p) => p.deviceIds().includes(cmd.device));
    const subscriber = subscribers.find((p) => p.deviceIds().includes(cmd.device));
    const entry = poller?.device(cmd.device) ?? subscriber?.device(cmd.device);
    if (!entry) return reject(`device "${cmd.device}" is not on gateway "${ctx.gatewayId}"`);
    // The device's own limits first, then the site's policy; only then is anything written.
    let start: () => Promise<CommandResult>;
    if (entry.profile.protocol === 'modbus' && poller) {
      const checked = validateCommand(cmd, entry.profile, entry.ref);
      if (!checked.ok) return reject(checked.reason);
      start = () => poller.execute(cmd, checked.point, checked.target);
    } else if (entry.profile.protocol === 'opcua' && subscriber) {
      const checked = validateOpcuaCommand(cmd, entry.profile, entry.ref);
      if (!checked.ok) return reject(checked.reason);
      start = () => subscriber.execute(cmd, checked.point);
    } else return reject(`device "${cmd.device}" has no writable connection`);
    const forbidden = ctx.policy?.(cmd.device, cmd.point, cmd.value);
    if (forbidden) return reject(`policy: ${forbidden}`);
    const running = start();
    remember(cmd.id, 'running');
    running.then(report, (err: unknown) =>
      report({
        id: cmd.id,
        device: cmd.device,
        point: cmd.point,
        status: 'failed',
        requested: cmd.value,
        reason: errorText(err),
        at: at(),
      }),
    );
  };
}
