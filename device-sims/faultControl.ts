import { JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { DeviceFaults } from './faults.ts';
import type { Simulation } from './physics/simulation.ts';
import type { DeviceFault, ScheduledFault } from './scenario/schema.ts';

/**
 * Fault injection for a running simulation: from tests (`inject`, `clear`, `leak`) and from the
 * scenario's `faults:` schedule, applied as simulated time passes their `at` and `until`.
 */
export class FaultControl {
  private readonly schedule: {
    entry: ScheduledFault;
    at: number;
    until: number | undefined;
    state: 'waiting' | 'active' | 'done';
  }[];

  constructor(
    private readonly devices: Map<string, { faults: DeviceFaults }>,
    private readonly sim: Simulation,
    private readonly log: Logger,
    schedule: readonly ScheduledFault[],
  ) {
    this.schedule = schedule.map((entry) => ({
      entry,
      at: Date.parse(entry.at),
      until: entry.until === undefined ? undefined : Date.parse(entry.until),
      state: 'waiting' as const,
    }));
  }

  private faultsOf(device: string): DeviceFaults {
    const d = this.devices.get(device);
    if (!d)
      throw new JnError(
        'not_found',
        `no simulated device "${device}"; devices are: ${[...this.devices.keys()].join(', ')}`,
      );
    return d.faults;
  }

  inject(device: string, fault: DeviceFault): void {
    this.faultsOf(device).inject(fault);
    this.log.info('fault injected', { device, fault: fault.kind });
  }

  clear(device: string, kind?: DeviceFault['kind']): void {
    this.faultsOf(device).clear(kind);
    this.log.info('fault cleared', { device, fault: kind ?? 'all' });
  }

  /** Starts (flow > 0) or stops (0) a leak in a building's water supply, m³/h. */
  leak(building: string, flow: number): void {
    const b = this.sim.building(building);
    if (!b) throw new JnError('not_found', `no simulated building "${building}"`);
    b.leak = flow;
    this.log.info('leak', { building, flow });
  }

  /** Set once the OPC UA server runs: the server-restart fault. */
  opcuaRestart: ((downtimeMs: number) => Promise<void>) | undefined;

  /** Applies the scheduled faults due by the simulation's current time. */
  tick(): void {
    const now = this.sim.time;
    for (const s of this.schedule) {
      const { entry } = s;
      if (s.state === 'waiting' && now >= s.at) {
        if (entry.device && entry.fault) this.inject(entry.device, entry.fault);
        if (entry.building && entry.leak) this.leak(entry.building, entry.leak);
        if (entry.opcua_restart !== undefined) {
          this.opcuaRestart?.(entry.opcua_restart * 1000).catch((err: unknown) =>
            this.log.error('opcua restart failed', { error: String(err) }),
          );
        }
        s.state = 'active';
      }
      if (s.state === 'active' && s.until !== undefined && now >= s.until) {
        if (entry.device && entry.fault) this.clear(entry.device, entry.fault.kind);
        if (entry.building) this.leak(entry.building, 0);
        s.state = 'done';
      }
    }
  }
}
