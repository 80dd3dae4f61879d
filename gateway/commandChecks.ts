import type { Command } from '../core/commands.ts';

// Protocol-neutral: each protocol's own checks (types, registers, enumerations) are in its folder.

/** The checks every write passes whatever the protocol: the point exists, is writable, within range. */
export function commonViolation(
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
