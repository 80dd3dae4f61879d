import type { Condition } from '../../core/alarms/model.ts';
import type { AlarmRulesConfig } from '../../core/alarms/schema.ts';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import { localClock, localTimestamp } from '../../core/localTime.ts';
import type { Report } from '../detector.ts';
import { SiteNames } from '../naming.ts';

/** What every telemetry detector needs to know about the site, looked up once. */
export interface DeviceInfo {
  id: string;
  gateway: string;
  /** Profile reference as written in the site file, e.g. modbus/eastron/sdm630. */
  profile: string;
  /** OPC UA in subscription mode: an unchanged value sends nothing, so silence is not staleness. */
  onChange: boolean;
  /** Its building: of the meters it carries, else of its control group (alarms/naming.ts). */
  building: string | undefined;
  /** How a Chinese message names it: `zonghe-main（综合办公楼 总表）`. */
  text: string;
  /** Its reply timeout (a Modbus connection's `timeout`), ms, for "no answer within …". */
  timeoutMs: number | undefined;
}

export interface DetectorContext {
  rules: AlarmRulesConfig;
  timeZone: string;
  devices: Map<string, DeviceInfo>;
  names: SiteNames;
  report: Report;
}

export function detectorContext(site: LoadedSite, report: Report): DetectorContext {
  const { config } = site;
  const devices = new Map<string, DeviceInfo>();
  const names = new SiteNames(config);
  for (const [id, d] of site.devices) {
    const gateway = config.gateways.find((g) => g.id === d.gatewayId);
    const connection = gateway?.connections.find((c) => c.id === d.connectionId);
    const onChange = connection?.protocol === 'opcua' && (connection as { mode?: string }).mode !== 'polling';
    devices.set(id, {
      id,
      gateway: d.gatewayId,
      profile: d.device.profile,
      onChange,
      building: names.device(id)?.building,
      text: names.deviceText(id),
      timeoutMs: names.timeoutMs(id),
    });
  }
  return { rules: config.alarms.rules, timeZone: config.site.timezone, devices, names, report };
}

/** A point selector of the site file (alarms.rules.stuck/out_of_range.points): a device, or every device of a profile, and a point. */
export function selects(
  sel: { device?: string | undefined; profile?: string | undefined; point: string },
  device: DeviceInfo,
  point: string,
): boolean {
  if (sel.point !== point) return false;
  if (sel.device !== undefined && sel.device !== device.id) return false;
  if (sel.profile !== undefined && sel.profile !== device.profile) return false;
  return true;
}

/** `2026-12-02 14:05:03`, the site's local time, as people read it in a message. */
export function localText(ms: number, timeZone: string): string {
  const { date, time } = localClock(ms, timeZone);
  return `${date} ${time}`;
}

/** A length of time in words, rounded: en `12 min`, zh `12 分钟`. */
export function durationText(ms: number): { en: string; zh: string } {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return { en: `${s} s`, zh: `${s} 秒` };
  const min = Math.round(s / 60);
  if (min < 120) return { en: `${min} min`, zh: `${min} 分钟` };
  const h = Math.round(min / 6) / 10;
  return { en: `${h} h`, zh: `${h} 小时` };
}

/** A figure for a message: at most 4 significant decimals, no float noise. */
export function num(v: number): string {
  const abs = Math.abs(v);
  const digits = abs >= 1000 ? 1 : abs >= 1 ? 2 : 4;
  return String(Number(v.toFixed(digits)));
}

/** The condition with its `at` in the site's local ISO time and without undefined fields. */
export function condition(ctx: DetectorContext, c: Omit<Condition, 'at'> & { atMs: number }): Condition {
  const { atMs, ...rest } = c;
  const out: Record<string, unknown> = { ...rest, at: localTimestamp(atMs, ctx.timeZone) };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out as Condition;
}

/**
 * The cause that explains a device's silence or errors (flood control, core/alarms/model.ts): the
 * device offline when its last readings were bad and its gateway still speaks, else its gateway.
 */
export function causeOf(device: DeviceInfo, gatewayOffline: boolean, deviceBad: boolean): string {
  return deviceBad && !gatewayOffline ? `device_offline:${device.id}` : `gateway_offline:${device.gateway}`;
}
