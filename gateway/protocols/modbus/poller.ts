import type { Clock } from '../../../core/clock.ts';
import type { Command, CommandResult } from '../../../core/commands.ts';
import type { ModbusConnection } from '../../../core/config/siteSchema.ts';
import { errorText, JnError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/log.ts';
import type { DeviceProfile, ModbusPoint, ModbusProfile } from '../../../core/profiles/profileSchema.ts';
import type { Reading } from '../../../core/telemetry.ts';
import type { AvailabilitySink } from '../../deviceAvailability.ts';
import type { GatewayMetrics } from '../../metrics.ts';
import { badReading, readingOf } from '../../readings.ts';
import { retryDelay } from '../../retry.ts';
import { clientFor, type ModbusClient, type WriteTarget } from './client.ts';
import { decodePlanned, decodePoint } from './decode.ts';
import { type PlannedRead, planReads } from './plan.ts';
import {
  type DeviceCounters,
  type PollClass,
  type PolledDevice,
  polledDevice,
  requestKey,
  watches,
} from './polledDevice.ts';

export { type DeviceCounters, planOptions } from './polledDevice.ts';

/** Errors that mean the device did not answer at all (as opposed to a Modbus exception, which is an answer). */
function noAnswer(err: unknown): boolean {
  return err instanceof JnError && (err.code === 'device_no_reply' || err.code === 'device_unreachable');
}

/**
 * Polls the devices of one Modbus connection (TCP, or one RS-485 bus), one request at a time, each device at its own
 * interval, and hands every cycle's readings to `emit`. A failed request yields bad-quality
 * readings with the reason, so a dead device is visible rather than silent.
 */
export class ConnectionPoller {
  private readonly client: ModbusClient;
  private readonly devices: PolledDevice[];
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Earliest time the next silent device may be tried (see deferProbe), and the spacing of those tries. */
  private nextProbeAt = 0;
  private readonly probeSpacing: number;
  private readonly commands: {
    command: Command;
    point: ModbusPoint;
    target: WriteTarget;
    resolve: (r: CommandResult) => void;
  }[] = [];

  constructor(
    private readonly ctx: {
      connection: ModbusConnection;
      profiles: Map<string, DeviceProfile>;
      clock: Clock;
      log: Logger;
      emit: (readings: Reading[]) => void;
      metrics?: GatewayMetrics;
      /** Told whether each device answers (logs each outage once each way; the retained topic). */
      availability?: AvailabilitySink;
    },
  ) {
    const conn = ctx.connection;
    this.client = clientFor(conn);
    this.devices = conn.devices.flatMap((config) => {
      const profile = ctx.profiles.get(config.profile);
      // loadSite rejects a non-Modbus profile on a Modbus connection; this only narrows the type.
      return profile?.protocol === 'modbus' ? [polledDevice(conn.protocol, config, profile)] : [];
    });
    this.probeSpacing = Math.min(...conn.devices.map((d) => d.poll_interval));
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
    for (let c = this.commands.shift(); c; c = this.commands.shift()) {
      const { command } = c;
      c.resolve({
        id: command.id,
        device: command.device,
        point: command.point,
        requested: command.value,
        status: 'failed',
        reason: 'gateway stopping; not written',
        at: new Date(this.ctx.clock.now()).toISOString(),
      });
    }
    clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    this.client.close();
  }

  /** A device of this connection with its profile (for validating commands). */
  device(id: string): { profile: ModbusProfile; ref: string } | undefined {
    const d = this.devices.find((x) => x.config.id === id);
    return d && { profile: d.profile, ref: d.config.profile };
  }

  /** Device ids this poller serves. */
  deviceIds(): string[] {
    return this.devices.map((d) => d.config.id);
  }

  /**
   * Queues a validated write; it runs ahead of the next poll request on this connection, then the
   * point is read back. Resolves with the outcome.
   */
  execute(command: Command, point: ModbusPoint, target: WriteTarget): Promise<CommandResult> {
    return new Promise((resolve) => {
      this.commands.push({ command, point, target, resolve });
      this.wake?.();
    });
  }

  private async runCommands(): Promise<void> {
    for (let next = this.commands.shift(); next; next = this.commands.shift()) {
      const { command, point, target, resolve } = next;
      const at = () => new Date(this.ctx.clock.now()).toISOString();
      const base = { id: command.id, device: command.device, point: command.point, requested: command.value };
      const dev = this.devices.find((d) => d.config.id === command.device);
      if (!dev) {
        resolve({
          ...base,
          status: 'rejected',
          reason: `device "${command.device}" is not on this connection`,
          at: at(),
        });
        continue;
      }
      try {
        await this.client.write(dev.config.unit_id, target);
      } catch (err) {
        resolve({ ...base, status: 'failed', reason: errorText(err), at: at() });
        continue;
      }
      let readBack: number | null = null;
      let reason: string | undefined;
      try {
        const [plan] = planReads(dev.profile, [point]);
        if (plan) {
          const value = decodePoint(dev.profile, point, await this.client.read(dev.config.unit_id, plan), 0);
          readBack = typeof value === 'number' ? value : null;
        }
      } catch (err) {
        reason = `written, but the read-back failed: ${errorText(err)}`;
      }
      resolve({ ...base, status: 'written', read_back: readBack, ...(reason ? { reason } : {}), at: at() });
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.runCommands();
      const now = Date.now();
      const readings: Reading[] = [];
      for (const dev of this.devices) {
        await this.runCommands(); // writes jump ahead of the next poll
        const due = dev.classes.filter((c) => c.nextDue <= now);
        if (due.length === 0 || !this.running || this.deferProbe(dev, now)) continue;
        const { readings: got, answered } = await this.pollDevice(dev, due);
        readings.push(...got);
        this.schedule(dev, due, now, answered);
      }
      if (readings.length > 0) this.ctx.emit(readings);
      const next = Math.min(...this.devices.flatMap((d) => d.classes.map((c) => c.nextDue)));
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, Math.max(5, next - Date.now()));
      });
    }
  }

  /**
   * Whether a silent device's attempt waits for the next probe slot. An attempt at a silent device
   * may cost a whole timeout, so a connection makes at most one per its shortest poll interval:
   * twenty meters that lost power together (a panel on one RS-485 bus) are tried one after another
   * instead of all in one cycle every backoff, which would stall their neighbours for 20 timeouts.
   */
  private deferProbe(dev: PolledDevice, now: number): boolean {
    if (dev.failures === 0) return false;
    if (now >= this.nextProbeAt) {
      this.nextProbeAt = now + this.probeSpacing;
      return false;
    }
    for (const c of dev.classes) c.nextDue = Math.max(c.nextDue, this.nextProbeAt);
    dev.counters.next_attempt = new Date(this.nextProbeAt).toISOString();
    return true;
  }

  /**
   * Next poll of a device: its own period while it answers; after n cycles without an answer,
   * `retryDelay` (period × 2ⁿ up to max_retry_interval), so a dead device costs the others its
   * timeout once per attempt, not once per cycle, and a recovered one is read again within the cap.
   * Only the first request of an attempt is sent (`pollDevice`): the attempt is the probe.
   */
  private schedule(dev: PolledDevice, due: PollClass[], now: number, answered: boolean): void {
    if (answered) {
      dev.failures = 0;
      for (const c of due) c.nextDue = Math.max(c.nextDue + c.period, now);
      delete dev.counters.consecutive_failures;
      delete dev.counters.next_attempt;
      return;
    }
    dev.failures++;
    const retry = now + retryDelay(dev.config.poll_interval, dev.failures, dev.config.max_retry_interval);
    // A silent device is retried as a whole: every class waits for the backoff.
    for (const c of dev.classes) c.nextDue = Math.max(c.nextDue, retry);
    dev.counters.consecutive_failures = dev.failures;
    dev.counters.next_attempt = new Date(retry).toISOString();
  }

  private async pollDevice(
    dev: PolledDevice,
    due: PollClass[],
  ): Promise<{ readings: Reading[]; answered: boolean }> {
    const out: Reading[] = [];
    let silent: string | undefined;
    for (const plan of due.flatMap((c) => c.plans)) {
      if (silent !== undefined) {
        // It did not answer the previous request of this cycle: do not spend another timeout on it.
        out.push(...this.badReadings(dev, plan, `skipped: no answer to the previous request (${silent})`));
        continue;
      }
      dev.counters.requests++;
      const started = performance.now();
      try {
        const data = await this.client.read(dev.config.unit_id, plan);
        this.ctx.metrics?.observe(
          dev.config.id,
          'ok',
          (performance.now() - started) / 1000,
          this.ctx.clock.now(),
        );
        const ts = new Date(this.ctx.clock.now()).toISOString();
        for (const v of decodePlanned(dev.profile, plan, data)) {
          const reading = readingOf(dev.config.id, v, ts);
          out.push(dev.stale && watches(dev, plan, v.point) ? dev.stale.check(reading) : reading);
        }
        dev.counters.last_success = ts;
        dev.failing.delete(requestKey(plan));
      } catch (err) {
        dev.counters.errors++;
        this.ctx.metrics?.observe(
          dev.config.id,
          noAnswer(err) ? 'no_reply' : 'exception',
          (performance.now() - started) / 1000,
          this.ctx.clock.now(),
        );
        const reason = errorText(err);
        dev.counters.last_error = reason;
        out.push(...this.badReadings(dev, plan, reason));
        if (noAnswer(err)) silent = reason;
        else this.logException(dev, plan, reason);
      }
    }
    // Silence is an outage (logged by the tracker, once each way); an exception is an answer.
    if (silent === undefined) this.ctx.availability?.up(dev.config.id);
    else this.ctx.availability?.down(dev.config.id, silent);
    return { readings: out, answered: silent === undefined };
  }

  /** A Modbus exception is logged when it starts or changes, not every cycle it persists. */
  private logException(dev: PolledDevice, plan: PlannedRead, reason: string): void {
    const key = requestKey(plan);
    if (dev.failing.get(key) === reason) return;
    dev.failing.set(key, reason);
    this.ctx.log.warn('device read failed', { device: dev.config.id, reason });
  }

  private badReadings(dev: PolledDevice, plan: PlannedRead, reason: string): Reading[] {
    const ts = new Date(this.ctx.clock.now()).toISOString();
    return plan.points
      .filter(({ point }) => point.type !== 'string')
      .map(({ point }) => badReading(dev.config.id, { point: point.id, unit: point.unit }, ts, reason));
  }
}
