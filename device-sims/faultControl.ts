import { JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { DeviceFaults as Faults } from './faults.ts';
import type { Simulation } from './physics/simulation.ts';
import { type DeviceFault, opcuaUnitFaultKinds, type ScheduledFault } from './scenario/schema.ts';

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
    private readonly devices: Map<string, { faults: Faults }>,
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

  /** Fault state of the OPC UA zone units (`building.zone`), made when a fault first hits one. */
  private readonly units = new Map<string, Faults>();

  /** Zone units of the OPC UA server, `building.zone`; set once it runs. */
  opcuaUnits: readonly string[] = [];

  /** The fault state of OPC UA unit `building.zone`, if a fault ever hit it (the server asks on every write). */
  unitFaults(object: string): Faults | undefined {
    return this.units.get(object);
  }

  private faultsOf(device: string, kind?: DeviceFault['kind']): Faults {
    const d = this.devices.get(device);
    if (d) return d.faults;
    if (this.opcuaUnits.includes(device)) {
      if (kind !== undefined && !(opcuaUnitFaultKinds as readonly string[]).includes(kind))
        throw new JnError(
          'invalid_input',
          `OPC UA unit "${device}" takes the faults ${opcuaUnitFaultKinds.join(', ')}, not ${kind} (a server restart is opcua_restart)`,
        );
      let f = this.units.get(device);
      if (!f) {
        f = new Faults(new Set());
        this.units.set(device, f);
      }
      return f;
    }
    throw new JnError(
      'not_found',
      `no simulated device "${device}"; devices are: ${this.names().join(', ')}`,
    );
  }

  /** Every device a fault can hit: the Modbus devices, then the OPC UA units (`building.zone`). */
  names(): string[] {
    return [...this.devices.keys(), ...this.opcuaUnits];
  }

  /** The lasting faults of each device that has any. */
  active(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [id, d] of this.devices) if (d.faults.active().length > 0) out[id] = d.faults.active();
    for (const [id, f] of this.units) if (f.active().length > 0) out[id] = f.active();
    return out;
  }

  inject(device: string, fault: DeviceFault): void {
    this.faultsOf(device, fault.kind).inject(fault);
    this.log.info('fault injected', { device, fault: fault.kind });
  }

  clear(device: string, kind?: DeviceFault['kind']): void {
    this.faultsOf(device, kind).clear(kind);
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
