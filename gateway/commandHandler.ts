import { type Clock, systemClock } from '../core/clock.ts';
import {
  type CommandRefusal,
  type CommandResult,
  type SignedCommand,
  signedCommandSchema,
} from '../core/commands.ts';
import { errorText } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { type CommandGuard, RefusalLog } from './commandGuard.ts';
import type { ProtocolSession } from './protocols/driver.ts';
import type { WriteLimits } from './writeLimits.ts';

/** Outcomes kept for idempotency: a redelivered command id gets the same answer, no second write. */
const REMEMBERED = 1000;

/** What the handler needs of its gateway. */
export interface CommandHandlerContext {
  gatewayId: string;
  /** The sessions of the connections running now (they change on a config reload). */
  sessions: () => ProtocolSession[];
  clock: Clock;
  log: Logger;
  publish: (result: CommandResult) => Promise<void>;
  /** Control's signature, freshness and replay checks. */
  guard: CommandGuard;
  /** Minimum on/off times and write rates of the site's points. */
  limits?: WriteLimits;
  /** Real time, for the refusal log's minute (default: the host's clock). */
  realClock?: Clock;
  /** Every refusal, for the metric. */
  onRefused?: (refusal: CommandRefusal) => void;
  /** A command id answered again from memory (a redelivery, or a replay while its id is remembered). */
  onRedelivered?: () => void;
  /** Why the site's policy forbids this value, if it does. */
  policy?: (device: string, point: string, value: number) => string | undefined;
}

/** Whatever of a command's fields a payload has, to answer it (an unsigned or invalid one included). */
function fieldsOf(json: unknown): { id?: string; device: string; point: string; requested: number } {
  const o = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  return {
    ...(typeof o.id === 'string' && o.id.length > 0 ? { id: o.id } : {}),
    device: typeof o.device === 'string' ? o.device : '',
    point: typeof o.point === 'string' ? o.point : '',
    requested: typeof o.value === 'number' && Number.isFinite(o.value) ? o.value : 0,
  };
}

/**
 * Takes command payloads for one gateway: refuses what control did not sign (or signed too long
 * ago, or already sent) and what would break a point's minimum on/off time or write rate,
 * validates the rest (schema, device on this gateway, profile limits, policy), runs the valid ones
 * on the device's connection ahead of polls, and reports every outcome — written with the
 * read-back, rejected with the reason, or failed — exactly once per id.
 */
export function createCommandHandler(ctx: CommandHandlerContext): (payload: Buffer) => void {
  const outcomes = new Map<string, CommandResult | 'running'>();
  const refusals = new RefusalLog(ctx.log, () => (ctx.realClock ?? systemClock).now());
  const at = () => new Date(ctx.clock.now()).toISOString();
  const remember = (id: string, r: CommandResult | 'running') => {
    outcomes.set(id, r);
    if (outcomes.size > REMEMBERED) outcomes.delete(outcomes.keys().next().value ?? '');
  };
  const publish = (r: CommandResult): void => {
    ctx
      .publish(r)
      .catch((err: unknown) =>
        ctx.log.error('command result not published', { id: r.id, error: errorText(err) }),
      );
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
    publish(r);
  };
  /** Answers `rejected` with the reason, logged at most once a minute per reason and counted. */
  const refuse = (
    c: ReturnType<typeof fieldsOf>,
    refusal: CommandRefusal,
    reason: string,
    options: { remember: boolean },
  ) => {
    ctx.onRefused?.(refusal);
    refusals.note(refusal, { id: c.id ?? '(none)', device: c.device, point: c.point, reason });
    if (!c.id) return;
    const r: CommandResult = {
      id: c.id,
      device: c.device,
      point: c.point,
      status: 'rejected',
      requested: c.requested,
      reason,
      refused: refusal,
      at: at(),
    };
    // Only an authenticated refusal (timing, rate) is the outcome of its id: a forger's must not
    // become the answer to control's genuine command of the same id.
    if (options.remember) remember(c.id, r);
    publish(r);
  };

  /** The checks before the device: signature, freshness, replay, and a redelivery answered again. */
  const admitted = (cmd: SignedCommand): boolean => {
    const verdict = ctx.guard.verify(cmd);
    const seen = outcomes.get(cmd.id);
    // Stale and replay come after the MAC: this is control's own command, delivered again.
    const redelivered = !verdict.ok && seen && (verdict.refusal === 'replay' || verdict.refusal === 'stale');
    if (!verdict.ok && !redelivered) {
      refuse(fieldsOf(cmd), verdict.refusal, verdict.reason, { remember: false });
      return false;
    }
    if (seen) ctx.onRedelivered?.();
    if (seen === 'running') return false; // the first delivery is still being written
    if (seen) {
      publish(seen);
      return false;
    }
    return true;
  };

  const execute = (cmd: SignedCommand) => {
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
    // The device's own limits first (its protocol's checks), then the site's policy and timing; only then is anything written.
    const prepared = session.prepareWrite(cmd);
    if (!prepared.ok) return reject(prepared.reason);
    const forbidden = ctx.policy?.(cmd.device, cmd.point, cmd.value);
    if (forbidden) return reject(`policy: ${forbidden}`);
    const timing = ctx.limits?.check(cmd.device, cmd.point, cmd.value);
    if (timing)
      return refuse(
        { id: cmd.id, device: cmd.device, point: cmd.point, requested: cmd.value },
        timing.refusal,
        `${timing.refusal}: ${timing.reason}`,
        {
          remember: true,
        },
      );
    const counted = ctx.limits?.begin(cmd.device, cmd.point, cmd.value);
    remember(cmd.id, 'running');
    prepared.write().then(
      (r) => {
        counted?.(r.status === 'written');
        report(r);
      },
      (err: unknown) => {
        counted?.(false);
        report({
          id: cmd.id,
          device: cmd.device,
          point: cmd.point,
          status: 'failed',
          requested: cmd.value,
          reason: errorText(err),
          at: at(),
        });
      },
    );
  };

  return (payload) => {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      // Anyone on the broker can send these: logged once a minute like refusals, not once each.
      refusals.note('not_json', { error: errorText(err) });
      return;
    }
    if (typeof json === 'object' && json !== null && !('signature' in json))
      return refuse(fieldsOf(json), 'unsigned', ctx.guard.unsignedReason(), { remember: false });
    const parsed = signedCommandSchema.safeParse(json);
    if (!parsed.success) {
      const reason = `invalid command: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
      // A malformed signature is a refusal like a wrong one; other invalid commands are rejected as before.
      if (parsed.error.issues.some((i) => i.path[0] === 'signature'))
        return refuse(fieldsOf(json), 'signature', reason, { remember: false });
      const c = fieldsOf(json);
      refusals.note('invalid', { id: c.id ?? '(none)', reason });
      if (c.id)
        publish({
          id: c.id,
          device: c.device,
          point: c.point,
          status: 'rejected',
          requested: c.requested,
          reason,
          at: at(),
        });
      return;
    }
    if (admitted(parsed.data)) execute(parsed.data);
  };
}
