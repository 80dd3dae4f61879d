import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import type { MeterConfig } from '../core/config/siteSchema.ts';
import { errorText } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import {
  dailyConsumption,
  hourlyConsumption,
  localDayStarter,
  localHourStarter,
} from '../core/rollup/consumption.ts';
import type { RollupRow, Store, StoredReading } from '../core/store/store.ts';

const HOUR = 3_600_000;
/** How far before the first changed hour readings are read, to find the reading before a gap. */
const LOOKBACK = 24 * HOUR;
/**
 * Most of one meter's history a run recomputes; the rest waits for the next run. Keeps every run
 * bounded (a 1970 reading once made one run write 499,002 hours and froze the process for 15 s).
 */
const MAX_SPAN = 3 * 24 * HOUR;

export interface RollupCounters {
  runs: number;
  meters_recomputed: number;
  hours_written: number;
  days_written: number;
  raw_removed: number;
  errors: number;
  last_error?: string;
}

/**
 * Keeps the hourly and daily consumption rollups of every meter current: readings the collector
 * stored mark their meter dirty from their (source) time on, and every `intervalMs` the dirty
 * meters are recomputed from that hour — so late data (a gateway's spool replayed hours later)
 * recomputes exactly the hours and days it touches. The current hour is rewritten as it fills.
 * Also applies the raw-reading retention once an hour.
 */
export class RollupJob {
  private readonly dirty = new Map<string, number>();
  private readonly meters: Map<string, MeterConfig>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastRetention = 0;
  readonly counters: RollupCounters = {
    runs: 0,
    meters_recomputed: 0,
    hours_written: 0,
    days_written: 0,
    raw_removed: 0,
    errors: 0,
  };

  constructor(
    private readonly ctx: {
      site: LoadedSite;
      store: Store;
      clock: Clock;
      log: Logger;
      intervalMs?: number;
      /** Oldest time a run goes back to (ms before now): what the collector's accept window lets in. */
      maxAgeMs?: number;
    },
  ) {
    this.meters = new Map(ctx.site.config.meters.map((m) => [m.id, m]));
  }

  /** Notes stored readings: their meters need recomputing from their time on. */
  markDirty(readings: readonly StoredReading[]): void {
    // The collector tagged each meter's counter reading with its meter id (enrich.ts).
    for (const r of readings) {
      if (r.meter === undefined || !this.meters.has(r.meter)) continue;
      const prev = this.dirty.get(r.meter);
      if (prev === undefined || r.ts < prev) this.dirty.set(r.meter, r.ts);
    }
  }

  private mark(meter: string, from: number): void {
    const again = this.dirty.get(meter);
    this.dirty.set(meter, again === undefined ? from : Math.min(again, from));
  }

  /** Marks every meter dirty from `from` (start-up: catch up on what arrived while not running). */
  markAll(from: number): void {
    for (const id of this.meters.keys()) this.dirty.set(id, Math.min(this.dirty.get(id) ?? from, from));
  }

  start(): void {
    const every = this.ctx.intervalMs ?? 60_000;
    const tick = () => {
      this.running = this.runOnce().finally(() => {
        this.timer = setTimeout(tick, every);
      });
    };
    this.timer = setTimeout(tick, Math.min(every, 5_000));
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
  }

  /** Recomputes every dirty meter; a meter that fails stays dirty for the next run. */
  async runOnce(): Promise<void> {
    this.counters.runs++;
    const work = [...this.dirty.entries()];
    this.dirty.clear();
    const now = this.ctx.clock.now();
    const oldest = now - (this.ctx.maxAgeMs ?? 32 * 24 * HOUR);
    for (const [id, dirtyFrom] of work) {
      const meter = this.meters.get(id);
      if (!meter) continue;
      const from = Math.max(dirtyFrom, oldest);
      const to = from + MAX_SPAN;
      try {
        await this.recompute(meter, from, to);
        this.counters.meters_recomputed++;
        // The rest of a long backlog (a spool replayed days later): the next run goes on from there.
        if (to < now) this.mark(id, to);
      } catch (err) {
        this.counters.errors++;
        this.counters.last_error = `${id}: ${errorText(err)}`;
        this.ctx.log.warn('rollup failed; retried on the next run', { meter: id, error: errorText(err) });
        this.mark(id, from);
      }
      // One meter at a time: polling, ingest and the API go on between them.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (now - this.lastRetention >= HOUR) {
      this.lastRetention = now;
      try {
        this.counters.raw_removed += (await this.ctx.store.applyRetention(now)) ?? 0;
      } catch (err) {
        this.ctx.log.warn('raw retention failed', { error: errorText(err) });
      }
    }
  }

  /** Rewrites the meter's hours from `from` up to `to` (ms) and the days they touch. */
  private async recompute(meter: MeterConfig, from: number, to: number): Promise<void> {
    const timeZone = this.ctx.site.config.site.timezone;
    const hourStart = localHourStarter(timeZone);
    const fromHour = hourStart(from);
    const readings = await this.ctx.store.queryReadings({
      device: meter.device,
      point: meter.point,
      from: fromHour - LOOKBACK,
      to,
    });
    if (readings.length === 0) return;
    const result = hourlyConsumption(readings, {
      timeZone,
      rollover: meter.rollover,
      replacements: meter.replacements.map((r) => ({
        at: Date.parse(r.at),
        oldFinal: r.old_final,
        newInitial: r.new_initial,
      })),
    });
    // Rewritten: from the hour of the last reading before the changed time on (its interval into
    // the changed hours moves too). A reading more than LOOKBACK before that is not read: the
    // estimated share it would add to the first rewritten hour across such a long gap is left out.
    const before = readings.filter((r) => r.ts < fromHour).at(-1);
    const rewriteFrom = Math.min(fromHour, before ? hourStart(before.ts) : fromHour);
    const unit = readings.find((r) => r.unit !== undefined)?.unit;
    const tags: Partial<RollupRow> = { building: meter.building, category: meter.category, role: meter.role };
    if (meter.area !== undefined) tags.area = meter.area;
    if (meter.subitem !== undefined) tags.subitem = meter.subitem;
    if (unit !== undefined) tags.unit = unit;
    // The hour `to` falls in is rewritten by the next run, with the readings after `to` too.
    const lastHour = hourStart(to);
    const hours: RollupRow[] = result.hours
      .filter((h) => h.start >= rewriteFrom && (h.start < lastHour || to >= this.ctx.clock.now()))
      .map((h) => ({
        period: 'hour',
        meter: meter.id,
        start: h.start,
        value: h.value,
        estimated: h.estimated,
        ...tags,
      }));
    if (hours.length === 0) return;
    await this.ctx.store.writeRollups(hours);
    this.counters.hours_written += hours.length;
    // Days touched: summed again from every stored hour of the local day.
    const dayStart = localDayStarter(timeZone);
    const days = new Set(hours.map((h) => dayStart(h.start)));
    const rows: RollupRow[] = [];
    for (const start of days) {
      const stored = await this.ctx.store.queryRollups({
        period: 'hour',
        meter: meter.id,
        from: start,
        to: start + 24 * HOUR,
      });
      const [day] = dailyConsumption(stored, timeZone);
      if (day)
        rows.push({
          period: 'day',
          meter: meter.id,
          start,
          value: day.value,
          estimated: day.estimated,
          ...tags,
        });
    }
    await this.ctx.store.writeRollups(rows);
    this.counters.days_written += rows.length;
  }
}
