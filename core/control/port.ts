import type { DayType } from '../calendar.ts';
import type { Effective } from './priority.ts';
import type { ScheduledAction, ScheduleProblem } from './schedules.ts';
import type { Schedule, ScheduleInput } from './schema.ts';

/**
 * What the API asks of the control service. In `jieneng start` the service itself is passed in;
 * routes never reach a device except through it, so every command passes policy and arbitration.
 */
export interface ControlPort {
  /** The platform clock (accelerated in a demo): expiries and "tonight" are on it. */
  now(): number;
  points(): {
    device: string;
    point: string;
    name: string;
    unit: string | null;
    groups: string[];
    effective: Effective;
  }[];
  array(device: string, point: string): unknown | undefined;
  /** Sets (value) or relinquishes (null) a slot; rejected requests say why. */
  command(req: {
    device: string;
    point: string;
    priority: number;
    value: number | null;
    user: string;
    reason?: string | undefined;
    expiresAt?: number | undefined;
  }): Promise<{ accepted: boolean; reason?: string; effective: Effective; write?: unknown }>;
  /** 加班: keep a group's HVAC (and lighting) on until `until` tonight. */
  overtime(req: { group: string; until: number; user: string; reason?: string | undefined }): Promise<{
    accepted: boolean;
    reason?: string;
    results: unknown[];
  }>;
  schedules(): { schedule: Schedule; origin: 'site' | 'api'; updated_at?: string; updated_by?: string }[];
  validateSchedule(input: unknown): { schedule?: Schedule; problems: ScheduleProblem[] };
  putSchedule(
    input: ScheduleInput | unknown,
    user: string,
  ): { schedule?: Schedule; problems: ScheduleProblem[]; conflict?: string };
  deleteSchedule(id: string, user: string): { deleted: boolean; conflict?: string };
  preview(from: number, to: number): ScheduledAction[];
  /** The working calendar over local dates [from, to]: day type, holiday name, where it came from. */
  calendar(from: string, to: string): unknown[];
  /** A local correction to the calendar (a closure, a notice after the chinese-days release). */
  putCalendarOverride(o: { date: string; type: DayType; note?: string | undefined }, user: string): void;
  deleteCalendarOverride(date: string, user: string): boolean;
  audit(filter: {
    device?: string;
    point?: string;
    source?: string;
    limit?: number;
    before?: number;
  }): unknown[];
  alarms(): unknown[];
}
