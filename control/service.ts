import type { Actor } from '../core/auth/actor.ts';
import type { DayType } from '../core/calendar.ts';
import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import { allowedRange, pointKey } from '../core/control/points.ts';
import type { ControlPort, ScheduleVersionRef } from '../core/control/port.ts';
import { type ScheduledAction, scheduleActions } from '../core/control/schedules.ts';
import { priorityLevels, type Schedule } from '../core/control/schema.ts';
import type { Logger } from '../core/log.ts';
import { CalendarDays } from './calendarDays.ts';
import { refuseByPrivilege } from './commandGate.ts';
import type { ControlCondition } from './conditions.ts';
import { ControlDb } from './db.ts';
import { ControlEngine, type Dispatcher } from './engine.ts';
import { privilegeRefusal } from './privileges.ts';
import { ScheduleBook } from './scheduleBook.ts';
import { ScheduleEditor } from './scheduleEditor.ts';
import { DemandLimiter, type Latest, LightingSweeps, OptimalStart, ScheduleRunner } from './strategies.ts';

/**
 * The control service: the arbitration engine, the schedules and the strategies (optimal start,
 * after-hours lighting sweeps, demand limiting), ticked on the platform clock, and the port the
 * API uses. Dispatch (MQTT to the gateways, or a simulation) and the source of live values are
 * given by whoever runs it.
 */
export class ControlService implements ControlPort {
  readonly db: ControlDb;
  /** The schedules in force: the site file's, with control.db's versions over them. */
  readonly book: ScheduleBook;
  /** The working calendar's local corrections: the site file's, and the API's over them. */
  private readonly days: CalendarDays;
  readonly engine: ControlEngine;
  readonly optimalStart: OptimalStart;
  readonly demand: DemandLimiter;
  private readonly editor: ScheduleEditor;
  private readonly runner: ScheduleRunner;
  private readonly sweeps: LightingSweeps;
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly ctx: {
      site: LoadedSite;
      dbFile: string;
      dispatcher: Dispatcher;
      latest: Latest;
      /** When the latest value of a point was read (source time); without it, a value is judged whenever it came. */
      latestAt?: (device: string, point: string) => number | undefined;
      clock: Clock;
      log: Logger;
      /** Every change of control's conditions (not_following, write_failing), with all of them. */
      onConditions?: (conditions: ControlCondition[]) => void;
      onAudit?: (entry: { action: string; outcome: string }) => void;
      ready?: (device: string) => boolean;
      /** Strategies to run besides the schedules (default: all). */
      strategies?: { optimalStart?: boolean; sweeps?: boolean; demand?: boolean };
    },
  ) {
    this.db = new ControlDb(ctx.dbFile);
    this.days = new CalendarDays({ site: ctx.site, db: this.db, clock: ctx.clock, log: ctx.log });
    this.book = new ScheduleBook({ site: ctx.site, db: this.db, now: () => ctx.clock.now() });
    this.book.warnSiteChanges(ctx.log.child('control'));
    this.engine = new ControlEngine({
      site: ctx.site,
      db: this.db,
      dispatcher: ctx.dispatcher,
      clock: ctx.clock,
      log: ctx.log,
      latest: ctx.latest,
      ...(ctx.onConditions ? { onConditions: ctx.onConditions } : {}),
      ...(ctx.ready ? { ready: ctx.ready } : {}),
      ...(ctx.onAudit ? { onAudit: ctx.onAudit } : {}),
    });
    this.editor = new ScheduleEditor({
      site: ctx.site,
      engine: this.engine,
      book: this.book,
      log: ctx.log,
      active: () => this.activeSchedules(),
      changed: () => {
        this.stored = undefined;
      },
    });
    const strategyCtx = {
      site: ctx.site,
      engine: this.engine,
      db: this.db,
      latest: ctx.latest,
      schedules: () => this.activeSchedules(),
      overrides: () => this.days.overrides(),
    };
    this.runner = new ScheduleRunner(strategyCtx);
    this.optimalStart = new OptimalStart(strategyCtx);
    this.sweeps = new LightingSweeps(strategyCtx);
    this.demand = new DemandLimiter(strategyCtx);
  }

  close(): void {
    this.db.close();
  }

  private stored: Schedule[] | undefined;

  /** Re-reads the stored schedules and calendar overrides (after another process changed control.db). */
  reloadSchedules(): void {
    this.stored = undefined;
    this.book.reload();
    this.days.reload();
  }

  calendar(from: string, to: string) {
    return this.days.calendar(from, to);
  }

  putCalendarOverride(o: { date: string; type: DayType; note?: string | undefined }, actor: Actor): void {
    this.days.put(o, actor);
  }

  deleteCalendarOverride(date: string, actor: Actor): boolean {
    return this.days.delete(date, actor);
  }

  private activeSchedules(): Schedule[] {
    this.stored ??= this.book.inForce().map((s) => s.schedule);
    return this.stored;
  }

  /** One control cycle at the clock's now; overlapping calls share the running cycle. */
  tick(): Promise<void> {
    this.ticking ??= this.cycle().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async cycle(): Promise<void> {
    const now = this.ctx.clock.now();
    const on = this.ctx.strategies ?? {};
    await this.runner.tick(now);
    if (on.optimalStart !== false) await this.optimalStart.tick(now);
    if (on.sweeps !== false) await this.sweeps.tick(now);
    if (on.demand !== false) await this.demand.tick(now);
    await this.engine.tick();
    this.engine.checkFollowing(this.ctx.latest, undefined, this.ctx.latestAt);
  }

  // ── the API's port ──────────────────────────────────────────────────────────────────────

  now(): number {
    return this.ctx.clock.now();
  }

  points() {
    return [...this.engine.points.values()].map((cp) => ({
      device: cp.device,
      point: cp.point,
      name: cp.name,
      unit: cp.unit ?? null,
      groups: cp.groups,
      // What a command may ask for (device range, control.points limits, the 26 °C / 20 °C rule):
      // the console says it before sending; control still decides every command.
      ...allowedRange(cp, this.ctx.site.config.control.policy),
      effective: this.engine.effective(cp.key),
    }));
  }

  array(device: string, point: string) {
    return this.engine.array(pointKey(device, point));
  }

  async command(req: Parameters<ControlPort['command']>[0]) {
    const refused = refuseByPrivilege(
      {
        db: this.db,
        engine: this.engine,
        now: this.ctx.clock.now(),
        log: this.ctx.log,
        onAudit: this.ctx.onAudit,
      },
      req,
    );
    if (refused) return refused;
    return this.engine.request({
      device: req.device,
      point: req.point,
      priority: req.priority,
      value: req.value,
      source: `user:${req.actor.user}`,
      reason: req.reason,
      expiresAt: req.expiresAt,
    });
  }

  async overtime(req: Parameters<ControlPort['overtime']>[0]) {
    const control = this.ctx.site.config.control;
    const group = control.groups.find((g) => g.id === req.group);
    const targets = group ? this.overtimePoints(group) : [];
    const ask = { ...req, priority: priorityLevels.operator, value: 1, expiresAt: req.until };
    // Who first: a refusal by privilege says what the actor may do, before what is wrong with the request.
    const refusal = privilegeRefusal(ask, this.ctx.clock.now());
    if (refusal) {
      for (const t of targets) this.gate({ ...ask, ...t }); // audited per point, as a command would be
      return {
        accepted: false,
        reason: refusal.message,
        reason_zh: refusal.zh,
        code: refusal.code,
        rule: refusal.rule,
        results: [],
      };
    }
    if (!group)
      return {
        accepted: false,
        reason: `no group "${req.group}"; groups are: ${control.groups.map((g) => g.id).join(', ')}`,
        results: [],
      };
    const now = this.ctx.clock.now();
    if (req.until <= now)
      return {
        accepted: false,
        reason: 'the end of the after-hours request is not in the future',
        results: [],
      };
    if (req.until - now > control.overtime_max)
      return {
        accepted: false,
        reason: `an after-hours request lasts at most ${control.overtime_max / 3_600_000} h (control.overtime_max)`,
        results: [],
      };
    const results = [];
    for (const { device, point } of targets) {
      const r = await this.engine.request({
        device,
        point,
        priority: priorityLevels.operator,
        value: 1,
        source: `user:${req.actor.user}`,
        reason: `加班 after-hours${req.reason ? `: ${req.reason}` : ''}`,
        expiresAt: req.until,
      });
      results.push({ device, point, ...r });
    }
    return { accepted: results.every((r) => r.accepted), results };
  }

  /** The points an after-hours request keeps on: each unit's on_off, or every relay of a lighting group. */
  private overtimePoints(group: { class: string; devices: string[] }): { device: string; point: string }[] {
    return group.devices.flatMap((device) =>
      group.class !== 'lighting'
        ? [{ device, point: 'on_off' }]
        : [...this.engine.points.values()]
            .filter((p) => p.device === device && p.binary)
            .map((p) => ({ device, point: p.point })),
    );
  }

  /** A command's refusal by privilege, audited (control/commandGate.ts); undefined when allowed. */
  private gate(req: Parameters<typeof refuseByPrivilege>[1]) {
    const { db, engine } = this;
    return refuseByPrivilege(
      { db, engine, now: this.ctx.clock.now(), log: this.ctx.log, onAudit: this.ctx.onAudit },
      req,
    );
  }

  schedules() {
    return this.book.inForce();
  }

  schedule(id: string) {
    return this.book.get(id);
  }

  scheduleHistory(id: string) {
    return this.book.history(id);
  }

  scheduleDiff(id: string, from: ScheduleVersionRef, to: ScheduleVersionRef) {
    return this.book.diff(id, from, to);
  }

  validateSchedule(input: unknown) {
    return this.editor.validate(input);
  }

  putSchedule(input: unknown, actor: Actor, reason?: string) {
    return this.editor.put(input, actor, reason);
  }

  deleteSchedule(id: string, actor: Actor, reason?: string) {
    return this.editor.delete(id, actor, reason);
  }

  revertSchedule(id: string, to: ScheduleVersionRef, actor: Actor, reason?: string) {
    return this.editor.revert(id, to, actor, reason);
  }

  preview(from: number, to: number): ScheduledAction[] {
    const tz = this.ctx.site.config.site.timezone;
    const overrides = this.days.overrides();
    const groups = this.ctx.site.config.control.groups;
    return this.activeSchedules()
      .flatMap((s) =>
        scheduleActions(s, groups.find((g) => g.id === s.group)?.devices ?? [], from, to, tz, overrides),
      )
      .sort((a, b) => a.ms - b.ms || a.device.localeCompare(b.device));
  }

  audit(filter: Parameters<ControlPort['audit']>[0]) {
    return this.db.auditLog(filter);
  }
}
