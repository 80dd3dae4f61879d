import type { Actor } from '../core/auth/actor.ts';
import { type CalendarOverride, type DayType, dayInfo } from '../core/calendar.ts';
import type { Clock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import type { Logger } from '../core/log.ts';
import type { ControlDb } from './db.ts';

/**
 * The calendar overrides control runs on: the site file's, and over them those set through the
 * API (control.db), merged once until either changes.
 */
export class CalendarDays {
  constructor(private readonly ctx: { site: LoadedSite; db: ControlDb; clock: Clock; log: Logger }) {}

  /** Forgets the merged overrides (after control.db changed). */
  reload(): void {
    this.merged = undefined;
  }

  private merged: CalendarOverride[] | undefined;

  /** The site file's calendar overrides, with the API's over them (one array until either changes). */
  overrides(): readonly CalendarOverride[] {
    if (!this.merged) {
      const byDate = new Map<string, CalendarOverride>();
      for (const o of this.ctx.site.config.control.calendar_overrides) byDate.set(o.date, o);
      for (const o of this.ctx.db.calendarOverrides())
        byDate.set(o.date, { date: o.date, type: o.type, ...(o.note ? { note: o.note } : {}) });
      this.merged = [...byDate.values()];
    }
    return this.merged;
  }

  /** The working calendar over local dates [from, to]: day type, holiday, where it came from. */
  calendar(from: string, to: string) {
    const overrides = this.overrides();
    const api = new Map(this.ctx.db.calendarOverrides().map((o) => [o.date, o]));
    const days = [];
    for (
      let d = from;
      d <= to;
      d = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
    ) {
      const info = dayInfo(d, overrides);
      const by = api.get(d);
      days.push({ ...info, ...(by ? { override_by: by.updated_by, override_at: by.updated_at } : {}) });
    }
    return days;
  }

  /** Sets the API's override of a date. */
  put(o: { date: string; type: DayType; note?: string | undefined }, actor: Actor): void {
    const user = actor.user;
    this.ctx.db.putCalendarOverride(o, new Date(this.ctx.clock.now()).toISOString(), user);
    this.merged = undefined;
    this.ctx.log
      .child('control')
      .info('calendar override set', { date: o.date, type: o.type, note: o.note ?? '', by: user });
  }

  /** Removes the API's override of a date; false when there was none. */
  delete(date: string, actor: Actor): boolean {
    const user = actor.user;
    const deleted = this.ctx.db.deleteCalendarOverride(date);
    this.merged = undefined;
    if (deleted) this.ctx.log.child('control').info('calendar override removed', { date, by: user });
    return deleted;
  }
}
