import {
  causeOf,
  condition,
  type DetectorContext,
  type DeviceInfo,
  durationText,
  localText,
} from './context.ts';

interface DeviceState {
  /** Source time (ms) of each point's newest reading with a value. */
  points: Map<string, number>;
  /** Whether the device's newest readings were bad (no value): it is then the device that is down. */
  bad: boolean;
  /** The stale condition held now: how many points, since when. */
  active: { count: number; since: number } | undefined;
}

/**
 * `stale`: a device whose points bring no new reading (by the readings' source time) for
 * `alarms.rules.stale.after`. One condition per device, naming how many of its points and since
 * when; cleared when every point reports again. A bad reading (no value) is not a new reading: a
 * device that answers only with timeouts goes stale too, with `cause: device_offline:<device>` so
 * that flood control counts it under the device's own alarm. Devices of OPC UA in subscription
 * mode are not judged: they send nothing while their values rest (a zone temperature inside its
 * 0.05 °C deadband all night), and their outages come as bad readings and device availability
 * from the gateway. Devices of a gateway that is offline (or sent nothing at all for `after`: then
 * it is the gateway, not the device) are not judged.
 */
export class StaleDetector {
  private readonly devices = new Map<string, DeviceState>();
  /** Devices whose stale alarm is still active from before a restart (`seed`). */
  private readonly seeded = new Set<string>();

  constructor(
    private readonly ctx: DetectorContext,
    private readonly gatewayOffline: (gateway: string, now: number) => boolean,
  ) {}

  /**
   * An alarm of this rule still active from before a restart (`key`): held as active here until
   * the data has been judged, so the first good judgement clears it (this run alone never raised it).
   */
  seed(key: string): void {
    this.seeded.add(key);
  }

  onReading(device: string, point: string, ts: number, hasValue: boolean): void {
    let d = this.devices.get(device);
    if (!d) {
      // Seeded: judged on the next tick — cleared if every point is fresh, updated if not.
      const seeded = this.seeded.delete(device);
      d = { points: new Map(), bad: false, active: seeded ? { count: -1, since: -1 } : undefined };
      this.devices.set(device, d);
    }
    d.bad = !hasValue;
    if (!hasValue) {
      // A point first seen bad counts from then: it has never brought a value.
      if (!d.points.has(point)) d.points.set(point, ts);
      return;
    }
    const prev = d.points.get(point);
    if (prev === undefined || ts > prev) d.points.set(point, ts);
  }

  tick(now: number): void {
    const rule = this.ctx.rules.stale;
    if (!rule.enabled) return;
    for (const [id, d] of this.devices) {
      const info = this.ctx.devices.get(id);
      if (!info || info.onChange) continue;
      const stale = this.stalePoints(d, now, rule.after);
      if (stale.length === 0) {
        if (d.active) this.clear(id, d, info);
        continue;
      }
      if (this.gatewayOffline(info.gateway, now)) continue;
      const since = Math.min(...stale);
      if (d.active?.count === stale.length && d.active.since === since) continue;
      d.active = { count: stale.length, since };
      const total = d.points.size;
      const quiet = durationText(now - since);
      const sinceText = localText(since, this.ctx.timeZone);
      this.ctx.report(
        condition(this.ctx, {
          rule: 'stale',
          key: id,
          active: true,
          atMs: Math.min(now, since + rule.after),
          message: `device "${id}": ${stale.length} of ${total} points have brought no new reading since ${sinceText} (${quiet.en}; limit ${durationText(rule.after).en})${d.bad ? '; its latest readings are bad' : ''}`,
          message_zh: `设备 ${info.text}：${total} 个点中有 ${stale.length} 个自 ${sinceText} 起没有新数据（已 ${quiet.zh}，限值 ${durationText(rule.after).zh}）${d.bad ? '；最近的读数均为坏值' : ''}`,
          device: id,
          building: info.building,
          gateway: info.gateway,
          cause: causeOf(info, false, d.bad),
          value: stale.length,
        }),
      );
    }
  }

  /** Source times of the points whose newest reading is older than `after` at `now`. */
  private stalePoints(d: DeviceState, now: number, after: number): number[] {
    return [...d.points.values()].filter((t) => t <= now - after);
  }

  private clear(id: string, d: DeviceState, info: DeviceInfo): void {
    const newest = Math.max(...d.points.values());
    d.active = undefined;
    this.ctx.report(
      condition(this.ctx, {
        rule: 'stale',
        key: id,
        active: false,
        atMs: newest,
        message: `device "${id}": every point reports again (newest reading ${localText(newest, this.ctx.timeZone)})`,
        message_zh: `设备 ${info.text}：所有点恢复上报（最新读数 ${localText(newest, this.ctx.timeZone)}）`,
        device: id,
        gateway: info.gateway,
      }),
    );
  }
}
