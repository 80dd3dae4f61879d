import type { Actor } from '../auth/actor.ts';
import type { DayType } from '../calendar.ts';
import type { Effective } from './priority.ts';
import type { ScheduledAction, ScheduleProblem } from './schedules.ts';
import type { Schedule, ScheduleInput } from './schema.ts';

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
    code?: 'priority_not_allowed';
    rule?: string;
    effective: Effective;
    write?: unknown;
  }>;
  /** 加班: keep a group's HVAC (and lighting) on until `until` tonight. */
  overtime(req: { group: string; until: number; actor: Actor; reason?: string | undefined }): Promise<{
    accepted: boolean;
    reason?: string;
    code?: 'priority_not_allowed';
    rule?: string;
    results: unknown[];
  }>;
  schedules(): Awaitable<
    { schedule: Schedule; origin: 'site' | 'api'; updated_at?: string; updated_by?: string }[]
  >;
  validateSchedule(input: unknown): Awaitable<{ schedule?: Schedule; problems: ScheduleProblem[] }>;
  putSchedule(
    input: ScheduleInput | unknown,
    actor: Actor,
  ): Awaitable<{ schedule?: Schedule; problems: ScheduleProblem[]; conflict?: string }>;
  deleteSchedule(id: string, actor: Actor): Awaitable<{ deleted: boolean; conflict?: string }>;
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
  alarms(): Awaitable<unknown[]>;
}
