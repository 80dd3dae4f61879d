import type { CommandRefusal, SignedCommand } from '../core/commands.ts';
import {
  COMMAND_FRESHNESS_MS,
  COMMAND_SIGNATURE_VERSION,
  signatureValid,
} from '../core/control/commandSignature.ts';
import type { Logger } from '../core/log.ts';

/** What the guard makes of a signed command: obey it, or refuse it and why. */
export type Verdict = { ok: true } | { ok: false; refusal: CommandRefusal; reason: string };

/** Nonces remembered at most (each lives 2 × 5 min): ~17 commands/s sustained, far above control's pace. */
const MAX_NONCES = 10_000;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Checks that a command comes from control: signed with this gateway's key (the MAC first, so a
 * forger's stale or repeated command is told only "signature"), issued within ±5 min of this
 * gateway's clock, and with a nonce not seen in that window. Nonces are remembered until their
 * command would be stale anyway; when more than `maxNonces` are live the oldest go and every
 * command issued before them is refused as stale, so memory stays bounded without opening a
 * replay window. Commands issued before the gateway started are refused too: it cannot know the
 * nonces it saw before a restart.
 */
export class CommandGuard {
  /** nonce → issued_at (real ms); Map order is arrival order. */
  private readonly nonces = new Map<string, number>();
  private floor: number;
  private readonly maxNonces: number;
  private sweptAt = 0;

  constructor(
    private readonly o: {
      gatewayId: string;
      /** This gateway's command key; without one every command is refused. */
      key?: Buffer | undefined;
      /** Real time, epoch ms (not an accelerated simulation clock). */
      now: () => number;
      maxNonces?: number;
    },
  ) {
    this.floor = o.now();
    this.maxNonces = o.maxNonces ?? MAX_NONCES;
  }

  /** Whether a key is configured. */
  get armed(): boolean {
    return this.o.key !== undefined;
  }

  /** The reason given for a command without a signature. */
  unsignedReason(): string {
    return `unsigned command: gateway "${this.o.gatewayId}" obeys only commands signed by control (command signature version ${COMMAND_SIGNATURE_VERSION}: "signature" with gateway, issued_at, nonce and hmac)`;
  }

  /** Checks a signed command and, when it passes, remembers its nonce. */
  verify(cmd: SignedCommand): Verdict {
    const sig = cmd.signature;
    const gw = this.o.gatewayId;
    const refuse = (refusal: CommandRefusal, reason: string): Verdict => ({ ok: false, refusal, reason });
    if (!this.o.key) return refuse('no_key', `gateway "${gw}" has no command key: it refuses every command`);
    if (sig.version !== COMMAND_SIGNATURE_VERSION)
      return refuse(
        'signature',
        `signature version ${sig.version} is not supported; gateway "${gw}" accepts version ${COMMAND_SIGNATURE_VERSION}`,
      );
    if (sig.gateway !== gw) return refuse('signature', `signed for gateway "${sig.gateway}", not "${gw}"`);
    if (!signatureValid(cmd, this.o.key))
      return refuse('signature', `signature does not verify with gateway "${gw}"'s command key`);
    const now = this.o.now();
    const issued = Date.parse(sig.issued_at);
    if (Math.abs(now - issued) > COMMAND_FRESHNESS_MS)
      return refuse(
        'stale',
        `issued_at ${sig.issued_at} is more than ${COMMAND_FRESHNESS_MS / 60_000} min from gateway "${gw}"'s clock (${iso(now)})`,
      );
    if (issued < this.floor)
      return refuse(
        'stale',
        `issued_at ${sig.issued_at} is before ${iso(this.floor)}, when gateway "${gw}" started or the oldest nonce it still remembers: it cannot tell it from a replay`,
      );
    const seen = this.nonces.get(sig.nonce);
    if (seen !== undefined && now - seen <= COMMAND_FRESHNESS_MS)
      return refuse('replay', `nonce ${sig.nonce} was already used (command ${cmd.id}): a replay`);
    this.remember(sig.nonce, issued, now);
    return { ok: true };
  }

  /** Nonces remembered now (for tests and status). */
  get remembered(): number {
    return this.nonces.size;
  }

  private remember(nonce: string, issued: number, now: number): void {
    this.nonces.delete(nonce);
    this.nonces.set(nonce, issued);
    // Expired nonces go once a minute, or at once when the map is full.
    if (this.nonces.size <= this.maxNonces && now - this.sweptAt < 60_000) return;
    this.sweptAt = now;
    for (const [n, at] of this.nonces) if (now - at > COMMAND_FRESHNESS_MS) this.nonces.delete(n);
    for (const [n, at] of this.nonces) {
      if (this.nonces.size <= this.maxNonces) break;
      this.nonces.delete(n);
      this.floor = Math.max(this.floor, at + 1);
    }
  }
}

/**
 * Logs refused commands at most once per reason per minute of real time: the first of a minute
 * with its detail, and (`held_back`) how many of that reason were refused unlogged since the
 * previous line — a flood of
 * forged commands is one line a minute, not one per message.
 */
export class RefusalLog {
  private readonly last = new Map<string, { at: number; count: number }>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly periodMs = 60_000,
  ) {}

  /** `refusal`: a CommandRefusal, or `invalid` / `not_json` for payloads that are not a command at all. */
  note(refusal: CommandRefusal | 'invalid' | 'not_json', fields: Record<string, unknown>): void {
    const now = this.now();
    const last = this.last.get(refusal);
    if (last && now - last.at < this.periodMs) {
      last.count++;
      return;
    }
    this.last.set(refusal, { at: now, count: 1 });
    this.log.warn('command refused', {
      refused: refusal,
      ...fields,
      // Refusals of this reason since the previous line that were not logged (a minute's worth at most).
      held_back: last ? last.count - 1 : 0,
    });
  }
}
