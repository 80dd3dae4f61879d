import { deviceErrorZh } from '../../core/protocols/deviceErrors.ts';
import { causeOf, condition, type DetectorContext, durationText, localText } from './context.ts';

/** Readings of one device at one source time (one poll, one batch of notifications). */
interface Bucket {
  ts: number;
  total: number;
  bad: number;
}

interface DeviceState {
  buckets: Bucket[];
  /** Per reason of bad readings: the polls (bucket times) in the window that had it, and when it was last seen. */
  reasons: Map<string, { last: number; buckets: number[] }>;
  active: boolean;
  /** Whether the device's newest reading was bad: then the device itself may be down (the cause for flood control). */
  lastBad: boolean;
}

/** The gateway's reason in Chinese with the original after it (core/protocols/deviceErrors.ts). */
const reasonZh = (reason: string, timeoutMs: number | undefined) =>
  reason === 'no reason given' ? '未说明原因' : deviceErrorZh(reason, { timeoutMs });

/** Fewest polls in the window before a share is judged: one bad poll of a new device is not a trend. */
const MIN_BUCKETS = 3;

/**
 * `comm_errors`: the share of a device's readings with quality bad — the gateway's reason says
 * why: a Modbus exception, a timeout, an OPC UA bad status — over the last
 * `alarms.rules.comm_errors.window` (the data's time) above `share`. Judged as readings come;
 * cleared when the share is back at or below half the limit (so a share hovering at the limit does
 * not flap). The message names the share, the count and the most frequent reason with its time.
 */
export class CommErrorDetector {
  private readonly devices = new Map<string, DeviceState>();
  /** Devices whose comm_errors alarm is still active from before a restart (`seed`). */
  private readonly seeded = new Set<string>();

  /**
   * An alarm of this rule still active from before a restart (`key`): held as active here until
   * the data has been judged, so the first good judgement clears it (this run alone never raised it).
   */
  seed(key: string): void {
    this.seeded.add(key);
  }

  constructor(
    private readonly ctx: DetectorContext,
    private readonly gatewayOffline: (gateway: string) => boolean,
  ) {}

  onReading(device: string, ts: number, bad: boolean, reason: string | undefined): void {
    let d = this.devices.get(device);
    if (!d) {
      // Seeded: cleared once enough polls are in to judge the share (one good poll is not enough).
      const active = this.seeded.has(device);
      d = { buckets: [], reasons: new Map(), active, lastBad: false };
      this.devices.set(device, d);
    }
    let b = d.buckets.at(-1);
    if (!b || b.ts !== ts) {
      // Readings out of order (a replayed spool) count in the newest bucket: only the share matters.
      b = { ts: Math.max(ts, b?.ts ?? ts), total: 0, bad: 0 };
      d.buckets.push(b);
    }
    b.total++;
    d.lastBad = bad;
    if (bad) {
      b.bad++;
      const text = reason ?? 'no reason given';
      const r = d.reasons.get(text) ?? { last: 0, buckets: [] };
      r.last = Math.max(r.last, ts);
      if (r.buckets.at(-1) !== b.ts) r.buckets.push(b.ts);
      d.reasons.set(text, r);
    }
  }

  /** Judges the devices of a batch once its readings are in. */
  judge(device: string): void {
    const rule = this.ctx.rules.comm_errors;
    const d = this.devices.get(device);
    const info = this.ctx.devices.get(device);
    if (!rule.enabled || !d || !info) return;
    this.prune(d, rule.window);
    const newest = d.buckets.at(-1);
    if (!newest) return;
    const total = d.buckets.reduce((n, b) => n + b.total, 0);
    const bad = d.buckets.reduce((n, b) => n + b.bad, 0);
    const share = total === 0 ? 0 : bad / total;
    // Raised on a poll that still has errors: a device that just recovered is not raised late.
    if (!d.active && share > rule.share && d.buckets.length >= MIN_BUCKETS && newest.bad > 0) {
      if (this.gatewayOffline(info.gateway)) return;
      d.active = true;
      const [reason, seen] = [...d.reasons.entries()].sort(
        (a, b) => b[1].buckets.length - a[1].buckets.length || b[1].last - a[1].last,
      )[0] ?? ['no reason given', { last: newest.ts }];
      const pct = Math.round(share * 100);
      const win = durationText(rule.window);
      const when = localText(seen.last, this.ctx.timeZone);
      this.ctx.report(
        condition(this.ctx, {
          rule: 'comm_errors',
          key: device,
          active: true,
          atMs: newest.ts,
          message: `device "${device}": ${pct} % of its readings in the last ${win.en} were bad (${bad} of ${total}; limit ${Math.round(rule.share * 100)} %): ${reason} (last at ${when})`,
          message_zh: `设备 ${info.text}：最近 ${win.zh} 内 ${pct}% 的读数为坏值（${total} 个中 ${bad} 个，限值 ${Math.round(rule.share * 100)}%）：${reasonZh(reason, info.timeoutMs)}（最近一次 ${when}）`,
          device,
          building: info.building,
          gateway: info.gateway,
          cause: causeOf(info, false, d.lastBad),
          value: Math.round(share * 1000) / 1000,
        }),
      );
    } else if (
      d.active &&
      share <= rule.share / 2 &&
      (d.buckets.length >= MIN_BUCKETS || !this.seeded.has(device))
    ) {
      d.active = false;
      this.seeded.delete(device);
      const pct = Math.round(share * 100);
      this.ctx.report(
        condition(this.ctx, {
          rule: 'comm_errors',
          key: device,
          active: false,
          atMs: newest.ts,
          message: `device "${device}": bad readings down to ${pct} % (${bad} of ${total}) at ${localText(newest.ts, this.ctx.timeZone)}`,
          message_zh: `设备 ${info.text}：坏值比例降至 ${pct}%（${total} 个中 ${bad} 个，${localText(newest.ts, this.ctx.timeZone)}）`,
          device,
          gateway: info.gateway,
          value: Math.round(share * 1000) / 1000,
        }),
      );
    }
  }

  private prune(d: DeviceState, windowMs: number): void {
    const newest = d.buckets.at(-1)?.ts;
    if (newest === undefined) return;
    const from = newest - windowMs;
    let drop = 0;
    while (drop < d.buckets.length - 1 && (d.buckets[drop]?.ts ?? newest) <= from) drop++;
    if (drop === 0) return;
    d.buckets.splice(0, drop);
    for (const [text, r] of d.reasons) {
      r.buckets = r.buckets.filter((t) => t > from);
      if (r.buckets.length === 0) d.reasons.delete(text);
    }
  }
}
