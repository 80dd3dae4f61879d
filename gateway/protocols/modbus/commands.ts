import { encodeRegisters, type RegisterType, registerCount } from '../../../core/codec/registers.ts';
import type { Command } from '../../../core/commands.ts';
import type { ModbusPoint, ModbusProfile } from '../../../core/profiles/profileSchema.ts';
import { commonViolation } from '../../commandChecks.ts';
import type { WriteTarget } from './client.ts';

const integerRange: Partial<Record<RegisterType, [number, number]>> = {
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

export type Validated = { ok: true; point: ModbusPoint; target: WriteTarget } | { ok: false; reason: string };

/**
 * Checks a command against the device's profile — the point exists, is writable, the value fits
 * its range, type and resolution — and turns it into the registers to write. Nothing that fails
 * here reaches the device.
 */
export function validateCommand(cmd: Command, profile: ModbusProfile, profileRef: string): Validated {
  const point = profile.points.find((p) => p.id === cmd.point);
  const common = commonViolation(cmd, point, profileRef);
  if (common !== undefined || !point) return { ok: false, reason: common ?? 'no such point' };
  const unit = point.unit ? ` ${point.unit}` : '';
  const address = point.address - profile.defaults.address_base;
  if (point.type === 'bit') {
    if (point.function !== 'coil')
      return { ok: false, reason: `"${cmd.point}" is a ${point.function}, which cannot be written` };
    if (cmd.value !== 0 && cmd.value !== 1)
      return { ok: false, reason: `"${cmd.point}" is on/off: write 0 or 1, not ${cmd.value}` };
    return { ok: true, point, target: { table: 'coil', address, bit: cmd.value === 1 } };
  }
  if (point.function !== 'holding_register' || point.type === 'string')
    return {
      ok: false,
      reason: `"${cmd.point}" is a ${point.type} ${point.function}, which cannot be written`,
    };
  const type = point.type as RegisterType;
  let raw = (cmd.value - point.offset) / point.scale;
  const range = integerRange[type];
  if (range) {
    const rounded = Math.round(raw);
    if (Math.abs(rounded - raw) > 1e-6)
      return {
        ok: false,
        reason: `${cmd.value}${unit} is not a multiple of the resolution ${point.scale}${unit} of "${cmd.point}"`,
      };
    if (rounded < range[0] || rounded > range[1])
      return { ok: false, reason: `${cmd.value}${unit} does not fit the ${type} register of "${cmd.point}"` };
    raw = rounded;
  }
  const words = encodeRegisters(raw, type, point.order ?? profile.defaults.order, point.length);
  if (words.length !== registerCount(type, point.length))
    return { ok: false, reason: `cannot encode ${cmd.value} as ${type}` };
  return { ok: true, point, target: { table: 'holding_register', address, words } };
}
