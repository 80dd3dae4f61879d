import { z } from 'zod';
import { durationSchema } from '../duration.ts';
import { slugSchema } from '../ids.ts';
import { policyData } from './policyData.ts';

/**
 * The `control:` section of the site file and the schedule format (site file and API alike).
 * Priorities follow BACnet / Project Haystack: 1–2 life safety, 5 critical equipment, 8 operator
 * override, 10 demand limiting, 14–16 schedules; the lowest number wins.
 */
export const priorityLevels = {
  lifeSafety: 1,
  critical: 5,
  operator: 8,
  demandLimit: 10,
  optimalStart: 15,
  schedule: 16,
} as const;

export const prioritySchema = z.number().int().min(1).max(16).describe('Priority 1 (highest) … 16');

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a local time of day HH:MM, 00:00 … 24:00')
  .describe('Local time of day, HH:MM');

const isoDate = z.iso.date().describe('Local date YYYY-MM-DD');

export const dayTypeSchema = z
  .enum(['workday', 'weekend', 'holiday'])
  .describe('workday 工作日 (incl. 补班 make-up days), weekend 周末, holiday 法定节假日');

/** One program: the value in force from each time of day on (a BACnet time-value list). */
/** A value a schedule writes: bounded against typos (1e300); each point's policy then holds it to its own range. */
const scheduleValue = z.number().finite().min(-1e6).max(1e6);

/**
 * Size limits of a schedule: validation work grows with them, so a huge body is refused by its
 * size before any of it is checked (one entry per quarter hour; one exception per day of a year).
 */
export const scheduleLimits = { programEntries: 96, exceptions: 366 } as const;

export const programSchema = z
  .array(
    z
      .object({
        at: hhmm,
        value: scheduleValue
          .nullable()
          .describe("In the point's unit (°C, 0/1, %); null relinquishes the slot"),
      })
      .strict(),
  )
  .max(scheduleLimits.programEntries, {
    error: (iss) =>
      `${(iss.input as unknown[]).length} entries; at most ${scheduleLimits.programEntries} entries in a day program (one every 15 minutes)`,
  })
  .describe(
    `Time-value pairs in order, at most ${scheduleLimits.programEntries}; before the first one the schedule’s \`default\` holds`,
  );

export const scheduleSchema = z
  .object({
    id: slugSchema,
    name: z.string().min(1).max(200).describe('e.g. 办公区空调 工作日 08:00–18:00'),
    group: slugSchema.describe('Point group the schedule writes to (control.groups)'),
    point: slugSchema.describe('Point id in the profile of each device of the group, e.g. on_off'),
    priority: z.number().int().min(14).max(16).default(16).describe('Schedule priority, 14–16'),
    default: scheduleValue
      .nullable()
      .default(null)
      .describe('Value from midnight until the day’s first entry (-1e6 … 1e6); null leaves the slot empty'),
    effective: z
      .object({ from: isoDate.optional(), to: isoDate.optional() })
      .strict()
      .default({})
      .describe('Dates (inclusive) on which the schedule runs; outside them it relinquishes its slot'),
    week: z
      .object({
        workday: programSchema.default([]),
        weekend: programSchema.default([]),
        holiday: programSchema.default([]),
      })
      .strict()
      .describe('Weekly program by day type from the Chinese working calendar (chinese-days)'),
    exceptions: z
      .array(
        z
          .object({
            from: isoDate,
            to: isoDate.optional().describe('Last day (inclusive); default: `from`'),
            program: programSchema.optional().describe('The program for these days'),
            as: dayTypeSchema.optional().describe('Or: run the program of this day type on these days'),
            note: z.string().max(500).optional(),
          })
          .strict(),
      )
      .max(scheduleLimits.exceptions, {
        error: (iss) =>
          `${(iss.input as unknown[]).length} exceptions; at most ${scheduleLimits.exceptions} exceptions in a schedule (a longer period is one exception with from and to)`,
      })
      .default([])
      .describe(
        `Exception days and date ranges, at most ${scheduleLimits.exceptions}; they win over the weekly program`,
      ),
  })
  .strict();

export type Schedule = z.infer<typeof scheduleSchema>;
export type ScheduleInput = z.input<typeof scheduleSchema>;

const limit = (what: string) =>
  z
    .object({
      value: z.number().finite().describe(`${what}, °C`),
      reason: z.string().min(1).describe('Why: the rule or decision it comes from'),
    })
    .strict();

export const pointSettingsSchema = z
  .object({
    group: slugSchema.describe('Point group (control.groups)'),
    point: slugSchema.describe('Point id in the profile of each device of the group'),
    relinquish_default: z
      .number()
      .finite()
      .optional()
      .describe(
        'Value written when every priority slot is empty; without it the device keeps its own control',
      ),
    min: z.number().finite().optional().describe('Lowest value any command may ask for'),
    max: z.number().finite().optional().describe('Highest value any command may ask for'),
    min_on: durationSchema.optional().describe('A 0/1 point stays on at least this long'),
    min_off: durationSchema.optional().describe('A 0/1 point stays off at least this long'),
    max_writes_per_hour: z.number().int().positive().optional().describe('Writes per point per rolling hour'),
    follow_tolerance: z
      .number()
      .nonnegative()
      .default(0.01)
      .describe('Read-back further than this from the command raises a not-following alarm'),
    reason: z.string().optional().describe('Why these limits'),
  })
  .strict();

/**
 * Re-assertion of a point that does not follow its command (issue 17): the value in effect is
 * written again with backoff until the read-back agrees, then the not_following condition clears.
 * A point that follows is never written again by this.
 */
export const reassertSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe('Write the value in effect again while a point does not follow it (not_following)'),
    delays: z
      .array(durationSchema)
      .min(1)
      .max(20)
      .prefault(['1min', '2min', '5min', '10min'])
      .describe(
        'Wait before each re-write, from the write that was not followed or the previous attempt; the last wait repeats',
      ),
    give_up_after: durationSchema
      .prefault('24h')
      .describe(
        'Stop re-writing a point that has not followed for this long; the alarm stays until it follows or a new command is given',
      ),
  })
  .strict()
  .prefault({})
  .describe('Re-assert a command that was not followed (control/README.md, "Re-assertion")');

export const tariffSchema = z
  .object({
    id: slugSchema,
    name: z.string().min(1),
    source: z.string().min(1).describe('The price notice the tariff comes from'),
    verified: z.boolean().default(false),
    effective_from: isoDate,
    effective_to: isoDate.optional(),
    seasons: z
      .array(
        z
          .object({
            months: z.array(z.number().int().min(1).max(12)).min(1),
            periods: z
              .array(
                z
                  .object({
                    period: z.enum(['sharp', 'peak', 'flat', 'valley']).describe('尖峰 / 高峰 / 平段 / 低谷'),
                    from: hhmm,
                    to: hhmm,
                  })
                  .strict(),
              )
              .min(1),
          })
          .strict(),
      )
      .min(1),
    prices: z
      .object({
        sharp: z.number().nonnegative().optional(),
        peak: z.number().nonnegative(),
        flat: z.number().nonnegative(),
        valley: z.number().nonnegative(),
      })
      .strict()
      .describe('元/kWh'),
  })
  .strict();
export type Tariff = z.infer<typeof tariffSchema>;

export const demandLimitSchema = z
  .object({
    building: slugSchema,
    meter: slugSchema.describe('The building’s main electricity meter (its active power is read)'),
    power_point: slugSchema.default('active_power').describe('Active power point of the meter’s device, W'),
    limit_kw: z.number().positive().describe('15-minute demand limit, kW'),
    periods: z
      .array(z.enum(['sharp', 'peak', 'flat', 'valley']))
      .default(['sharp', 'peak'])
      .describe('Tariff periods in which the limit is enforced'),
    shed: z
      .array(
        z
          .object({
            group: slugSchema,
            point: slugSchema,
            offset: z.number().optional().describe('Add this to the point’s value in force (e.g. +1 °C)'),
            value: z.number().optional().describe('Or write this value (e.g. dim to 50 %)'),
          })
          .strict()
          .refine((s) => (s.offset === undefined) !== (s.value === undefined), {
            message: 'give either offset or value',
          }),
      )
      .min(1)
      .describe('Shed stages in order; restored in reverse order'),
  })
  .strict();

export const controlSchema = z
  .object({
    policy: z
      .object({
        cooling_setpoint_min: limit('Lowest cooling setpoint').prefault({
          value: policyData.cooling_setpoint_min.value,
          reason: policyData.cooling_setpoint_min.source,
        }),
        heating_setpoint_max: limit('Highest heating setpoint').prefault({
          value: policyData.heating_setpoint_max.value,
          reason: policyData.heating_setpoint_max.source,
        }),
        cooling_points: z
          .array(slugSchema)
          .default(['cooling_setpoint'])
          .describe('Profile point ids the cooling rule applies to'),
        heating_points: z
          .array(slugSchema)
          .default(['heating_setpoint'])
          .describe('Profile point ids the heating rule applies to'),
      })
      .strict()
      .prefault({})
      .describe(
        'Bounds on every command, whoever sends it; a command outside them is rejected, never clamped',
      ),
    groups: z
      .array(
        z
          .object({
            id: slugSchema,
            name: z.string().min(1),
            building: slugSchema.optional(),
            area: slugSchema.optional().describe('The zone (an area of the building) the group serves'),
            class: z
              .enum(['hvac', 'lighting', 'other'])
              .default('other')
              .describe('Equipment class; strategies act on hvac and lighting groups'),
            devices: z.array(slugSchema).min(1),
          })
          .strict(),
      )
      .default([])
      .describe('Point groups: per building, zone or equipment class'),
    points: z
      .array(pointSettingsSchema)
      .default([])
      .describe('Limits and relinquish defaults per group and point'),
    schedules: z
      .array(scheduleSchema)
      .default([])
      .describe(
        'Schedules from the site file: they seed control; edits through the API are versions in control.db that stay in force over a later change of the file (control/README.md)',
      ),
    calendar_overrides: z
      .array(
        z
          .object({
            date: isoDate,
            type: z.enum(['workday', 'weekend', 'holiday', 'makeup_workday']),
            note: z.string().optional(),
          })
          .strict(),
      )
      .default([])
      .describe(
        'Local corrections to the chinese-days calendar (a notice published after a release, a closure)',
      ),
    optimal_start: z
      .object({
        enabled: z.boolean().default(true),
        fixed_lead: durationSchema.prefault('1h').describe('Lead without history of the zone'),
        max_lead: durationSchema.prefault('3h'),
        target_band: z
          .number()
          .positive()
          .default(1)
          .describe('Within this many °C of the setpoint counts as reached'),
      })
      .strict()
      .prefault({}),
    lighting_sweeps: z
      .object({
        times: z.array(hhmm).min(1).describe('Local times, every day'),
        points: z.array(z.object({ group: slugSchema, point: slugSchema }).strict()).min(1),
      })
      .strict()
      .optional()
      .describe(
        'After-hours sweeps: lighting switched off at these times; people switch it on again where needed',
      ),
    overtime_max: durationSchema.prefault('6h').describe('Longest after-hours (加班) request'),
    reassert: reassertSchema,
    tariff: tariffSchema.optional(),
    demand_limits: z.array(demandLimitSchema).default([]),
  })
  .strict();

export type ControlConfig = z.infer<typeof controlSchema>;
export type PointSettings = z.infer<typeof pointSettingsSchema>;
export type DemandLimit = z.infer<typeof demandLimitSchema>;
export type ReassertSettings = z.infer<typeof reassertSchema>;
