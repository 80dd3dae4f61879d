import { decodeRegisters, type RegisterType, registerCount } from '../../../core/codec/registers.ts';
import type { ModbusProfile } from '../../../core/profiles/profileSchema.ts';
import type { PlannedRead } from './plan.ts';

/** Numeric values of a planned read's points (raw × scale + offset); strings are left out of telemetry. */
export function decodePlanned(
  profile: ModbusProfile,
  plan: PlannedRead,
  data: readonly (number | boolean)[],
): { point: string; value: number; unit?: string }[] {
  const out: { point: string; value: number; unit?: string }[] = [];
  for (const { point, at } of plan.points) {
    let raw: number;
    if (point.type === 'bit') raw = data[at] ? 1 : 0;
    else {
      const type = point.type as RegisterType;
      const words = data.slice(at, at + registerCount(type, point.length)) as number[];
      const decoded = decodeRegisters(words, type, point.order ?? profile.defaults.order);
      if (typeof decoded !== 'number') continue;
      raw = decoded;
    }
    const value = raw * point.scale + point.offset;
    out.push(
      point.unit === undefined ? { point: point.id, value } : { point: point.id, value, unit: point.unit },
    );
  }
  return out;
}
