import type { Command } from '../../../core/commands.ts';
import type { OpcuaPoint, OpcuaProfile } from '../../../core/profiles/profileSchema.ts';
import { commonViolation } from '../../commandChecks.ts';

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
  const common = commonViolation(cmd, point, profileRef);
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
