import { decodeRegisters, type RegisterType, registerCount } from '../../../core/codec/registers.ts';
import type { ModbusPoint, ModbusProfile } from '../../../core/profiles/profileSchema.ts';
import type { PlannedRead } from './plan.ts';

/** Decimal places of a scale or offset such as 0.1, 0.001, 2.5 (up to 12). */
function decimals(x: number): number {
  let d = 0;
  while (d < 12 && Math.round(x * 10 ** d) !== x * 10 ** d) d++;
  return d;
}

/**
 * One point's value from the data of its request: raw × scale + offset for numbers; strings as
 * read. An integer register scaled by 0.1 holds tenths, so the result is rounded to the decimals of
 * scale and offset: 652 × 0.1 − 40 reads 25.2, not 25.200000000000003. Float registers are not rounded.
 */
export function decodePoint(
  profile: ModbusProfile,
  point: ModbusPoint,
  data: readonly (number | boolean)[],
  at: number,
): number | string {
  const type = point.type;
  let raw: number | string;
  if (type === 'bit') raw = data[at] ? 1 : 0;
  else {
    const words = data.slice(at, at + registerCount(type as RegisterType, point.length)) as number[];
    raw = decodeRegisters(words, type as RegisterType, point.order ?? profile.defaults.order);
  }
  if (typeof raw !== 'number') return raw;
  const value = raw * point.scale + point.offset;
  if (type === 'float32' || type === 'float64' || (point.scale === 1 && point.offset === 0)) return value;
  return Number(value.toFixed(Math.max(decimals(point.scale), decimals(point.offset))));
}

/** Numeric values of a planned read's points; strings (serial numbers, models) are left out of telemetry. */
export function decodePlanned(
  profile: ModbusProfile,
  plan: PlannedRead,
  data: readonly (number | boolean)[],
): { point: string; value: number; unit?: string }[] {
  const out: { point: string; value: number; unit?: string }[] = [];
  for (const { point, at } of plan.points) {
    const value = decodePoint(profile, point, data, at);
    if (typeof value !== 'number') continue;
    out.push(
      point.unit === undefined ? { point: point.id, value } : { point: point.id, value, unit: point.unit },
    );
  }
  return out;
}
