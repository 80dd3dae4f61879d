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

type StuckPoint = AlarmRulesConfig['stuck']['points'][number];

interface PointState {
  spec: StuckPoint;
  device: DeviceInfo;
  point: string;
  /** The value the point rests at, and since when (source time). */
  ref: number;
  since: number;
  /** The point's unit as the gateway reports it ('' while none came): a person reads `646 kW`, not `646`. */
  unit: string;
  /** Whether the newest reading was bad: a point that cannot be read is not judged stuck. */
  bad: boolean;
  active: boolean;
}

/**
 * `stuck`: a configured point (alarms.rules.stuck.points: a device or every device of a profile,
 * the point, `for`, `tolerance`) whose value stays within `tolerance` of where it rested for longer
 * than `for`, where it should move (a frozen transducer, a meter whose display froze). Key
 * `device/point`; cleared when the value moves past the tolerance. Judged on each reading, and on
 * `tick` for devices that report on change (OPC UA subscriptions send nothing while a value rests).
 */
export class StuckDetector {
  private readonly points = new Map<string, PointState>();
  /** `device/point`s whose stuck alarm is still active from before a restart (`seed`). */
  private readonly seeded = new Set<string>();

  constructor(
    private readonly ctx: DetectorContext,
    private readonly gatewayOffline: (gateway: string, now: number) => boolean,
  ) {}

  /** The configured entry for a point, if any (the first that selects it). */
  private specOf(device: DeviceInfo, point: string): StuckPoint | undefined {
    return this.ctx.rules.stuck.points.find((p) => selects(p, device, point));
  }

  /**
   * An alarm of this rule still active from before a restart (`key`): held as active here until
   * the data has been judged, so the first good judgement clears it (this run alone never raised it).
   */
  seed(key: string): void {
    this.seeded.add(key);
  }

  onReading(
    device: DeviceInfo,
    point: string,
    ts: number,
    value: number | null,
    unit?: string | undefined,
  ): void {
    if (!this.ctx.rules.stuck.enabled) return;
    const key = `${device.id}/${point}`;
    let s = this.points.get(key);
    if (!s) {
      const spec = this.specOf(device, point);
      if (!spec || value === null) return;
      // Seeded: still stuck until the value moves past the tolerance (then cleared).
      const active = this.seeded.delete(key);
      s = { spec, device, point, ref: value, since: ts, unit: unit ?? '', bad: false, active };
      this.points.set(key, s);
      return;
    }
    if (unit !== undefined) s.unit = unit;
    s.bad = value === null;
    if (value === null || ts < s.since) return;
    if (Math.abs(value - s.ref) > s.spec.tolerance) {
      if (s.active) this.report(s, false, ts, value);
      s.active = false;
      s.ref = value;
      s.since = ts;
      return;
    }
    this.judge(s, ts);
  }

  tick(now: number): void {
    for (const s of this.points.values())
      if (s.device.onChange && !s.bad && !this.gatewayOffline(s.device.gateway, now)) this.judge(s, now);
  }

  private judge(s: PointState, at: number): void {
    if (!s.active && at - s.since >= s.spec.for) {
      s.active = true;
      this.report(s, true, at, s.ref);
    }
  }

  private report(s: PointState, active: boolean, at: number, value: number): void {
    const key = `${s.device.id}/${s.point}`;
    const since = localText(s.since, this.ctx.timeZone);
    const held = durationText(at - s.since);
    const tol = s.spec.tolerance > 0 ? ` ±${num(s.spec.tolerance)}` : '';
    const u = s.unit ? ` ${s.unit}` : '';
    // Chinese: the device by what it is and where (alarms/naming.ts), then the point.
    const point = this.ctx.names.pointText(s.device.id, s.point);
    this.ctx.report(
      condition(this.ctx, {
        rule: 'stuck',
        key,
        active,
        atMs: at,
        message: active
          ? `${key} has stayed at ${num(s.ref)}${tol}${u} since ${since} (${held.en}; limit ${durationText(s.spec.for).en})`
          : `${key} moves again: ${num(value)}${u} at ${localText(at, this.ctx.timeZone)} (was ${num(s.ref)}${u} since ${since})`,
        message_zh: active
          ? `${point} 自 ${since} 起一直为 ${num(s.ref)}${tol}${u}（已 ${held.zh}，限值 ${durationText(s.spec.for).zh}）`
          : `${point} 恢复变化：${localText(at, this.ctx.timeZone)} 为 ${num(value)}${u}（此前自 ${since} 起为 ${num(s.ref)}${u}）`,
        device: s.device.id,
        point: s.point,
        building: s.device.building,
        gateway: s.device.gateway,
        value,
      }),
    );
  }
}
