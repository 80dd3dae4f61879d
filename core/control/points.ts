import type { LoadedSite } from '../config/loadedSite.ts';
import { isBinaryPoint } from '../protocols/index.ts';
import type { ControlConfig, PointSettings } from './schema.ts';

/** A writable field point as control sees it: where it lives, its limits and its settings. */
export interface ControlPoint {
  /** `device/point` */
  key: string;
  device: string;
  point: string;
  gatewayId: string;
  name: string;
  unit?: string | undefined;
  /** 0/1 (a coil, a Boolean): on/off semantics for minimum on/off times. */
  binary: boolean;
  /** The device's own range (profile min/max). */
  deviceMin?: number | undefined;
  deviceMax?: number | undefined;
  /** Groups the device belongs to. */
  groups: string[];
  /** The merged settings of the groups' entries for this point. */
  settings: Partial<PointSettings>;
  /** The 26 °C / 20 °C rule applies. */
  rule?: 'cooling' | 'heating' | undefined;
}

export const pointKey = (device: string, point: string) => `${device}/${point}`;

/** Every writable point of the site's devices (profile access read_write), with control's settings. */
export function controlPoints(site: LoadedSite): Map<string, ControlPoint> {
  const control = site.config.control;
  const out = new Map<string, ControlPoint>();
  for (const [deviceId, { profile, gatewayId }] of site.devices) {
    const groups = control.groups.filter((g) => g.devices.includes(deviceId)).map((g) => g.id);
    for (const p of profile.points) {
      if (p.access !== 'read_write') continue;
      const binary = isBinaryPoint(profile, p);
      const settings: Partial<PointSettings> = {};
      for (const s of control.points)
        if (s.point === p.id && groups.includes(s.group)) Object.assign(settings, s);
      const rule = control.policy.cooling_points.includes(p.id)
        ? 'cooling'
        : control.policy.heating_points.includes(p.id)
          ? 'heating'
          : undefined;
      out.set(pointKey(deviceId, p.id), {
        key: pointKey(deviceId, p.id),
        device: deviceId,
        point: p.id,
        gatewayId,
        name: p.name,
        unit: p.unit,
        binary,
        deviceMin: binary ? 0 : p.min,
        deviceMax: binary ? 1 : p.max,
        groups,
        settings,
        rule,
      });
    }
  }
  return out;
}

/** A refusal in English and in Chinese (the API's default language). */
export interface Bilingual {
  en: string;
  zh: string;
}

/**
 * Why `value` may not be commanded to `cp` — the device range, the point's limits, 0/1 for on/off
 * points, the 26 °C / 20 °C rule — or undefined when it may. Never clamps.
 */
export function valueViolation(
  cp: ControlPoint,
  value: number,
  policy: ControlConfig['policy'],
): string | undefined {
  return valueViolationText(cp, value, policy)?.en;
}

/** `valueViolation` in both languages: what the API answers a person (Chinese by default). */
export function valueViolationText(
  cp: ControlPoint,
  value: number,
  policy: ControlConfig['policy'],
): Bilingual | undefined {
  const unit = cp.unit ? ` ${cp.unit}` : '';
  const name = `${cp.key} (${cp.name})`;
  const nameZh = `${cp.key}（${cp.name}）`;
  if (cp.binary && value !== 0 && value !== 1)
    return {
      en: `${name} is on/off: 0 or 1, not ${value}`,
      zh: `${nameZh}是开关量：只能为 0 或 1，不能为 ${value}`,
    };
  const cool = policy.cooling_setpoint_min;
  if (cp.rule === 'cooling' && value < cool.value)
    return {
      en: `cooling setpoint ${value}${unit} of ${name} is below the policy minimum ${cool.value}${unit}: ${cool.reason}`,
      zh: `${nameZh}的制冷设定温度 ${value}${unit} 低于政策下限 ${cool.value}${unit}：${cool.reason}`,
    };
  const heat = policy.heating_setpoint_max;
  if (cp.rule === 'heating' && value > heat.value)
    return {
      en: `heating setpoint ${value}${unit} of ${name} is above the policy maximum ${heat.value}${unit}: ${heat.reason}`,
      zh: `${nameZh}的制热设定温度 ${value}${unit} 高于政策上限 ${heat.value}${unit}：${heat.reason}`,
    };
  return limitViolation(cp, value, { unit, name, nameZh });
}

/**
 * The values a command to `cp` may take, from every bound `valueViolation` checks: the device's
 * range, the point's limits (control.points) and the 26 °C / 20 °C rule. Binary points: 0…1.
 */
export function allowedRange(
  cp: ControlPoint,
  policy: ControlConfig['policy'],
): { min: number | null; max: number | null } {
  const lows = [
    cp.deviceMin,
    cp.settings.min,
    cp.rule === 'cooling' ? policy.cooling_setpoint_min.value : undefined,
  ];
  const highs = [
    cp.deviceMax,
    cp.settings.max,
    cp.rule === 'heating' ? policy.heating_setpoint_max.value : undefined,
  ];
  const defined = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);
  const lo = defined(lows);
  const hi = defined(highs);
  return { min: lo.length ? Math.max(...lo) : null, max: hi.length ? Math.min(...hi) : null };
}

/** The point's own limits (control.points) and the device's range, in both languages. */
function limitViolation(
  cp: ControlPoint,
  value: number,
  at: { unit: string; name: string; nameZh: string },
): Bilingual | undefined {
  const { unit, name, nameZh } = at;
  const { min, max, reason } = cp.settings;
  const why = reason ? `: ${reason}` : '';
  const whyZh = reason ? `：${reason}` : '';
  if (min !== undefined && value < min)
    return {
      en: `${value}${unit} for ${name} is below its limit ${min}${unit} (control.points)${why}`,
      zh: `${nameZh}的 ${value}${unit} 低于其下限 ${min}${unit}（control.points）${whyZh}`,
    };
  if (max !== undefined && value > max)
    return {
      en: `${value}${unit} for ${name} is above its limit ${max}${unit} (control.points)${why}`,
      zh: `${nameZh}的 ${value}${unit} 高于其上限 ${max}${unit}（control.points）${whyZh}`,
    };
  const range = `${cp.deviceMin ?? ''}…${cp.deviceMax ?? ''}${unit}`;
  if (cp.deviceMin !== undefined && value < cp.deviceMin)
    return {
      en: `${value}${unit} for ${name} is below the device’s range ${range}`,
      zh: `${nameZh}的 ${value}${unit} 低于设备量程 ${range}`,
    };
  if (cp.deviceMax !== undefined && value > cp.deviceMax)
    return {
      en: `${value}${unit} for ${name} is above the device’s range ${range}`,
      zh: `${nameZh}的 ${value}${unit} 高于设备量程 ${range}`,
    };
  return undefined;
}

/** What control remembers of a point's writes, for minimum on/off times and the write rate. */
export interface WriteHistory {
  /** The last value written and when. */
  last?: { value: number; at: number } | undefined;
  /** Times of the writes of the last hour. */
  recent: number[];
}

const clock = (ms: number, timeZone: string) =>
  new Date(ms).toLocaleTimeString('zh-CN', { timeZone, hour12: false, hour: '2-digit', minute: '2-digit' });

/** Why writing `value` to `cp` now would break its minimum on/off time or write rate (`kind`), and from when it is allowed; undefined when it is allowed now. */
export function timingViolation(
  cp: ControlPoint,
  value: number,
  history: WriteHistory,
  now: number,
  timeZone: string,
): { kind: 'min_on_off' | 'rate'; reason: string; reason_zh: string; allowedFrom: number } | undefined {
  const { min_on, min_off, max_writes_per_hour } = cp.settings;
  const last = history.last;
  if (cp.binary && last && last.value !== value) {
    const held = now - last.at;
    if (last.value === 1 && min_on !== undefined && held < min_on)
      return {
        kind: 'min_on_off',
        reason: `${cp.key} has been on since ${clock(last.at, timeZone)}; its minimum on time is ${min_on / 60_000} min, so off is allowed from ${clock(last.at + min_on, timeZone)}`,
        reason_zh: `${cp.key} 自 ${clock(last.at, timeZone)} 起处于开启状态；最短开启时间为 ${min_on / 60_000} 分钟，${clock(last.at + min_on, timeZone)} 起才能关闭`,
        allowedFrom: last.at + min_on,
      };
    if (last.value === 0 && min_off !== undefined && held < min_off)
      return {
        kind: 'min_on_off',
        reason: `${cp.key} has been off since ${clock(last.at, timeZone)}; its minimum off time is ${min_off / 60_000} min, so on is allowed from ${clock(last.at + min_off, timeZone)}`,
        reason_zh: `${cp.key} 自 ${clock(last.at, timeZone)} 起处于关闭状态；最短关闭时间为 ${min_off / 60_000} 分钟，${clock(last.at + min_off, timeZone)} 起才能开启`,
        allowedFrom: last.at + min_off,
      };
  }
  if (max_writes_per_hour !== undefined) {
    const inHour = history.recent.filter((t) => t > now - 3_600_000);
    const oldest = inHour[0];
    if (inHour.length >= max_writes_per_hour && oldest !== undefined)
      return {
        kind: 'rate',
        reason: `${cp.key} was written ${inHour.length} times in the last hour; at most ${max_writes_per_hour} writes per hour are allowed`,
        reason_zh: `${cp.key} 在过去一小时内已写入 ${inHour.length} 次；每小时最多允许写入 ${max_writes_per_hour} 次`,
        allowedFrom: oldest + 3_600_000,
      };
  }
  return undefined;
}
