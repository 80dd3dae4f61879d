import { encodeRegisters, type RegisterType, registerCount } from '../core/codec/registers.ts';
import type { Command } from '../core/commands.ts';
import type { ModbusPoint, ModbusProfile, OpcuaPoint, OpcuaProfile } from '../core/profiles/profileSchema.ts';
import type { WriteTarget } from './protocols/modbus/client.ts';

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
  const common = checkCommon(cmd, point, profileRef);
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

/** The checks every write passes whatever the protocol: the point exists, is writable, within range. */
function checkCommon(
  cmd: Command,
  point:
    | { access: string; min?: number | undefined; max?: number | undefined; unit?: string | undefined }
    | undefined,
  profileRef: string,
): string | undefined {
  if (!point) return `device "${cmd.device}" (profile ${profileRef}) has no point "${cmd.point}"`;
  const unit = point.unit ? ` ${point.unit}` : '';
  if (point.access !== 'read_write') return `point "${cmd.point}" of device "${cmd.device}" is read-only`;
  if (point.min !== undefined && cmd.value < point.min)
    return `${cmd.value}${unit} is below the minimum ${point.min}${unit} of "${cmd.point}" (profile ${profileRef})`;
  if (point.max !== undefined && cmd.value > point.max)
    return `${cmd.value}${unit} is above the maximum ${point.max}${unit} of "${cmd.point}" (profile ${profileRef})`;
  return undefined;
}

/**
 * Checks a command to an OPC UA point against its node map: writable, within range, and a value
 * its data type can carry (0/1 for Boolean, an integer for Int32, an index of `values` for a
 * String enumeration).
 */
export function validateOpcuaCommand(
  cmd: Command,
  profile: OpcuaProfile,
  profileRef: string,
): { ok: true; point: OpcuaPoint } | { ok: false; reason: string } {
  const point = profile.points.find((p) => p.id === cmd.point);
  const common = checkCommon(cmd, point, profileRef);
  if (common !== undefined || !point) return { ok: false, reason: common ?? 'no such point' };
  if (point.data_type === 'Boolean' && cmd.value !== 0 && cmd.value !== 1)
    return { ok: false, reason: `"${cmd.point}" is on/off: write 0 or 1, not ${cmd.value}` };
  if (point.data_type === 'Int32' && !Number.isInteger(cmd.value))
    return { ok: false, reason: `"${cmd.point}" takes whole numbers, not ${cmd.value}` };
  if (point.data_type === 'String') {
    const values = point.values ?? [];
    if (!Number.isInteger(cmd.value) || cmd.value < 0 || cmd.value >= values.length)
      return {
        ok: false,
        reason: `"${cmd.point}" takes one of ${values.map((v, i) => `${i} (${v})`).join(', ')}, not ${cmd.value}`,
      };
  }
  return { ok: true, point };
}
