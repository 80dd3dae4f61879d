import type { Logger } from '../core/log.ts';
import type { Availability, Progress } from '../core/telemetry.ts';

interface GatewayWatch {
  online: boolean;
  /** Progress marks received, newest last (at most MAX_MARKS). */
  marks: { at: number; seq: number; epoch: string }[];
  lastStoredAt: number;
  silentSince: number | undefined;
}

/** Marks kept per gateway: enough for ten batches of a gateway that sends every few minutes. */
const MAX_MARKS = 2000;

export interface SilentGateway {
  gateway: string;
  /** How long nothing of it was stored, s. */
  silent_s: number;
  /** Batches the broker acknowledged from it meanwhile. */
  published: number;
}

/**
 * Notices a collector gone deaf: a gateway whose retained availability says online and whose
 * progress mark (the last batch the broker acknowledged) moved on by at least `minBatches` since a
 * time after which this collector stored nothing of it, for at least `silenceMs`. A collector with
 * a shared subscription stores only its share, so it needs more progress (`minBatches`) before it
 * calls itself deaf, however long those batches take. A mark is judged `graceMs` after it arrived
 * (the batch it announces may still be on its way to the store), and nothing is judged while the
 * store is down (`busy`): that is the store's outage, said by its own log line.
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
      /** Default 10 s. */
      graceMs?: number;
      /** True while nothing can be stored anyway (the store is down). */
      busy?: () => boolean;
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
    if (w.marks.length > MAX_MARKS) w.marks.shift();
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
    if (this.ctx.busy?.()) return [];
    const out: SilentGateway[] = [];
    for (const [gateway, w] of this.gateways) {
      const published = this.publishedUnheard(w, now);
      const silent = w.online && published !== undefined && now - w.lastStoredAt > this.ctx.silenceMs;
      if (!silent) continue;
      const silent_s = Math.round((now - w.lastStoredAt) / 1000);
      if (w.silentSince === undefined) {
        w.silentSince = w.lastStoredAt;
        this.ctx.log.error(
          'no telemetry of the gateway stored while it publishes: the subscription may be lost; subscribing again',
          { gateway, silent_s, published_meanwhile: published },
        );
        this.ctx.onSilent?.(gateway);
      }
      out.push({ gateway, silent_s, published });
    }
    return out;
  }

  /**
   * Batches the broker acknowledged since a mark after which nothing of the gateway was stored, when
   * they are at least `minBatches`; undefined otherwise.
   */
  private publishedUnheard(w: GatewayWatch, now: number): number | undefined {
    const settled = now - (this.ctx.graceMs ?? 10_000);
    let last: (typeof w.marks)[number] | undefined;
    /** The oldest mark after the last store (same epoch as `last`). */
    let oldest: (typeof w.marks)[number] | undefined;
    for (let i = w.marks.length - 1; i >= 0; i--) {
      const m = w.marks[i];
      if (!m) continue;
      if (!last) {
        if (m.at <= settled) last = m;
        continue;
      }
      if (m.epoch !== last.epoch || m.at <= w.lastStoredAt) break;
      oldest = m;
    }
    const published = last && oldest ? last.seq - oldest.seq : 0;
    return published >= this.ctx.minBatches ? published : undefined;
  }
}
