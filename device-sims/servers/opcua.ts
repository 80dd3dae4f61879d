import { join } from 'node:path';
import {
  DataType,
  DataValue,
  OPCUACertificateManager,
  OPCUAServer,
  type StatusCode,
  StatusCodes,
  standardUnits,
  type UAObject,
  Variant,
} from 'node-opcua';
import type { Logger } from '../../core/log.ts';
import type { OpcuaPoint, OpcuaProfile } from '../../core/profiles/profileSchema.ts';
import type { DeviceFaults } from '../faults.ts';
import type { BuildingModel } from '../physics/building.ts';
import type { HvacMode, ZoneModel } from '../physics/zone.ts';

const units: Record<string, (typeof standardUnits)[keyof typeof standardUnits]> = {
  '°C': standardUnits.degree_celsius,
  W: standardUnits.watt,
};

const dataTypes: Record<OpcuaPoint['data_type'], DataType> = {
  Boolean: DataType.Boolean,
  Int32: DataType.Int32,
  Double: DataType.Double,
  String: DataType.String,
};

/** A zone AC unit's value for profile point `id`, and its write. */
export function zoneSignal(
  zone: ZoneModel,
  id: string,
): { get(): boolean | number | string; set?(v: unknown): boolean } {
  const h = zone.hvac;
  switch (id) {
    case 'on_off':
      return {
        get: () => h.on,
        set: (v) => {
          h.on = v === true;
          // A central controller switching the unit takes it over: its own time switch stops
          // (the "central control" lock of VRF and FCU controllers).
          zone.timeSwitch = false;
          return true;
        },
      };
    case 'mode':
      return {
        get: () => h.mode,
        set: (v) => {
          if (!['cool', 'heat', 'fan', 'auto'].includes(String(v))) return false;
          h.mode = v as HvacMode;
          return true;
        },
      };
    case 'cooling_setpoint':
      return {
        get: () => h.coolingSetpoint,
        set: (v) => {
          h.coolingSetpoint = Number(v);
          return true;
        },
      };
    case 'heating_setpoint':
      return {
        get: () => h.heatingSetpoint,
        set: (v) => {
          h.heatingSetpoint = Number(v);
          return true;
        },
      };
    case 'fan_speed':
      return {
        get: () => h.fan,
        set: (v) => {
          if (v !== 1 && v !== 2 && v !== 3) return false;
          h.fan = v;
          return true;
        },
      };
    case 'zone_temperature':
      return { get: () => zone.temperature };
    case 'electric_power':
      return { get: () => zone.last.hvacPower };
    case 'thermal_output':
      return { get: () => zone.last.hvacThermal };
    case 'status':
      return {
        get: () =>
          !h.on
            ? 'off'
            : zone.last.hvacThermal > 0
              ? 'cooling'
              : zone.last.hvacThermal < 0
                ? 'heating'
                : 'fan',
      };
    default:
      return { get: () => 0 };
  }
}

/**
 * The compound's HVAC on OPC UA (node-opcua): Objects/Buildings/<building>/<zone> with the
 * variables of the HVAC node-map profile — setpoints as AnalogItems with EURange and units,
 * writable on/off, mode, setpoints and fan speed, read-only temperature, power and status.
 * Offers security None, Sign and SignAndEncrypt; certificates live under `pkiDir`.
 */
export class OpcuaSimServer {
  private server: OPCUAServer | undefined;
  writes = 0;

  constructor(
    private readonly options: {
      port: number;
      host: string;
      profile: OpcuaProfile;
      buildings: BuildingModel[];
      pkiDir: string;
      log: Logger;
      /** Brings the simulation up to now before a value is read or written. */
      beforeAccess: () => void;
      /**
       * The simulation's clock (ms): a value's source timestamp. node-opcua stamps a plain getter's
       * value with the host's time, which an accelerated or manual clock is not — the gateway takes
       * the source time as the reading's, so the units' readings were hours (at --speed 60) or
       * months (a test's ManualClock) away from every meter's. Default: the host's time.
       */
      now?: () => number;
      /** The fault state of unit `building.zone` (ignore_writes, refuse_writes), if it has one. */
      faultsOf?: (object: string) => DeviceFaults | undefined;
    },
  ) {}

  get endpointUrl(): string {
    return `opc.tcp://${this.options.host}:${this.options.port}/jieneng`;
  }

  async start(): Promise<void> {
    const { port, host, pkiDir } = this.options;
    const serverCertificateManager = new OPCUACertificateManager({
      rootFolder: join(pkiDir, 'server'),
      automaticallyAcceptUnknownCertificate: true,
    });
    const userCertificateManager = new OPCUACertificateManager({
      rootFolder: join(pkiDir, 'user'),
      automaticallyAcceptUnknownCertificate: true,
    });
    const server = new OPCUAServer({
      port,
      host,
      hostname: host,
      resourcePath: '/jieneng',
      buildInfo: {
        productName: 'jieneng device-sims',
        manufacturerName: 'jieneng',
        softwareVersion: '0.1.0',
      },
      serverCertificateManager,
      userCertificateManager,
    });
    await server.initialize();
    this.build(server);
    await server.start();
    this.server = server;
    this.options.log.info('opcua sim listening', { endpoint: this.endpointUrl });
  }

  private build(server: OPCUAServer): void {
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('OPC UA address space not initialised');
    const ns = addressSpace.registerNamespace(this.options.profile.namespace);
    const folder = ns.addFolder(addressSpace.rootFolder.objects, {
      browseName: 'Buildings',
      nodeId: 's=Buildings',
    });
    for (const b of this.options.buildings) {
      const bObj = ns.addObject({
        organizedBy: folder,
        browseName: b.spec.id,
        displayName: b.spec.name ?? b.spec.id,
        nodeId: `s=${b.spec.id}`,
      });
      for (const zone of b.zones) {
        const object = `${b.spec.id}.${zone.spec.id}`;
        const zObj = ns.addObject({
          componentOf: bObj,
          browseName: zone.spec.id,
          displayName: zone.spec.name ?? zone.spec.id,
          nodeId: `s=${object}`,
        });
        for (const point of this.options.profile.points)
          this.addVariable(ns, zObj, object, point, zoneSignal(zone, point.id));
      }
    }
  }

  private addVariable(
    ns: ReturnType<NonNullable<OPCUAServer['engine']['addressSpace']>['registerNamespace']>,
    parent: UAObject,
    object: string,
    point: OpcuaPoint,
    signal: ReturnType<typeof zoneSignal>,
  ): void {
    const dataType = dataTypes[point.data_type];
    const writable = point.access === 'read_write' && signal.set !== undefined;
    const now = this.options.now ?? Date.now;
    const write = (variant: Variant): StatusCode => {
      this.options.beforeAccess();
      const v = variant.value as unknown;
      if (point.min !== undefined && typeof v === 'number' && v < point.min) return StatusCodes.BadOutOfRange;
      if (point.max !== undefined && typeof v === 'number' && v > point.max) return StatusCodes.BadOutOfRange;
      const faults = this.options.faultsOf?.(object);
      if (faults?.refuseWrites !== undefined) return StatusCodes.BadDeviceFailure;
      if (faults?.ignoreWrites) {
        // Acknowledged as a healthy unit does, and nothing changes (ignore_writes).
        this.options.log.info('device write ignored (fault)', {
          node: `${object}.${point.browse_name}`,
          value: String(v),
        });
        return StatusCodes.Good;
      }
      if (!signal.set?.(v)) return StatusCodes.BadOutOfRange;
      this.writes++;
      this.options.log.info('device written', { node: `${object}.${point.browse_name}`, value: String(v) });
      return StatusCodes.Good;
    };
    // Stamped with the simulation's time (see `now`).
    const value = {
      timestamped_get: () => {
        this.options.beforeAccess();
        return new DataValue({
          value: new Variant({ dataType, value: signal.get() }),
          statusCode: StatusCodes.Good,
          sourceTimestamp: new Date(now()),
        });
      },
      timestamped_set: (dv: DataValue, callback: (err: Error | null, status?: StatusCode) => void) =>
        callback(null, write(dv.value)),
    };
    const common = {
      componentOf: parent,
      browseName: point.browse_name,
      displayName: point.name,
      // A point without a node template gets a numeric NodeId: clients find it by its browse name.
      ...(point.node === undefined ? {} : { nodeId: `s=${point.node.replace('{object}', object)}` }),
      dataType: point.data_type,
      accessLevel: writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      userAccessLevel: writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      minimumSamplingInterval: 100,
      value,
    };
    const unit = point.unit ? units[point.unit] : undefined;
    if (point.data_type === 'Double' && (unit || point.min !== undefined)) {
      ns.addAnalogDataItem({
        ...common,
        ...(unit ? { engineeringUnits: unit } : {}),
        engineeringUnitsRange: { low: point.min ?? -1e9, high: point.max ?? 1e9 },
      });
    } else {
      ns.addVariable(common);
    }
  }

  /** Monitored items all client sessions hold on this server right now. */
  monitoredItemCount(): number {
    return (this.server?.engine.getSessions() ?? []).reduce(
      (n, session) => n + session.currentMonitoredItemCount,
      0,
    );
  }

  /** Stops and starts the server on the same port, as a device reboot does (fault injection). */
  async restart(downtimeMs = 0): Promise<void> {
    await this.stop();
    this.options.log.info('opcua sim restarting', { downtime_ms: downtimeMs });
    if (downtimeMs > 0) await new Promise((r) => setTimeout(r, downtimeMs));
    await this.start();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.shutdown(0);
  }
}
