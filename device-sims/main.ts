import { EventEmitter } from 'node:events';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { ModbusProfile } from '../core/profiles/profileSchema.ts';
import type { ServiceStatus } from '../core/status.ts';
import { createSimDevice } from './devices/adapters.ts';
import { FaultControl } from './faultControl.ts';
import { withFaults } from './faults.ts';
import { Simulation } from './physics/simulation.ts';
import type { LoadedScenario } from './scenario/load.ts';
import { ModbusTcpSimServer, type ServedDevice } from './servers/modbusTcp.ts';
import type { ServedValue } from './servers/registerImage.ts';

export interface Endpoint {
  device: string;
  protocol: 'modbus_tcp';
  address: string;
  unitId: number;
  profile: string;
}

export interface Sims extends EventEmitter<{ served: [ServedValue[]] }> {
  simulation: Simulation;
  devices: Map<string, ServedDevice>;
  faults: FaultControl;
  /** Where each simulated device answers. */
  endpoints: Endpoint[];
  status(): ServiceStatus;
  stop(): Promise<void>;
}

/**
 * Starts the simulated compound of a scenario: the physics, advanced to the clock on every read,
 * and a Modbus TCP server on each port the scenario's devices answer on (bound to `host`,
 * 127.0.0.1 by default).
 */
export async function startSims(ctx: {
  scenario: LoadedScenario;
  clock: Clock;
  log: Logger;
  host?: string;
}): Promise<Sims> {
  const { scenario, clock, log } = ctx;
  const host = ctx.host ?? '127.0.0.1';
  const simulation = new Simulation(scenario.scenario, clock.now());
  const devices = new Map<string, ReturnType<typeof withFaults>>();
  const faults = new FaultControl(devices, simulation, log, scenario.scenario.faults);
  const advance = () => {
    simulation.advanceTo(clock.now());
    faults.tick();
  };
  const byPort = new Map<number, ServedDevice[]>();
  for (const spec of scenario.scenario.devices) {
    const profile = scenario.profiles.get(spec.profile) as ModbusProfile;
    const device = withFaults(createSimDevice({ spec, profile, sim: simulation, advance }));
    devices.set(spec.id, device);
    byPort.set(spec.modbus.port, [...(byPort.get(spec.modbus.port) ?? []), device]);
  }
  const events = new EventEmitter<{ served: [ServedValue[]] }>();
  const servers: ModbusTcpSimServer[] = [];
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    for (const [port, list] of byPort) {
      const server = new ModbusTcpSimServer({ host, port, devices: list, log, beforeRequest: advance });
      server.on('served', (served) => events.emit('served', served));
      await server.start();
      servers.push(server);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  const endpoints: Endpoint[] = scenario.scenario.devices.map((d) => ({
    device: d.id,
    protocol: 'modbus_tcp',
    address: `${host}:${d.modbus.port}`,
    unitId: d.modbus.unit_id,
    profile: d.profile,
  }));
  return Object.assign(events, {
    simulation,
    devices,
    faults,
    endpoints,
    status: (): ServiceStatus => ({
      state: 'running',
      detail: {
        simulated_time: new Date(simulation.time).toISOString(),
        servers: servers.length,
        requests: servers.reduce((n, s) => n + s.requests, 0),
      },
    }),
    stop: stopAll,
  });
}
