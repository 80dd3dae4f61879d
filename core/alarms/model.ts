import { z } from 'zod';
import { slugSchema } from '../ids.ts';

/**
 * The alarm contract (issue 17). Detectors — in the alarm service, the collector, control — say
 * what they see as **conditions**: a rule that holds (or no longer holds) for one subject. The
 * alarm service alone turns conditions into **alarms** with a lifecycle (core/alarms/db.ts):
 *
 *   raised ─▶ acknowledged (who, note) ─▶ cleared (by the condition) ─▶ closed
 *   raised ─▶ cleared (unacknowledged: stays 待处理 until someone acknowledges) ─▶ acknowledged ─▶ closed
 *
 * A condition that clears and comes back within the rule's hold-off is the same alarm (its count
 * goes up); an alarm whose cause (`cause`, e.g. its gateway offline, the broker unreachable) is an
 * active alarm is not raised itself: it is counted in the cause's `affected`.
 */

export const alarmSeverities = ['critical', 'major', 'minor', 'warning'] as const;
export type AlarmSeverity = (typeof alarmSeverities)[number];
export const severityZh: Record<AlarmSeverity, string> = {
  critical: '紧急',
  major: '重要',
  minor: '次要',
  warning: '提示',
};

/** Every rule an alarm can come from; its settings are `alarms.rules.<rule>` in the site file (core/alarms/schema.ts). */
export const alarmRules = [
  'broker_unreachable',
  'gateway_offline',
  'device_offline',
  'comm_errors',
  'collector_silence',
  'store_write_failed',
  'stale',
  'stuck',
  'out_of_range',
  'meter_reset',
  'meter_rollover',
  'meter_replacement',
  'meter_reverse',
  'meter_jump',
  'meter_balance',
  'after_hours',
  'night_flow',
  'not_following',
  'write_failing',
  'target_trend',
  'quota',
] as const;
export type AlarmRule = (typeof alarmRules)[number];

/** What each rule is called on a page and in a message. */
export const ruleZh: Record<AlarmRule, string> = {
  broker_unreachable: 'MQTT 消息服务器不可达',
  gateway_offline: '网关离线',
  device_offline: '设备离线',
  comm_errors: '通信错误',
  collector_silence: '采集服务收不到数据',
  store_write_failed: '数据存储写入失败',
  stale: '数据不更新',
  stuck: '数值卡死',
  out_of_range: '数值越限',
  meter_reset: '表计清零',
  meter_rollover: '表计翻转',
  meter_replacement: '换表',
  meter_reverse: '表计反走',
  meter_jump: '读数跳变',
  meter_balance: '总分表不平衡',
  after_hours: '非工作时间用能异常',
  night_flow: '夜间用水（疑似漏水）',
  not_following: '设备未执行指令',
  write_failing: '指令写入失败',
  target_trend: '能耗强度趋势超目标',
  quota: '能耗定额预警',
};

/**
 * A detector's report: `rule` holds (`active`) or no longer holds for `key` (the subject: a
 * device, a point `device/point`, a meter, a building, a gateway). Snake_case: it travels on MQTT.
 */
export const conditionSchema = z
  .object({
    rule: z.enum(alarmRules),
    key: z.string().min(1).max(200).describe('The subject: device, device/point, meter, building, gateway'),
    active: z.boolean(),
    at: z.iso
      .datetime({ offset: true })
      .describe('When the detector saw it (the data’s time, not the arrival)'),
    message: z.string().max(2000).describe('What is wrong, in English, with the figures'),
    message_zh: z.string().max(2000).describe('The same in Chinese, for pages and notifications'),
    severity: z.enum(alarmSeverities).optional().describe('Overrides the rule’s severity'),
    building: slugSchema.optional(),
    device: slugSchema.optional(),
    point: slugSchema.optional(),
    gateway: slugSchema.optional(),
    /** `rule:key` of the alarm that explains this one (flood control), e.g. `gateway_offline:gw-1`. */
    cause: z.string().max(300).optional(),
    value: z.number().finite().optional().describe('The figure the rule judged, if one'),
  })
  .strict();
export type Condition = z.infer<typeof conditionSchema>;

/**
 * A snapshot of every condition one source holds now, retained on `jn/v1/conditions/<source>`:
 * a condition of that source missing from a newer snapshot is cleared. A source that restarts
 * publishes its snapshot anew, so nothing it no longer sees stays raised.
 */
export const conditionSnapshotSchema = z
  .object({
    source: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/)
      .describe('<service>/<instance>, as in the topic'),
    site: slugSchema
      .optional()
      .describe(
        'The site id of the service: the alarm service takes a snapshot only of its own site, matched exactly (a collector’s instance, its client id jn-collector-<site>-<host>, cannot tell fz-demo-2 from fz-demo’s host 2)',
      ),
    at: z.iso.datetime({ offset: true }),
    conditions: z.array(conditionSchema.omit({ active: true })).max(100_000),
  })
  .strict();
export type ConditionSnapshot = z.infer<typeof conditionSnapshotSchema>;

/** Where an alarm is in its life; `state` with `acknowledged` gives the console's three lists. */
export type AlarmState = 'active' | 'cleared' | 'closed';

/** An alarm as the API shows it (snake_case: the wire shape). Times are the site's local ISO time. */
export interface Alarm {
  id: number;
  rule: AlarmRule;
  key: string;
  severity: AlarmSeverity;
  state: AlarmState;
  acknowledged: boolean;
  message: string;
  message_zh: string;
  building: string | null;
  device: string | null;
  point: string | null;
  gateway: string | null;
  value: number | null;
  /** First raised. */
  raised_at: string;
  /** Last raised again (a re-raise within the hold-off, a flap). */
  last_raised_at: string;
  cleared_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  ack_note: string | null;
  closed_at: string | null;
  closed_by: string | null;
  shelved_until: string | null;
  shelved_by: string | null;
  shelve_reason: string | null;
  /** Times raised: 1, or more when it cleared and came back within the hold-off (flapping). */
  count: number;
  /** Subjects whose own alarms this one stands for (flood control): how many, and the first few. */
  affected: number;
  affected_keys: string[];
  /** The console's list: 待处理 (unacknowledged), 处理中 (acknowledged, still active), 已处理 (closed). */
  list: 'pending' | 'in_progress' | 'done';
}

/** One change of an alarm, audited; `seq` orders them across the whole database. */
export interface AlarmTransition {
  seq: number;
  alarm_id: number;
  at: string;
  action:
    | 'raise'
    | 're_raise'
    | 'update'
    | 'clear'
    | 'acknowledge'
    | 'shelve'
    | 'unshelve'
    | 'close'
    | 'affect';
  by: string;
  note: string | null;
}

/** The event an alarm service publishes for each transition, and the API streams. */
export interface AlarmEvent {
  transition: AlarmTransition;
  alarm: Alarm;
}
