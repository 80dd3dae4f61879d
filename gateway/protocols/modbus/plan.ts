import { type RegisterType, registerCount } from '../../../core/codec/registers.ts';
import type { ModbusPoint, ModbusProfile } from '../../../core/profiles/profileSchema.ts';

/** Protocol limits of one read request (Modbus Application Protocol v1.1b3 §6.3/6.4). */
export const MAX_REGISTERS = 125;
export const MAX_BITS = 2000;

export interface PlannedRead {
  table: ModbusPoint['function'];
  /** Protocol (0-based) start address. */
  start: number;
  length: number;
  points: { point: ModbusPoint; at: number }[];
}

export interface PlanOptions {
  /** Largest run of unused registers to read through rather than start a new request (default 16). */
  maxGap?: number;
  /** Most registers per request, for devices that refuse long reads (default and at most 125). */
  maxRegisters?: number;
  /** One request per point, for devices that answer only reads that match a point exactly. */
  onePerPoint?: boolean;
}

function span(profile: ModbusProfile, p: ModbusPoint): { start: number; count: number } {
  const start = p.address - profile.defaults.address_base;
  return { start, count: p.type === 'bit' ? 1 : registerCount(p.type as RegisterType, p.length) };
}

/** Coalesces a profile's readable points into the fewest requests within the protocol limits. */
export function planReads(
  profile: ModbusProfile,
  points: readonly ModbusPoint[],
  options: PlanOptions = {},
): PlannedRead[] {
  const maxGap = options.maxGap ?? 16;
  const byTable = new Map<ModbusPoint['function'], ModbusPoint[]>();
  for (const p of points) byTable.set(p.function, [...(byTable.get(p.function) ?? []), p]);
  const plans: PlannedRead[] = [];
  for (const [table, list] of byTable) {
    const limit =
      table === 'coil' || table === 'discrete_input'
        ? MAX_BITS
        : Math.min(MAX_REGISTERS, options.maxRegisters ?? MAX_REGISTERS);
    const sorted = [...list].sort((a, b) => span(profile, a).start - span(profile, b).start);
    let current: PlannedRead | undefined;
    for (const point of sorted) {
      const { start, count } = span(profile, point);
      const end = start + count;
      if (
        current &&
        !options.onePerPoint &&
        start - (current.start + current.length) <= maxGap &&
        end - current.start <= limit
      ) {
        current.length = Math.max(current.length, end - current.start);
        current.points.push({ point, at: start - current.start });
      } else {
        current = { table, start, length: count, points: [{ point, at: 0 }] };
        plans.push(current);
      }
    }
  }
  return plans;
}
