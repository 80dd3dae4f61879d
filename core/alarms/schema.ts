import { z } from 'zod';
import { durationSchema } from '../duration.ts';
import { slugSchema } from '../ids.ts';
import { alarmRules, alarmSeverities } from './model.ts';

/**
 * `alarms:` in the site file: each rule's settings, with defaults that work on the demo site, and
 * where notifications go. Durations are strings with a unit (`5min`), parsed to ms.
 */

const severity = z.enum(alarmSeverities);
/** HH:MM-HH:MM, each a real time of day. */
const hourRange = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;

/** Settings every rule has. */
const common = (defaults: { severity: (typeof alarmSeverities)[number]; delay?: string }) => ({
  enabled: z.boolean().default(true),
  severity: severity.default(defaults.severity),
  delay: durationSchema
    .prefault(defaults.delay ?? '1s')
    .describe('How long the condition must hold before it is raised'),
});

/** A point selector: a device (or every device of a profile) and its point. */
const pointSelector = {
  device: slugSchema.optional().describe('Device id; without it, every device that has the point'),
  profile: z.string().optional().describe('Only devices of this profile, e.g. modbus/acrel/adw300'),
  point: slugSchema,
};

/** A meter event (reset, rollover, replacement, reverse, jump) is raised, then cleared once the counter has been normal this long. */
const meterEvent = (s: (typeof alarmSeverities)[number]) => ({
  ...common({ severity: s }),
  clear_after: durationSchema
    .prefault('15min')
    .describe('Cleared once the readings after the event have been ordinary this long (the data’s time)'),
});

export const alarmRulesSchema = z
  .object({
    broker_unreachable: z
      .object(common({ severity: 'critical', delay: '10s' }))
      .strict()
      .prefault({}),
    gateway_offline: z
      .object(common({ severity: 'critical', delay: '30s' }))
      .strict()
      .prefault({}),
    device_offline: z
      .object(common({ severity: 'major', delay: '1min' }))
      .strict()
      .prefault({}),
    comm_errors: z
      .object({
        ...common({ severity: 'minor', delay: '2min' }),
        share: z.number().gt(0).max(1).default(0.2).describe('Share of a device’s readings with bad quality'),
        window: durationSchema
          .prefault('10min')
          .describe('The share is of the readings of this last stretch (the data’s time)'),
      })
      .strict()
      .prefault({}),
    collector_silence: z
      .object(common({ severity: 'critical' }))
      .strict()
      .prefault({}),
    store_write_failed: z
      .object(common({ severity: 'critical', delay: '30s' }))
      .strict()
      .prefault({}),
    stale: z
      .object({
        ...common({ severity: 'minor' }),
        after: durationSchema.prefault('10min').describe('No new reading of a point for this long'),
      })
      .strict()
      .prefault({}),
    stuck: z
      .object({
        ...common({ severity: 'minor' }),
        points: z
          .array(
            z
              .object({
                ...pointSelector,
                for: durationSchema.describe('Unchanged for this long where it should move'),
                tolerance: z.number().min(0).default(0),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .prefault({}),
    out_of_range: z
      .object({
        ...common({ severity: 'major', delay: '5min' }),
        points: z
          .array(
            z
              .object({
                ...pointSelector,
                min: z.number().optional(),
                max: z.number().optional(),
                deadband: z.number().min(0).default(0).describe('Clears only this far back inside the range'),
                delay: durationSchema.optional(),
                severity: severity.optional(),
              })
              .strict()
              .refine((p) => p.min !== undefined || p.max !== undefined, {
                message: 'give min, max or both',
              }),
          )
          .default([]),
      })
      .strict()
      .prefault({}),
    meter_reset: z.object(meterEvent('major')).strict().prefault({}),
    meter_rollover: z.object(meterEvent('warning')).strict().prefault({}),
    meter_replacement: z.object(meterEvent('warning')).strict().prefault({}),
    meter_reverse: z.object(meterEvent('major')).strict().prefault({}),
    meter_jump: z
      .object({
        ...meterEvent('major'),
        max_kw: z
          .number()
          .positive()
          .optional()
          .describe('Physical bound of an electricity meter’s draw; default from the meter’s largest hour'),
        max_m3h: z.number().positive().optional().describe('Physical bound of a water meter’s flow'),
      })
      .strict()
      .prefault({}),
    meter_balance: z
      .object({
        ...common({ severity: 'minor' }),
        share: z.number().gt(0).max(1).default(0.1).describe('|main − Σ sub| / main over a day'),
      })
      .strict()
      .prefault({}),
    after_hours: z
      .object({
        ...common({ severity: 'minor' }),
        ratio: z
          .number()
          .gt(1)
          .default(1.5)
          .describe('Above this multiple of the learned hour-of-week baseline'),
        min_kwh: z.number().min(0).default(5).describe('And at least this much above it, kWh in the hour'),
        weeks: z.number().int().min(1).max(52).default(4).describe('Weeks the baseline learns from'),
      })
      .strict()
      .prefault({}),
    night_flow: z
      .object({
        ...common({ severity: 'major' }),
        threshold_m3h: z.number().positive().default(0.05).describe('Minimum night flow above this, m³/h'),
        nights: z.number().int().min(1).max(30).default(3),
        window: z
          .string()
          .regex(hourRange, 'a local time range HH:MM-HH:MM, e.g. 22:00-07:00')
          .default('01:00-05:00')
          .describe('The night hours, local time'),
      })
      .strict()
      .prefault({}),
    not_following: z
      .object(common({ severity: 'major' }))
      .strict()
      .prefault({}),
    write_failing: z
      .object(common({ severity: 'major' }))
      .strict()
      .prefault({}),
    target_trend: z
      .object(common({ severity: 'minor' }))
      .strict()
      .prefault({}),
    quota: z
      .object({
        ...common({ severity: 'minor' }),
        warning_at: z
          .number()
          .gt(0)
          .max(10)
          .default(0.8)
          .describe(
            '预警 from this share of the quota due by now (year to date ÷ prorated quota), default 0.8',
          ),
        exceeded_at: z
          .number()
          .gt(0)
          .max(10)
          .default(1)
          .describe('超定额 from this share, default 1 (100 %)'),
        exceeded_severity: severity
          .default('major')
          .describe('Severity of the 超定额 alarm (预警 has `severity`)'),
        min_days: z
          .number()
          .int()
          .min(1)
          .max(366)
          .default(31)
          .describe('Days of the year gone before a quota is judged (a few days’ share of a year is noise)'),
      })
      .strict()
      .refine((q) => q.warning_at < q.exceeded_at, {
        message: 'warning_at must be below exceeded_at',
        path: ['warning_at'],
      })
      .prefault({}),
  })
  .strict();
export type AlarmRulesConfig = z.infer<typeof alarmRulesSchema>;

/** A place notifications go. Secrets (webhook URLs with their tokens, passwords) may be given by environment variable. */
export const alarmChannelSchema = z.discriminatedUnion('type', [
  z
    .object({
      id: slugSchema,
      type: z.literal('webhook'),
      url: z.string().url().optional(),
      url_env: z.string().optional().describe('Environment variable holding the URL'),
    })
    .strict(),
  z
    .object({
      id: slugSchema,
      type: z.literal('wecom'),
      url: z
        .string()
        .url()
        .optional()
        .describe('企业微信群机器人 webhook URL (…/cgi-bin/webhook/send?key=…)'),
      url_env: z.string().optional(),
    })
    .strict(),
  z
    .object({
      id: slugSchema,
      type: z.literal('dingtalk'),
      url: z.string().url().optional().describe('钉钉机器人 webhook URL (…/robot/send?access_token=…)'),
      url_env: z.string().optional(),
      secret_env: z.string().optional().describe('Environment variable holding the 加签 secret (SEC…)'),
    })
    .strict(),
  z
    .object({
      id: slugSchema,
      type: z.literal('email'),
      smtp_url: z.string().optional().describe('smtp://user:pass@host:port or smtps://…'),
      smtp_url_env: z.string().optional(),
      from: z.string().min(3),
      to: z.array(z.string().min(3)).min(1),
    })
    .strict(),
  z.object({ id: slugSchema, type: z.literal('mqtt') }).strict(),
]);
export type AlarmChannel = z.infer<typeof alarmChannelSchema>;

export const alarmRouteSchema = z
  .object({
    id: slugSchema,
    channels: z.array(slugSchema).min(1),
    severities: z.array(severity).optional().describe('Only these severities; default all'),
    buildings: z.array(slugSchema).optional(),
    rules: z.array(z.enum(alarmRules)).optional(),
    quiet_hours: z
      .string()
      .regex(hourRange, 'a local time range HH:MM-HH:MM, e.g. 22:00-07:00')
      .optional()
      .describe('Local hours when this route sends nothing but critical alarms, e.g. 22:00-07:00'),
    escalate_after: durationSchema.optional().describe('Not acknowledged this long: sent to escalate_to'),
    escalate_to: slugSchema.optional().describe('The route an unacknowledged alarm goes to next'),
  })
  .strict();

export const alarmsSchema = z
  .object({
    hold_off: durationSchema
      .prefault('10min')
      .describe('An alarm that clears and comes back within this is the same alarm'),
    rules: alarmRulesSchema.prefault({}),
    channels: z.array(alarmChannelSchema).default([]),
    routes: z.array(alarmRouteSchema).default([]),
    rate_limit: z
      .object({ per_hour: z.number().int().min(1).default(30) })
      .strict()
      .prefault({})
      .describe('At most this many messages an hour per channel; the rest wait for the digest'),
    digest: z
      .object({
        at: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:MM, e.g. 08:30')
          .default('08:30'),
        channels: z.array(slugSchema).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((a, ctx) => {
    // A route naming a channel or route that is not there would never send: say so when the file is read.
    const channels = new Set(a.channels.map((c) => c.id));
    const routes = new Set(a.routes.map((r) => r.id));
    a.routes.forEach((r, i) => {
      r.channels.forEach((c, k) => {
        if (!channels.has(c))
          ctx.addIssue({
            code: 'custom',
            path: ['routes', i, 'channels', k],
            message: `no channel "${c}"; channels are: ${[...channels].join(', ') || '(none)'}`,
          });
      });
      if (r.escalate_to !== undefined && !routes.has(r.escalate_to))
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'escalate_to'],
          message: `no route "${r.escalate_to}"; routes are: ${[...routes].join(', ')}`,
        });
      if ((r.escalate_to === undefined) !== (r.escalate_after === undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, r.escalate_to === undefined ? 'escalate_to' : 'escalate_after'],
          message: 'give escalate_after and escalate_to together',
        });
    });
    a.digest.channels.forEach((c, k) => {
      if (!channels.has(c))
        ctx.addIssue({
          code: 'custom',
          path: ['digest', 'channels', k],
          message: `no channel "${c}"; channels are: ${[...channels].join(', ') || '(none)'}`,
        });
    });
  });
export type AlarmsConfig = z.infer<typeof alarmsSchema>;
