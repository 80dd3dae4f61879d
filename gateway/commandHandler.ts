import type { Clock } from '../core/clock.ts';
import { type CommandResult, commandSchema } from '../core/commands.ts';
import { errorText } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { ProtocolSession } from './protocols/driver.ts';

/** Outcomes kept for idempotency: a redelivered command id gets the same answer, no second write. */
const REMEMBERED = 1000;

/**
 * Takes command payloads for one gateway: validates them (schema, device on this gateway, profile
 * limits), runs the valid ones on the device's connection ahead of polls, and reports every
 * outcome — written with the read-back, rejected with the reason, or failed — exactly once per id.
 */
export function createCommandHandler(ctx: {
  gatewayId: string;
  /** The sessions of the connections running now (they change on a config reload). */
  sessions: () => ProtocolSession[];
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
    const session = ctx.sessions().find((s) => s.deviceIds().includes(cmd.device));
    if (!session) return reject(`device "${cmd.device}" is not on gateway "${ctx.gatewayId}"`);
    // The device's own limits first (its protocol's checks), then the site's policy; only then is anything written.
    const prepared = session.prepareWrite(cmd);
    if (!prepared.ok) return reject(prepared.reason);
    const forbidden = ctx.policy?.(cmd.device, cmd.point, cmd.value);
    if (forbidden) return reject(`policy: ${forbidden}`);
    const running = prepared.write();
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
