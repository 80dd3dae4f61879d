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

/** A rejection of `c` with `reason` (refused: before the device for that reason). */
function rejection(
  c: ReturnType<typeof fieldsOf>,
  id: string,
  reason: string,
  at: string,
  refused?: CommandRefusal,
): CommandResult {
  return {
    id,
    device: c.device,
    point: c.point,
    status: 'rejected',
    requested: c.requested,
    reason,
    ...(refused ? { refused } : {}),
    at,
  };
}

const fieldsOfCommand = (cmd: SignedCommand) => ({
  id: cmd.id,
  device: cmd.device,
  point: cmd.point,
  requested: cmd.value,
});

/**
 * Takes command payloads for one gateway: refuses what control did not sign (or signed too long
 * ago, or already sent) and what would break a point's minimum on/off time or write rate,
 * validates the rest (schema, device on this gateway, profile limits, policy), runs the valid ones
 * on the device's connection ahead of polls, and reports every outcome — written with the
 * read-back, rejected with the reason, or failed — exactly once per id.
 */
export function createCommandHandler(ctx: CommandHandlerContext): (payload: Buffer) => void {
  const handler = new CommandHandler(ctx);
  return (payload) => handler.handle(payload);
}

class CommandHandler {
  private readonly outcomes = new Map<string, CommandResult | 'running'>();
  private readonly refusals: RefusalLog;

  constructor(private readonly ctx: CommandHandlerContext) {
    this.refusals = new RefusalLog(ctx.log, () => (ctx.realClock ?? systemClock).now());
  }

  handle(payload: Buffer) {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      // Anyone on the broker can send these: logged once a minute like refusals, not once each.
      this.refusals.note('not_json', { error: errorText(err) });
      return;
    }
    if (typeof json === 'object' && json !== null && !('signature' in json))
      return this.refuse(fieldsOf(json), 'unsigned', this.ctx.guard.unsignedReason(), { remember: false });
    const parsed = signedCommandSchema.safeParse(json);
    if (!parsed.success) {
      const reason = `invalid command: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
      // A malformed signature is a refusal like a wrong one; other invalid commands are rejected as before.
      if (parsed.error.issues.some((i) => i.path[0] === 'signature'))
        return this.refuse(fieldsOf(json), 'signature', reason, { remember: false });
      const c = fieldsOf(json);
      this.refusals.note('invalid', { id: c.id ?? '(none)', reason });
      if (c.id) this.publish(rejection(c, c.id, reason, this.at()));
      return;
    }
    if (this.admitted(parsed.data)) this.execute(parsed.data);
  }

  /** The checks before the device: signature, freshness, replay, and a redelivery answered again. */
  private admitted(cmd: SignedCommand): boolean {
    const verdict = this.ctx.guard.verify(cmd);
    const seen = this.outcomes.get(cmd.id);
    // Stale and replay come after the MAC: this is control's own command, delivered again.
    const redelivered = !verdict.ok && seen && (verdict.refusal === 'replay' || verdict.refusal === 'stale');
    if (!verdict.ok && !redelivered) {
      this.refuse(fieldsOfCommand(cmd), verdict.refusal, verdict.reason, { remember: false });
      return false;
    }
    if (!seen) return true;
    this.ctx.onRedelivered?.();
    // Still being written: its outcome goes out when it is known.
    if (seen !== 'running') this.publish(seen);
    return false;
  }

  private execute(cmd: SignedCommand) {
    const c = fieldsOfCommand(cmd);
    const reject = (reason: string) => this.report(rejection(c, cmd.id, reason, this.at()));
    const session = this.ctx.sessions().find((s) => s.deviceIds().includes(cmd.device));
    if (!session) return reject(`device "${cmd.device}" is not on gateway "${this.ctx.gatewayId}"`);
    // The device's own limits first (its protocol's checks), then the site's policy and timing; only then is anything written.
    const prepared = session.prepareWrite(cmd);
    if (!prepared.ok) return reject(prepared.reason);
    const forbidden = this.ctx.policy?.(cmd.device, cmd.point, cmd.value);
    if (forbidden) return reject(`policy: ${forbidden}`);
    const timing = this.ctx.limits?.check(cmd.device, cmd.point, cmd.value);
    if (timing)
      return this.refuse(c, timing.refusal, `${timing.refusal}: ${timing.reason}`, { remember: true });
    const counted = this.ctx.limits?.begin(cmd.device, cmd.point, cmd.value);
    this.remember(cmd.id, 'running');
    prepared.write().then(
      (r) => {
        counted?.(r.status === 'written');
        this.report(r);
      },
      (err: unknown) => {
        counted?.(false);
        this.report({ ...rejection(c, cmd.id, errorText(err), this.at()), status: 'failed' });
      },
    );
  }

  /** Answers `rejected` with the reason, logged at most once a minute per reason, and counted. */
  private refuse(
    c: ReturnType<typeof fieldsOf>,
    refusal: CommandRefusal,
    reason: string,
    options: { remember: boolean },
  ): void {
    this.ctx.onRefused?.(refusal);
    this.refusals.note(refusal, { id: c.id ?? '(none)', device: c.device, point: c.point, reason });
    if (!c.id) return;
    const r = rejection(c, c.id, reason, this.at(), refusal);
    // Only an authenticated refusal (timing, rate) is the outcome of its id: a forger's must not
    // become the answer to control's genuine command of the same id.
    if (options.remember) this.remember(c.id, r);
    this.publish(r);
  }

  private report(r: CommandResult): void {
    this.remember(r.id, r);
    const level = r.status === 'written' ? 'info' : 'warn';
    this.ctx.log[level]('command', {
      id: r.id,
      device: r.device,
      point: r.point,
      status: r.status,
      requested: r.requested,
      read_back: r.read_back ?? null,
      ...(r.reason ? { reason: r.reason } : {}),
    });
    this.publish(r);
  }

  private remember(id: string, r: CommandResult | 'running'): void {
    this.outcomes.set(id, r);
    if (this.outcomes.size > REMEMBERED) this.outcomes.delete(this.outcomes.keys().next().value ?? '');
  }

  private publish(r: CommandResult): void {
    this.ctx
      .publish(r)
      .catch((err: unknown) =>
        this.ctx.log.error('command result not published', { id: r.id, error: errorText(err) }),
      );
  }

  private at(): string {
    return new Date(this.ctx.clock.now()).toISOString();
  }
}
