import type { Logger } from '../core/log.ts';
import type { Availability, Progress } from '../core/telemetry.ts';

interface GatewayWatch {
  online: boolean;
  /** Progress marks received, newest last, within the watch period. */
  marks: { at: number; seq: number; epoch: string }[];
  lastStoredAt: number;
  silentSince: number | undefined;
}

export interface SilentGateway {
  gateway: string;
  /** How long nothing of it was stored, s. */
  silent_s: number;
  /** Batches the broker acknowledged from it meanwhile. */
  published: number;
}

/**
 * Notices a collector gone deaf: a gateway whose retained availability says online and whose
 * progress mark (the last batch the broker acknowledged) moves on by at least `minBatches`, while
 * this collector stores nothing of it for `silenceMs`. A collector with a shared subscription
 * stores only its share, so it needs more progress (`minBatches`) before it calls itself deaf.
 * The silence is an error in the log (once when it starts, once when it ends), in health and in
 * /metrics; `onSilent` lets the collector subscribe again.
 */
export class SilenceWatch {
  private readonly gateways = new Map<string, GatewayWatch>();

  constructor(
    private readonly ctx: {
      log: Logger;
      silenceMs: number;
      minBatches: number;
      now: () => number;
      onSilent?: (gateway: string) => void;
    },
  ) {}

  private watch(gateway: string): GatewayWatch {
    let w = this.gateways.get(gateway);
    if (!w) {
      w = { online: false, marks: [], lastStoredAt: this.ctx.now(), silentSince: undefined };
      this.gateways.set(gateway, w);
    }
    return w;
  }

  availability(gateway: string, a: Availability): void {
    this.watch(gateway).online = a.state === 'online';
  }

  progress(gateway: string, mark: Progress): void {
    const w = this.watch(gateway);
    w.marks.push({ at: this.ctx.now(), seq: mark.seq, epoch: mark.epoch });
  }

  stored(gateway: string): void {
    const w = this.watch(gateway);
    w.lastStoredAt = this.ctx.now();
    if (w.silentSince !== undefined) {
      this.ctx.log.info('telemetry of the gateway is stored again', {
        gateway,
        silent_s: Math.round((w.lastStoredAt - w.silentSince) / 1000),
      });
      w.silentSince = undefined;
    }
  }

  /** Checks every gateway; returns those silent now. */
  check(): SilentGateway[] {
    const now = this.ctx.now();
    const out: SilentGateway[] = [];
    for (const [gateway, w] of this.gateways) {
      const since = now - this.ctx.silenceMs;
      // Keep the last mark before the period too: progress is measured against it.
      while (w.marks.length > 1 && (w.marks[1]?.at ?? now) < since) w.marks.shift();
      const first = w.marks[0];
      const last = w.marks.at(-1);
      const published = first && last && first.epoch === last.epoch ? last.seq - first.seq : 0;
      const silent = w.online && published >= this.ctx.minBatches && w.lastStoredAt < since;
      if (!silent) continue;
      if (w.silentSince === undefined) {
        w.silentSince = w.lastStoredAt;
        this.ctx.log.error(
          'no telemetry of the gateway stored while it publishes: the subscription may be lost; subscribing again',
          { gateway, silent_s: Math.round((now - w.lastStoredAt) / 1000), published_meanwhile: published },
        );
        this.ctx.onSilent?.(gateway);
      }
      out.push({ gateway, silent_s: Math.round((now - w.lastStoredAt) / 1000), published });
    }
    return out;
  }
}
