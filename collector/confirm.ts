import type { MqttClient } from 'mqtt';
import { errorText } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { toRanges } from '../core/ranges.ts';
import type { Stored } from '../core/telemetry.ts';
import { topics } from '../core/topics.ts';

/**
 * Tells each gateway which of its batches this collector has stored (`jn/v1/<gateway>/stored`,
 * QoS 1, every `everyMs`), so the gateway's spool lets them go — and sends again what no collector
 * confirms. A batch is confirmed only once the store accepted it (or it was a duplicate of one
 * stored, or held nothing storable): what the broker acknowledged but lost is still at the source.
 */
export class Confirmer {
  /** gateway → epoch → seqs stored since the last flush. */
  private readonly pending = new Map<string, Map<string, number[]>>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly ctx: { client: () => MqttClient | undefined; log: Logger; everyMs?: number }) {
    this.timer = setInterval(() => this.flush(), ctx.everyMs ?? 500);
    this.timer.unref();
  }

  stored(gateway: string, epoch: string | undefined, seq: number): void {
    if (epoch === undefined) return; // a gateway without spool epochs does not wait for confirmations
    let byEpoch = this.pending.get(gateway);
    if (!byEpoch) {
      byEpoch = new Map();
      this.pending.set(gateway, byEpoch);
    }
    const seqs = byEpoch.get(epoch);
    if (seqs) seqs.push(seq);
    else byEpoch.set(epoch, [seq]);
  }

  /** Publishes what is pending; what cannot be sent now (broker away) is sent with the next flush. */
  flush(): void {
    const client = this.ctx.client();
    if (!client?.connected || this.pending.size === 0) return;
    for (const [gateway, byEpoch] of this.pending) {
      for (const [epoch, seqs] of byEpoch) {
        const message: Stored = { epoch, ranges: toRanges(seqs).slice(0, 10_000) };
        client.publish(topics.stored(gateway), JSON.stringify(message), { qos: 1 }, (err) => {
          if (err) this.ctx.log.debug('confirmation not sent', { gateway, error: errorText(err) });
        });
      }
    }
    this.pending.clear();
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
