import type { Actor } from '../auth/actor.ts';
import type { DayType } from '../calendar.ts';
import type { Effective } from './priority.ts';
import type { ScheduleChange } from './scheduleDiff.ts';
import type { ScheduledAction, ScheduleProblem } from './schedules.ts';
import type { Schedule, ScheduleInput } from './schema.ts';

/** Where the schedule in force comes from: the site file, an API edit of a site-file schedule, or the API alone. */
export type ScheduleOrigin = 'site' | 'edited' | 'api';

/** A schedule in force, as GET /schedules shows it (snake_case: it is the wire shape). */
export interface ScheduleInForce {
  schedule: Schedule;
  origin: ScheduleOrigin;
  /** The control.db version in force; absent while a site-file schedule was never changed through the API. */
  version?: number;
  updated_at?: string;
  updated_by?: string;
  reason?: string;
  /**
   * An API version is in force and the site file's schedule of this id is no longer the one that
   * version was based on: `site_schedule` is the site file's now (null: gone from it), `edit_based_on` the old one.
   */
  site_changed_since_edit?: boolean;
  site_schedule?: Schedule | null;
  edit_based_on?: Schedule | null;
}

/** One version of a schedule in control.db, as GET /schedules/:id/history shows it. */
export interface ScheduleVersionInfo {
  version: number;
  at: string;
  by: string;
  reason: string | null;
  action: 'create' | 'edit' | 'delete' | 'revert';
  /** For a revert: the version gone back to, or `site`. */
  reverted_to?: number | 'site';
  /** The version follows the site file (a revert to `site`). */
  follows_site: boolean;
  /** The schedule from this version on; null: deleted. */
  schedule: Schedule | null;
}

/** A version to compare or go back to: a number from the history, or `site` (the site file's now). */
export type ScheduleVersionRef = number | 'site';

/** A value now (the service in the same process) or later (the service reached over MQTT, `jieneng api`). */
export type Awaitable<T> = T | Promise<T>;

/**
 * What the API asks of the control service. In `jieneng start` the service itself is passed in;
 * with `jieneng api` a client reaching it over MQTT request/response. Routes never reach a device
 * except through it, so every command passes privilege, policy and arbitration. Callers always
 * await the answers. Who asks is the authenticated `Actor`, never a name the caller typed.
 */
export interface ControlPort {
  /** The platform clock (accelerated in a demo): expiries and "tonight" are on it. */
  now(): Awaitable<number>;
  points(): Awaitable<
    {
      device: string;
      point: string;
      name: string;
      unit: string | null;
      groups: string[];
      /** The lowest and highest value a command may ask for (null: no bound), from every limit control checks. */
      min?: number | null;
      max?: number | null;
      effective: Effective;
    }[]
  >;
  array(device: string, point: string): Awaitable<unknown | undefined>;
  /**
   * Sets (value) or relinquishes (null) a slot; rejected requests say why. A refusal by the command
   * privileges (policy data `command_privileges`) has `code: 'priority_not_allowed'` and the rule.
   */
  command(req: {
    device: string;
    point: string;
    priority: number;
    value: number | null;
    actor: Actor;
    reason?: string | undefined;
    expiresAt?: number | undefined;
  }): Promise<{
    accepted: boolean;
    reason?: string;
    /** The reason in Chinese, when control has it (a refusal by privilege, policy, range or timing). */
    reason_zh?: string;
    code?: 'priority_not_allowed';
    rule?: string;
    effective: Effective;
    write?: unknown;
  }>;
  /** 加班: keep a group's HVAC (and lighting) on until `until` tonight. */
  overtime(req: { group: string; until: number; actor: Actor; reason?: string | undefined }): Promise<{
    accepted: boolean;
    reason?: string;
    /** The reason in Chinese, when control has it (a refusal by privilege). */
    reason_zh?: string;
    code?: 'priority_not_allowed';
    rule?: string;
    results: unknown[];
  }>;
  /** The schedules in force, site file's first (in its order), then those made through the API. */
  schedules(): Awaitable<ScheduleInForce[]>;
  /** One schedule in force; a JnError `not_found` names a deleted one's version and how to revert. */
  schedule(id: string): Awaitable<ScheduleInForce>;
  /** Every control.db version of a schedule and the site file's (null: not in it). */
  scheduleHistory(id: string): Awaitable<{
    id: string;
    site_schedule: Schedule | null;
    in_force: number | 'site' | null;
    versions: ScheduleVersionInfo[];
  }>;
  /** The changed paths from version `from` to `to`. */
  scheduleDiff(
    id: string,
    from: ScheduleVersionRef,
    to: ScheduleVersionRef,
  ): Awaitable<{ id: string; from: ScheduleVersionRef; to: ScheduleVersionRef; changes: ScheduleChange[] }>;
  /** A new version equal to `to` (`site`: follow the site file again), checked like an edit. */
  revertSchedule(
    id: string,
    to: ScheduleVersionRef,
    actor: Actor,
    reason?: string,
  ): Awaitable<{ schedule?: ScheduleInForce; deleted?: boolean; problems: ScheduleProblem[] }>;
  validateSchedule(input: unknown): Awaitable<{ schedule?: Schedule; problems: ScheduleProblem[] }>;
  /** Creates or edits a schedule (a site-file one too) as a new version in control.db. */
  putSchedule(
    input: ScheduleInput | unknown,
    actor: Actor,
    reason?: string,
  ): Awaitable<{ schedule?: Schedule; version?: number; problems: ScheduleProblem[]; conflict?: string }>;
  /** Deletes a schedule in force (a site-file one too) as a version; revertible. */
  deleteSchedule(
    id: string,
    actor: Actor,
    reason?: string,
  ): Awaitable<{ deleted: boolean; version?: number; conflict?: string }>;
  preview(from: number, to: number): Awaitable<ScheduledAction[]>;
  /** The working calendar over local dates [from, to]: day type, holiday name, where it came from. */
  calendar(from: string, to: string): Awaitable<unknown[]>;
  /** A local correction to the calendar (a closure, a notice after the chinese-days release). */
  putCalendarOverride(
    o: { date: string; type: DayType; note?: string | undefined },
    actor: Actor,
  ): Awaitable<void>;
  deleteCalendarOverride(date: string, actor: Actor): Awaitable<boolean>;
  audit(filter: {
    device?: string;
    point?: string;
    source?: string;
    limit?: number;
    before?: number;
  }): Awaitable<unknown[]>;
  // alarms() is gone (issue 17): control's conditions go to the alarm service, the API reads alarms.db.
}
