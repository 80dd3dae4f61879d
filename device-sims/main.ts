import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { ModbusProfile, OpcuaProfile } from '../core/profiles/profileSchema.ts';
import type { ServiceStatus } from '../core/status.ts';
import { createSimDevice } from './devices/adapters.ts';
import { FaultControl } from './faultControl.ts';
import { withFaults } from './faults.ts';
import { Simulation } from './physics/simulation.ts';
import type { LoadedScenario } from './scenario/load.ts';
import { ModbusRtuSimServer } from './servers/modbusRtu.ts';
import { ModbusTcpSimServer } from './servers/modbusTcp.ts';
import type { OpcuaSimServer } from './servers/opcua.ts';
import type { ServedValue } from './servers/registerImage.ts';
import type { ServedDevice } from './servers/slave.ts';
import { MAX_CATCH_UP_MS, readSnapshot, writeSnapshot } from './state.ts';

export interface Endpoint {
  device: string;
  protocol: 'modbus_tcp' | 'modbus_rtu' | 'opcua';
  address: string;
  unitId: number;
  profile: string;
}

export interface Sims extends EventEmitter<{ served: [ServedValue[]] }> {
  simulation: Simulation;
  /** The OPC UA server, when the scenario has one (`restart()` is the server-restart fault). */
  opcua: OpcuaSimServer | undefined;
  devices: Map<string, ServedDevice>;
  faults: FaultControl;
  /** Where each simulated device answers. */
  endpoints: Endpoint[];
  status(): ServiceStatus;
  stop(): Promise<void>;
}

/**
 * Starts the simulated compound of a scenario: the physics, advanced to the clock on every read,
 * a Modbus TCP server on each port the scenario's devices answer on (bound to `host`, 127.0.0.1
 * by default), and a Modbus RTU slave on a socat serial pair for each RS-485 bus.
 */
export async function startSims(ctx: {
  scenario: LoadedScenario;
  clock: Clock;
  log: Logger;
  host?: string;
  /** Where RS-485 buses' serial device links are made (default: a new temporary directory). */
  serialDir?: string;
  /** OPC UA certificate store (default: <tmp>/jieneng-opcua-pki, kept so certificates are made once). */
  pkiDir?: string;
  /** Where the meters' registers are kept across restarts (none: every start begins from the seed). */
  statePath?: string;
}): Promise<Sims> {
  const { scenario, clock, log } = ctx;
  const host = ctx.host ?? '127.0.0.1';
  const now = clock.now();
  const saved = ctx.statePath ? readSnapshot(ctx.statePath, scenario.scenario.name, log) : undefined;
  const resumeAt = saved && saved.time < now ? Math.max(saved.time, now - MAX_CATCH_UP_MS) : undefined;
  const simulation = new Simulation(scenario.scenario, resumeAt ?? now);
  if (saved && resumeAt !== undefined) {
    simulation.restoreCounters(saved);
    simulation.advanceTo(now); // the meters counted while the simulator was down
    log.info('simulator resumed', {
      from: new Date(saved.time).toISOString(),
      caught_up_hours: Math.round((now - resumeAt) / 360_000) / 10,
    });
  }
  const save = () => {
    if (ctx.statePath) writeSnapshot(ctx.statePath, simulation.snapshot());
  };
  const saver = ctx.statePath ? setInterval(save, 60_000) : undefined;
  saver?.unref();
  const devices = new Map<string, ReturnType<typeof withFaults>>();
  const faults = new FaultControl(devices, simulation, log, scenario.scenario.faults);
  const advance = () => {
    simulation.advanceTo(clock.now());
    faults.tick();
  };
  const byPort = new Map<number, ServedDevice[]>();
  const byBus = new Map<string, ServedDevice[]>();
  for (const spec of scenario.scenario.devices) {
    const profile = scenario.profiles.get(spec.profile) as ModbusProfile;
    const device = withFaults(createSimDevice({ spec, profile, sim: simulation, advance }));
    devices.set(spec.id, device);
    const { port, bus } = spec.modbus;
    if (port !== undefined) byPort.set(port, [...(byPort.get(port) ?? []), device]);
    if (bus !== undefined) byBus.set(bus, [...(byBus.get(bus) ?? []), device]);
  }
  const events = new EventEmitter<{ served: [ServedValue[]] }>();
  const servers: (ModbusTcpSimServer | ModbusRtuSimServer | OpcuaSimServer)[] = [];
  let opcua: OpcuaSimServer | undefined;
  const stopAll = async () => {
    clearInterval(saver);
    await Promise.all(servers.map((s) => s.stop()));
    save();
  };
  const serialDir = ctx.serialDir ?? (byBus.size > 0 ? mkdtempSync(join(tmpdir(), 'jieneng-rs485-')) : '');
  try {
    const start = async (server: ModbusTcpSimServer | ModbusRtuSimServer) => {
      server.slave.on('served', (served) => events.emit('served', served));
      servers.push(server);
      await server.start();
    };
    for (const [port, list] of byPort)
      await start(new ModbusTcpSimServer({ host, port, devices: list, log, beforeRequest: advance }));
    for (const bus of scenario.scenario.buses) {
      const list = byBus.get(bus.id) ?? [];
      if (list.length > 0)
        await start(
          new ModbusRtuSimServer({ bus, dir: serialDir, devices: list, log, beforeRequest: advance }),
        );
    }
    if (scenario.scenario.opcua) {
      const { port, profile } = scenario.scenario.opcua;
      // node-opcua is heavy to load (seconds); only scenarios with an OPC UA server pay for it.
      const { OpcuaSimServer } = await import('./servers/opcua.ts');
      opcua = new OpcuaSimServer({
        port,
        host,
        profile: scenario.profiles.get(profile) as OpcuaProfile,
        buildings: simulation.buildings,
        pkiDir: ctx.pkiDir ?? join(tmpdir(), 'jieneng-opcua-pki'),
        log,
        beforeAccess: advance,
        now: () => clock.now(),
        faultsOf: (object) => faults.unitFaults(object),
      });
      servers.push(opcua);
      await opcua.start();
      const server = opcua;
      faults.opcuaRestart = (ms) => server.restart(ms);
      faults.opcuaUnits = simulation.buildings.flatMap((b) =>
        b.zones.map((z) => `${b.spec.id}.${z.spec.id}`),
      );
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  const endpoints: Endpoint[] = scenario.scenario.devices.map((d) => {
    const bus = scenario.scenario.buses.find((b) => b.id === d.modbus.bus);
    return bus
      ? {
          device: d.id,
          protocol: 'modbus_rtu',
          address: `${join(serialDir, bus.id)} ${bus.baud} 8${bus.parity[0]?.toUpperCase()}${bus.stop_bits}`,
          unitId: d.modbus.unit_id,
          profile: d.profile,
        }
      : {
          device: d.id,
          protocol: 'modbus_tcp',
          address: `${host}:${d.modbus.port}`,
          unitId: d.modbus.unit_id,
          profile: d.profile,
        };
  });
  if (opcua)
    endpoints.push({
      device: 'hvac (all zones)',
      protocol: 'opcua',
      address: opcua.endpointUrl,
      unitId: 0,
      profile: scenario.scenario.opcua?.profile ?? '',
    });
  return Object.assign(events, {
    opcua,
    simulation,
    devices,
    faults,
    endpoints,
    status: (): ServiceStatus => ({
      state: 'running',
      detail: {
        simulated_time: new Date(simulation.time).toISOString(),
        servers: servers.length,
        modbus_requests: servers.reduce((n, s) => n + ('slave' in s ? s.slave.requests : 0), 0),
        modbus_writes: servers.reduce((n, s) => n + ('slave' in s ? s.slave.writes : 0), 0),
        opcua_writes: opcua?.writes ?? 0,
        rs485: Object.fromEntries(
          servers
            .filter((x) => x instanceof ModbusRtuSimServer)
            .map((x) => [
              x.options.bus.id,
              { wire_bytes: x.wireBytes, wire_frames: x.wireFrames, bits_per_char: x.bitsPerChar },
            ]),
        ),
      },
    }),
    stop: stopAll,
  });
}
