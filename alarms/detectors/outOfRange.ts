import type { AlarmRulesConfig } from '../../core/alarms/schema.ts';
import {
  condition,
  type DetectorContext,
  type DeviceInfo,
  durationText,
  localText,
  num,
  selects,
} from './context.ts';

type RangePoint = AlarmRulesConfig['out_of_range']['points'][number];

interface PointState {
  spec: RangePoint;
  device: DeviceInfo;
  point: string;
  unit: string;
  /** The newest value and its source time. */
  value: number;
  ts: number;
  /** Outside the range since (source time), while the point's delay runs or the condition holds. */
  outsideSince: number | undefined;
  active: boolean;
}

/**
 * `out_of_range`: a configured point (alarms.rules.out_of_range.points) below `min` or above
 * `max`. The point's own `delay` is applied here, in the data's time (the value must stay outside
 * that long; the alarm engine applies the rule's `delay` after it, as for every rule); it clears
 * only once the value is back inside by `deadband`. Key `device/point`, the value in the condition,
 * the point's `severity` if it has one.
 */
export class OutOfRangeDetector {
  private readonly points = new Map<string, PointState>();
  /** `device/point`s whose out_of_range alarm is still active from before a restart (`seed`). */
  private readonly seeded = new Set<string>();

  /**
   * An alarm of this rule still active from before a restart (`key`): held as active here until
   * the data has been judged, so the first good judgement clears it (this run alone never raised it).
   */
  seed(key: string): void {
    this.seeded.add(key);
  }

  constructor(private readonly ctx: DetectorContext) {}

  onReading(
    device: DeviceInfo,
    point: string,
    ts: number,
    value: number | null,
    unit: string | undefined,
  ): void {
    if (!this.ctx.rules.out_of_range.enabled || value === null) return;
    const key = `${device.id}/${point}`;
    let s = this.points.get(key);
    if (!s) {
      const spec = this.ctx.rules.out_of_range.points.find((p) => selects(p, device, point));
      if (!spec) return;
      // Seeded: active until a value comes back inside (then cleared below).
      const active = this.seeded.delete(key);
      s = { spec, device, point, unit: '', value, ts, outsideSince: undefined, active };
      this.points.set(key, s);
    }
    if (ts < s.ts) return;
    s.value = value;
    s.ts = ts;
    if (unit !== undefined) s.unit = unit;
    const { min, max, deadband } = s.spec;
    const outside = (min !== undefined && value < min) || (max !== undefined && value > max);
    if (s.active) {
      const inside =
        (min === undefined || value >= min + deadband) && (max === undefined || value <= max - deadband);
      if (inside) {
        s.active = false;
        s.outsideSince = undefined;
        this.report(s, false, ts);
      }
      return;
    }
    if (!outside) {
      s.outsideSince = undefined;
      return;
    }
    s.outsideSince ??= ts;
    this.judge(s, ts);
  }

  /** A value that stays outside but is not sent again (OPC UA on change) still reaches its delay. */
  tick(now: number): void {
    for (const s of this.points.values()) if (!s.active && s.outsideSince !== undefined) this.judge(s, now);
  }

  private judge(s: PointState, at: number): void {
    const since = s.outsideSince;
    if (since === undefined || at - since < (s.spec.delay ?? 0)) return;
    s.active = true;
    this.report(s, true, Math.max(s.ts, since + (s.spec.delay ?? 0)));
  }

  private report(s: PointState, active: boolean, at: number): void {
    const key = `${s.device.id}/${s.point}`;
    const { min, max, deadband } = s.spec;
    const u = s.unit ? ` ${s.unit}` : '';
    const below = min !== undefined && s.value < min;
    const limit = below ? min : max;
    const range = `${min === undefined ? '−∞' : num(min)}…${max === undefined ? '∞' : num(max)}${u}`;
    const when = localText(s.ts, this.ctx.timeZone);
    const delay = s.spec.delay ? durationText(s.spec.delay) : undefined;
    const held = delay && s.outsideSince !== undefined ? durationText(at - s.outsideSince) : undefined;
    // Chinese: the device by what it is and where (alarms/naming.ts), then the point.
    const point = this.ctx.names.pointText(s.device.id, s.point);
    this.ctx.report(
      condition(this.ctx, {
        rule: 'out_of_range',
        key,
        active,
        atMs: at,
        message: active
          ? `${key} is ${num(s.value)}${u} at ${when}, ${below ? 'below the minimum' : 'above the maximum'} ${num(limit ?? 0)}${u} (range ${range})${held ? ` for ${held.en}` : ''}`
          : `${key} is back in range: ${num(s.value)}${u} at ${when} (range ${range}, deadband ${num(deadband)}${u})`,
        message_zh: active
          ? `${point} 于 ${when} 为 ${num(s.value)}${u}，${below ? '低于下限' : '高于上限'} ${num(limit ?? 0)}${u}（范围 ${range}）${held ? `，已持续 ${held.zh}` : ''}`
          : `${point} 恢复正常：${when} 为 ${num(s.value)}${u}（范围 ${range}，回差 ${num(deadband)}${u}）`,
        severity: s.spec.severity,
        device: s.device.id,
        point: s.point,
        building: s.device.building,
        gateway: s.device.gateway,
        value: s.value,
      }),
    );
  }
}
