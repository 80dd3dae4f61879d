import { encodeRegisters, type RegisterType, registerCount } from '../../core/codec/registers.ts';
import type { ModbusPoint, ModbusProfile } from '../../core/profiles/profileSchema.ts';

/** A value a simulated device put on the wire, as the reader will decode it (e.g. rounded to float32). */
export interface ServedValue {
  device: string;
  point: string;
  value: number;
}

type RegisterTable = 'holding_register' | 'input_register';

/** Protocol address of a point: the profile's address minus its address base. */
export function wireAddress(profile: ModbusProfile, point: ModbusPoint): number {
  return point.address - profile.defaults.address_base;
}

/**
 * Builds the words for registers [start, start+length) of one table from the device's current
 * values, encoding each point by its profile entry. Points the request covers completely are
 * reported as served; unmapped registers read 0.
 */
export function readRegisterRange(options: {
  device: string;
  profile: ModbusProfile;
  table: RegisterTable;
  start: number;
  length: number;
  values: Record<string, number>;
}): { words: number[]; served: ServedValue[] } {
  const { profile, start, length } = options;
  const words = new Array<number>(length).fill(0);
  const served: ServedValue[] = [];
  for (const point of profile.points) {
    if (point.function !== options.table || point.type === 'bit') continue;
    const raw = options.values[point.id];
    if (raw === undefined) continue;
    const type = point.type as RegisterType;
    const addr = wireAddress(profile, point);
    const count = registerCount(type, point.length);
    if (addr + count <= start || addr >= start + length) continue;
    const scaledRaw = (raw - point.offset) / point.scale;
    const encoded = encodeRegisters(scaledRaw, type, point.order ?? profile.defaults.order, point.length);
    encoded.forEach((w, i) => {
      const at = addr + i - start;
      if (at >= 0 && at < length) words[at] = w;
    });
    if (addr >= start && addr + count <= start + length) {
      served.push({
        device: options.device,
        point: point.id,
        value: servedValue(scaledRaw, type) * point.scale + point.offset,
      });
    }
  }
  return { words, served };
}

/** The number a reader decodes from what we encoded: float32 rounds, integers truncate to their type. */
function servedValue(raw: number, type: RegisterType): number {
  if (type === 'float32') return Math.fround(raw);
  if (type === 'float64' || type === 'string') return raw;
  return Math.round(raw);
}

/** The bit point of `table` (coil or discrete input) at protocol address `addr`, if the profile has one. */
export function bitPointAt(
  profile: ModbusProfile,
  table: 'coil' | 'discrete_input',
  addr: number,
): ModbusPoint | undefined {
  return profile.points.find((p) => p.function === table && wireAddress(profile, p) === addr);
}

/** The single-register holding point at `addr` (int16/uint16), the only kind a write of one register can set. */
export function registerPointAt(profile: ModbusProfile, addr: number): ModbusPoint | undefined {
  return profile.points.find(
    (p) =>
      p.function === 'holding_register' &&
      (p.type === 'int16' || p.type === 'uint16') &&
      wireAddress(profile, p) === addr,
  );
}
