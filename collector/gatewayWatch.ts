import type { Logger } from '../core/log.ts';
import { availabilitySchema, progressSchema, storedSchema } from '../core/telemetry.ts';
import { topics } from '../core/topics.ts';
import { GroupLedger, type LostBatches } from './groupLedger.ts';
import { SilenceWatch, type SilentGateway } from './silence.ts';

/** Missing seqs as a short text: `41,42,57` or `41…9000 (8960 batches)`. */
export function missingText(missing: readonly number[]): string {
  if (missing.length <= 20) return missing.join(',');
  return `${missing[0]}…${missing.at(-1)} (${missing.length} batches)`;
}

/**
 * What a collector learns of the site's gateways besides their telemetry, from topics it
 * subscribes to directly (not shared): their availability and progress marks (retained) and every
 * collector's confirmations. From them it tells when this collector has gone deaf (SilenceWatch)
 * and which batches the group never stored (GroupLedger), and logs both.
 */
export class GatewayWatch {
  private readonly silence: SilenceWatch;
  private readonly ledger: GroupLedger;
  silent: SilentGateway[] = [];

  constructor(
    private readonly ctx: {
      log: Logger;
      /** Default 60 s. */
      silenceMs?: number;
      /** This collector has a share of a group (it stores only its share of each stream). */
      shared: boolean;
      /** How long a progress mark waits for confirmations still on their way (default 10 s). */
      graceMs?: number;
      onSilent: (gateway: string) => void;
      /** True while the store is down: no silence is judged then. */
      busy?: () => boolean;
      onLost: (lost: LostBatches) => void;
    },
  ) {
    this.silence = new SilenceWatch({
      log: ctx.log,
      silenceMs: ctx.silenceMs ?? 60_000,
      // Mosquitto hands a group's messages round-robin: a live member gets some of any ten batches.
      minBatches: ctx.shared ? 10 : 1,
      now: () => Date.now(),
      onSilent: ctx.onSilent,
      ...(ctx.busy ? { busy: ctx.busy } : {}),
    });
    this.ledger = new GroupLedger(ctx.graceMs ?? 10_000);
  }

  static topics(gatewayIds: readonly string[]): string[] {
    return gatewayIds.flatMap((g) => [topics.availability(g), topics.progress(g), topics.stored(g)]);
  }

  /** The watching connection was away: confirmations of other collectors may have been missed. */
  reconnected(): void {
    this.ledger.forgetBaselines();
  }

  /** A batch of the gateway was stored by this collector. */
  stored(gateway: string): void {
    this.silence.stored(gateway);
  }

  /** A message on one of `topics()`; anything malformed is ignored (it is not ours to judge). */
  message(topic: string, payload: Buffer): void {
    const m = /^jn\/v1\/([^/]+)\/(availability|progress|stored)$/.exec(topic);
    const gateway = m?.[1];
    if (!gateway) return;
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    if (m[2] === 'availability') {
      const a = availabilitySchema.safeParse(json);
      if (a.success) this.silence.availability(gateway, a.data);
    } else if (m[2] === 'stored') {
      const s = storedSchema.safeParse(json);
      if (s.success) this.ledger.stored(gateway, s.data.epoch, s.data.ranges);
    } else {
      const p = progressSchema.safeParse(json);
      if (!p.success || p.data.gateway !== gateway) return;
      this.silence.progress(gateway, p.data);
      this.ledger.progress(p.data, Date.now());
    }
  }

  /** Once a second: who is silent now, and what the group lost for good (reported once). */
  tick(): void {
    this.silent = this.silence.check();
    for (const lost of this.ledger.check(Date.now())) this.ctx.onLost(lost);
  }
}
