import { EventEmitter } from 'node:events';
import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import type { Logger } from '../core/log.ts';
import type { ServiceStatus } from '../core/status.ts';
import { ElectricityMeterModel } from './models/electricityMeter.ts';
import { ModbusTcpSimServer, type SimulatedModbusDevice } from './servers/modbusTcp.ts';
import type { ServedValue } from './servers/registerImage.ts';

export interface Sims extends EventEmitter<{ served: [ServedValue[]] }> {
  status(): ServiceStatus;
  stop(): Promise<void>;
}

/**
 * Starts a simulated device for every device of the site, on the host, port and unit id the site
 * file gives, speaking the device's profile. (#3 replaces the per-device models with the
 * simulated building of a scenario file.)
 */
export async function startSims(ctx: { site: LoadedSite; clock: Clock; log: Logger }): Promise<Sims> {
  const events = new EventEmitter<{ served: [ServedValue[]] }>();
  const servers: ModbusTcpSimServer[] = [];
  const timeZone = ctx.site.config.site.timezone;
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    for (const gw of ctx.site.config.gateways) {
      for (const conn of gw.connections) {
        const devices: SimulatedModbusDevice[] = conn.devices.flatMap((dev) => {
          const profile = ctx.site.profiles.get(dev.profile);
          if (!profile) return [];
          const model = new ElectricityMeterModel({ seed: dev.id, clock: ctx.clock, timeZone });
          return [{ id: dev.id, unitId: dev.unit_id, profile, read: () => model.read() }];
        });
        const server = new ModbusTcpSimServer({ host: conn.host, port: conn.port, devices, log: ctx.log });
        server.on('served', (served) => events.emit('served', served));
        await server.start();
        servers.push(server);
      }
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return Object.assign(events, {
    status: (): ServiceStatus => ({
      state: 'running',
      detail: { servers: servers.length, requests: servers.reduce((n, s) => n + s.requests, 0) },
    }),
    stop: stopAll,
  });
}
