import type { Clock } from '../core/clock.ts';
import type { ConnectionConfig, DeviceConfig } from '../core/config/siteSchema.ts';
import { errorText } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { DeviceProfile, ModbusProfile } from '../core/profiles/profileSchema.ts';
import type { Reading } from '../core/telemetry.ts';
import type { FieldConnection } from './protocols/driver.ts';
import { driverFor } from './protocols/index.ts';
import { decodePlanned } from './protocols/modbus/decode.ts';
import { type PlannedRead, planReads } from './protocols/modbus/plan.ts';
import { readingOf } from './readings.ts';

export interface DeviceCounters {
  requests: number;
  errors: number;
  last_success?: string;
  last_error?: string;
}

interface PolledDevice {
  config: DeviceConfig;
  profile: ModbusProfile;
  plans: PlannedRead[];
  nextDue: number;
  counters: DeviceCounters;
}

/**
 * Polls the devices of one Modbus TCP connection, one request at a time, each device at its own
 * interval, and hands every cycle's readings to `emit`. A failed request yields bad-quality
 * readings with the reason, so a dead device is visible rather than silent.
 */
export class ConnectionPoller {
  private readonly client: FieldConnection;
  private readonly devices: PolledDevice[];
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly ctx: {
      connection: ConnectionConfig;
      profiles: Map<string, DeviceProfile>;
      clock: Clock;
      log: Logger;
      emit: (readings: Reading[]) => void;
    },
  ) {
    const conn = ctx.connection;
    this.client = driverFor(conn.protocol).connect(conn);
    this.devices = conn.devices.flatMap((config) => {
      const profile = ctx.profiles.get(config.profile);
      // loadSite rejects a non-Modbus profile on a Modbus connection; this only narrows the type.
      if (profile?.protocol !== 'modbus') return [];
      const readable = profile.points.filter((p) => p.type !== 'string');
      return [
        {
          config,
          profile,
          plans: planReads(profile, readable),
          nextDue: 0,
          counters: { requests: 0, errors: 0 },
        },
      ];
    });
  }

  counters(): Record<string, DeviceCounters> {
    return Object.fromEntries(this.devices.map((d) => [d.config.id, { ...d.counters }]));
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    this.client.close();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const now = Date.now();
      const readings: Reading[] = [];
      for (const dev of this.devices) {
        if (dev.nextDue > now || !this.running) continue;
        dev.nextDue = Math.max(dev.nextDue + dev.config.poll_interval, now);
        readings.push(...(await this.pollDevice(dev)));
      }
      if (readings.length > 0) this.ctx.emit(readings);
      const next = Math.min(...this.devices.map((d) => d.nextDue));
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, Math.max(5, next - Date.now()));
      });
    }
  }

  private async pollDevice(dev: PolledDevice): Promise<Reading[]> {
    const out: Reading[] = [];
    for (const plan of dev.plans) {
      dev.counters.requests++;
      try {
        const data = await this.client.read(dev.config.unit_id, plan);
        const ts = new Date(this.ctx.clock.now()).toISOString();
        for (const v of decodePlanned(dev.profile, plan, data)) out.push(readingOf(dev.config.id, v, ts));
        dev.counters.last_success = ts;
      } catch (err) {
        dev.counters.errors++;
        const ts = new Date(this.ctx.clock.now()).toISOString();
        const reason = errorText(err);
        if (dev.counters.last_error !== reason)
          this.ctx.log.warn('device read failed', { device: dev.config.id, reason });
        dev.counters.last_error = reason;
        for (const { point } of plan.points) {
          if (point.type === 'string') continue;
          out.push({
            device: dev.config.id,
            point: point.id,
            value: null,
            ...(point.unit ? { unit: point.unit } : {}),
            ts,
            quality: 'bad',
            reason,
          });
        }
      }
    }
    return out;
  }
}
