import type { DeviceConfig } from '../../../core/config/siteSchema.ts';
import type { ModbusProfile } from '../../../core/profiles/profileSchema.ts';
import { StaleTracker } from '../../stale.ts';
import { MAX_REGISTERS, type PlannedRead, type PlanOptions, planReads } from './plan.ts';

export interface DeviceCounters {
  requests: number;
  errors: number;
  /** Consecutive cycles without an answer; each doubles the wait before the next attempt. */
  consecutive_failures?: number;
  next_attempt?: string;
  last_success?: string;
  last_error?: string;
}

/** Points of a device read at one period: the fast class (poll_interval) or the slow one. */
export interface PollClass {
  name: 'fast' | 'slow';
  plans: PlannedRead[];
  period: number;
  nextDue: number;
}

export interface PolledDevice {
  config: DeviceConfig;
  profile: ModbusProfile;
  classes: PollClass[];
  counters: DeviceCounters;
  /** Consecutive cycles in which the device did not answer. */
  failures: number;
  stale: StaleTracker | undefined;
  /** Exceptions logged, by request (table+start), until that request reads again: one line per fault. */
  failing: Map<string, string>;
}

/**
 * How far to read through unused registers. Over TCP a request costs a round trip while extra
 * registers cost next to nothing, so the fewest requests win (read through anything within the
 * 125-register limit). On RS-485 every register costs two characters of bus time, about what a
 * request's framing and turnaround cost for 8–16 registers, so reading through stops there.
 */
export function planOptions(protocol: string, device?: DeviceConfig): PlanOptions {
  const options: PlanOptions = {
    maxGap: device?.max_gap ?? (protocol === 'modbus_tcp' ? MAX_REGISTERS : 16),
    onePerPoint: device?.one_request_per_point ?? false,
  };
  if (device?.max_registers_per_request !== undefined)
    options.maxRegisters = device.max_registers_per_request;
  return options;
}

/** Whether a device's stale check covers this point: its stale_points, else moving values. */
export function watches(dev: PolledDevice, plan: PlannedRead, pointId: string): boolean {
  const listed = dev.config.stale_points;
  if (listed) return listed.includes(pointId);
  const role = plan.points.find((x) => x.point.id === pointId)?.point.role;
  return role !== undefined && StaleTracker.applies(role);
}

/** One request of a device's plan, for telling its faults apart. */
export function requestKey(plan: PlannedRead): string {
  return `${plan.table}:${plan.start}+${plan.length}`;
}

/** A device of a polled connection: its request plan per poll class, counters and trackers. */
export function polledDevice(protocol: string, config: DeviceConfig, profile: ModbusProfile): PolledDevice {
  const readable = profile.points.filter((p) => p.type !== 'string');
  const options = planOptions(protocol, config);
  const slow = new Set(config.slow_points);
  const classes: PollClass[] = [
    {
      name: 'fast',
      plans: planReads(
        profile,
        readable.filter((p) => !slow.has(p.id)),
        options,
      ),
      period: config.poll_interval,
      nextDue: 0,
    },
    {
      name: 'slow',
      plans: planReads(
        profile,
        readable.filter((p) => slow.has(p.id)),
        options,
      ),
      period: config.slow_poll_interval,
      nextDue: 0,
    },
  ];
  return {
    config,
    profile,
    classes: classes.filter((c) => c.plans.length > 0),
    failures: 0,
    counters: { requests: 0, errors: 0 },
    stale: config.stale_after === undefined ? undefined : new StaleTracker(config.stale_after),
    failing: new Map(),
  };
}
