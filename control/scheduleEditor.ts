import type { Actor } from '../core/auth/actor.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import type { ScheduleVersionRef } from '../core/control/port.ts';
import { capProblems, validateSchedule } from '../core/control/schedules.ts';
import { type Schedule, scheduleSchema } from '../core/control/schema.ts';
import type { Logger } from '../core/log.ts';
import type { ControlEngine } from './engine.ts';
import type { ScheduleBook } from './scheduleBook.ts';

/**
 * Changes to schedules through the API: each is checked like a new schedule (site, policy, the
 * other schedules), recorded as a version (ScheduleBook), and the engine's slots follow at once.
 */
export class ScheduleEditor {
  constructor(
    private readonly ctx: {
      site: LoadedSite;
      engine: ControlEngine;
      book: ScheduleBook;
      log: Logger;
      /** The schedules in force (what the runner runs). */
      active: () => Schedule[];
      /** Called after every version: the runner's view is stale. */
      changed: () => void;
    },
  ) {}

  /** Parses and checks a schedule against the site, policy and the other schedules in force. */
  validate(input: unknown) {
    const parsed = scheduleSchema.safeParse(input);
    if (!parsed.success)
      return {
        problems: capProblems(
          parsed.error.issues.map((i) => ({
            path: i.path.map(String).join('.') || '(root)',
            message: i.message,
          })),
        ),
      };
    return { schedule: parsed.data, problems: this.problemsOf(parsed.data) };
  }

  private problemsOf(schedule: Schedule) {
    const others = this.ctx.active().filter((s) => s.id !== schedule.id);
    return validateSchedule(schedule, this.ctx.site, this.ctx.engine.points, others);
  }

  /** Creates or edits a schedule (a site-file one too) as a new version. */
  put(input: unknown, actor: Actor, reason?: string) {
    const checked = this.validate(input);
    if (!checked.schedule || checked.problems.length > 0) return checked;
    const id = checked.schedule.id;
    const before = this.ctx.book.inForce().find((s) => s.schedule.id === id);
    const target = { schedule: checked.schedule, followsSite: false };
    const version = this.ctx.book.record(id, target, { actor, reason, action: before ? 'edit' : 'create' });
    this.afterChange(before?.schedule, checked.schedule, actor, version);
    return { ...checked, version };
  }

  /** Deletes the schedule in force as a version (revertible). */
  delete(id: string, actor: Actor, reason?: string) {
    const before = this.ctx.book.inForce().find((s) => s.schedule.id === id);
    if (!before) return { deleted: false };
    const target = { schedule: null, followsSite: false };
    const version = this.ctx.book.record(id, target, { actor, reason, action: 'delete' });
    this.afterChange(before.schedule, undefined, actor, version);
    return { deleted: true, version };
  }

  /** A new version equal to `to`, checked like an edit; `site` follows the site file again. */
  revert(id: string, to: ScheduleVersionRef, actor: Actor, reason?: string) {
    const target = this.ctx.book.target(id, to);
    const problems = target.schedule ? this.problemsOf(target.schedule) : [];
    if (problems.length > 0) return { problems };
    const before = this.ctx.book.inForce().find((s) => s.schedule.id === id);
    const version = this.ctx.book.record(id, target, { actor, reason, action: 'revert' });
    this.afterChange(before?.schedule, target.schedule ?? undefined, actor, version);
    const now = this.ctx.book.inForce().find((s) => s.schedule.id === id);
    return now ? { schedule: now, problems } : { deleted: true, problems };
  }

  /** After a version: the engine runs the new one; slots the old one held and the new one does not are emptied now. */
  private afterChange(
    before: Schedule | undefined,
    after: Schedule | undefined,
    actor: Actor,
    version: number,
  ) {
    this.ctx.changed();
    const id = before?.id ?? after?.id ?? '';
    this.ctx.log.child('control').info('schedule changed', { id, version, by: actor.user, deleted: !after });
    if (!before) return;
    const keeps = (device: string, point: string, level: number) =>
      after !== undefined &&
      after.point === point &&
      after.priority === level &&
      (this.ctx.site.config.control.groups.find((g) => g.id === after.group)?.devices ?? []).includes(device);
    for (const cp of this.ctx.engine.points.values())
      for (let level = 14; level <= 16; level++)
        if (
          this.ctx.engine.slot(cp.key, level)?.source === `schedule:${id}` &&
          !keeps(cp.device, cp.point, level)
        )
          void this.ctx.engine.request({
            device: cp.device,
            point: cp.point,
            priority: level,
            value: null,
            source: `schedule:${id}`,
            reason: after ? `schedule version ${version}` : 'schedule deleted',
          });
  }
}
