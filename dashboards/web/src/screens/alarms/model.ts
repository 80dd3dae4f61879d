import type { components } from '../../api/client';
/**
 * The 报警 screen's pure parts (unit-tested in model.test.ts): the alarm as GET /api/v1/alarms
 * gives it (core/alarms/model.ts is the contract; the console talks only to the API), which row
 * actions a role sees, the list query from the filters, the tag colour of a severity and the
 * shelving shortcuts (1 h, 4 h, tomorrow 08:00 in the site's time zone).
 */
import type { Role } from '../../session';

export const severities = ['critical', 'major', 'minor', 'warning'] as const;
export type Severity = (typeof severities)[number];

/** Every rule an alarm can come from (core/alarms/model.ts alarmRules), in the order the filter lists them. */
export const rules = [
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

/** The rules of the energy data: an energy officer may acknowledge and close their alarms (api/access). */
export const dataRules: ReadonlySet<string> = new Set([
  'meter_balance',
  'after_hours',
  'night_flow',
  'target_trend',
  'quota',
]);

export type AlarmList = 'pending' | 'in_progress' | 'done';
export const lists: readonly AlarmList[] = ['pending', 'in_progress', 'done'];

type Schemas = components['schemas'];
/** An alarm as the API shows it (its OpenAPI schema; times are the site's local ISO time). */
export type Alarm = Schemas['Alarm'];
export type AlarmTransition = Schemas['AlarmTransition'];
/** One notification of an alarm (the notifications table of alarms.db). */
export type Delivery = Schemas['AlarmDelivery'];

export interface AlarmCounts {
  pending: number;
  in_progress: number;
  shelved: number;
  done: number;
  by_severity: Record<string, number>;
}
export const noCounts = (): AlarmCounts => ({
  pending: 0,
  in_progress: 0,
  shelved: 0,
  done: 0,
  by_severity: {},
});

export type AlarmAction = 'acknowledge' | 'shelve' | 'unshelve' | 'close';

/**
 * The row actions `role` sees on `alarm` (hidden, not disabled, when the API would refuse them):
 * admins and engineers all, an energy officer 确认 / 关闭 on the data rules' alarms, a viewer none.
 * 关闭 is for a cleared alarm (an active one closes by itself once acknowledged and cleared).
 */
export function actionsFor(role: Role | undefined, alarm: Alarm): AlarmAction[] {
  if (alarm.state === 'closed' || !role || role === 'viewer') return [];
  const all = role === 'admin' || role === 'engineer';
  if (!all && !(role === 'officer' && dataRules.has(alarm.rule))) return [];
  const out: AlarmAction[] = [];
  if (!alarm.acknowledged) out.push('acknowledge');
  if (all) out.push(alarm.shelved_until ? 'unshelve' : 'shelve');
  if (alarm.state === 'cleared') out.push('close');
  return out;
}

/**
 * The tag of a severity: 紧急 red, 重要 orange, 次要 orange outlined, 提示 grey outlined (the
 * word is always beside the colour; the theme's primary is green, which would read as "fine").
 */
export function severityTag(severity: string): {
  type: 'danger' | 'warning' | 'info';
  effect: 'dark' | 'plain';
} {
  if (severity === 'critical') return { type: 'danger', effect: 'dark' };
  if (severity === 'major') return { type: 'warning', effect: 'dark' };
  if (severity === 'minor') return { type: 'warning', effect: 'plain' };
  return { type: 'info', effect: 'plain' };
}

export interface AlarmFilters {
  severity: string;
  rule: string;
  building: string;
  /** Local dates YYYY-MM-DD, inclusive; empty: no bound. */
  range: [string, string] | null;
}
export const noFilters = (): AlarmFilters => ({ severity: '', rule: '', building: '', range: null });

/** The query of GET /api/v1/alarms for one list and the filters (empty filters left out). */
export function listQuery(list: AlarmList, f: AlarmFilters, limit = 200): Record<string, string> {
  const q: Record<string, string> = {
    list,
    status: list === 'done' ? 'closed' : 'open',
    limit: String(limit),
  };
  if (f.severity) q.severity = f.severity;
  if (f.rule) q.rule = f.rule;
  if (f.building) q.building = f.building;
  if (f.range?.[0] && f.range[1]) {
    q.from = f.range[0];
    q.to = f.range[1];
  }
  return q;
}

/** Where the alarm is: `device/point`, the device, the gateway, else its key. */
export function subjectOf(a: Pick<Alarm, 'device' | 'point' | 'gateway' | 'key'>): string {
  if (a.device && a.point) return `${a.device}/${a.point}`;
  return a.device ?? a.gateway ?? a.key;
}

/** The UTC offset of `timeZone` at `ms`, as `+08:00`. */
export function offsetAt(ms: number, timeZone: string): string {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(ms))
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return m ? `${m[1]}:${m[2] ?? '00'}` : '+00:00';
}

/** `ms` as the ISO time with the offset of `timeZone` (what POST /alarms/:id/shelve takes as `until`). */
export function isoIn(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${offsetAt(ms, timeZone)}`;
}

/**
 * The instant of 08:00 tomorrow in `timeZone` (the shelving shortcut 明天 08:00): the next day's date
 * there, at 08:00 with that day's offset.
 */
export function tomorrowAt8(now: number, timeZone: string): number {
  const today = isoIn(now, timeZone).slice(0, 10);
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1, 8, 0, 0));
  const date = next.toISOString().slice(0, 10);
  // The offset of the next day (a zone with summer time may change it overnight).
  const guess = Date.parse(`${date}T08:00:00Z`);
  return Date.parse(`${date}T08:00:00${offsetAt(guess, timeZone)}`);
}

/** The shelving shortcuts, as instants from `now`. */
export function shelveShortcuts(
  now: number,
  timeZone: string,
): { key: 'h1' | 'h4' | 'tomorrow8'; at: number }[] {
  return [
    { key: 'h1', at: now + 3_600_000 },
    { key: 'h4', at: now + 4 * 3_600_000 },
    { key: 'tomorrow8', at: tomorrowAt8(now, timeZone) },
  ];
}

/** A notification that failed (shown in red with its error). */
export const deliveryFailed = (d: Pick<Delivery, 'status'>) => d.status === 'failed';

/** A transition's note with the instants in it (the DB writes `until 2026-12-03T03:06:12+08:00: …`) as local times. */
export function localNote(note: string | null, format: (iso: string) => string): string {
  if (!note) return '';
  return note.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/g, (iso) => format(iso));
}

/** The rules whose key is a meter id (core/alarms: the meter detectors and 夜间用水). */
export const meterRules: ReadonlySet<string> = new Set([
  'meter_reset',
  'meter_rollover',
  'meter_replacement',
  'meter_reverse',
  'meter_jump',
  'night_flow',
]);

/** What of the site has a page in the console: devices (实时监测), meters and buildings (建筑与区域), with their names. */
export interface SitePages {
  devices: ReadonlyMap<string, string | null>;
  meters: ReadonlyMap<string, string | null>;
  buildings: ReadonlyMap<string, string>;
}
export const noSitePages = (): SitePages => ({ devices: new Map(), meters: new Map(), buildings: new Map() });

/** A console page of what an alarm is about. */
export interface SubjectLink {
  kind: 'device' | 'meter' | 'building';
  id: string;
  /** The page's path: `/monitoring/devices/<device>` or `/buildings?node=<kind>:<id>`. */
  to: string;
}

/**
 * The console's pages of an alarm's subject, where one exists: the device's 实时监测 page, the
 * meter's and the building's node of 建筑与区域. A gateway, the broker or the collector has no page
 * of its own: no link (the text stays). An id the site does not have (a removed device) is no link
 * either, never a link to a "not found".
 */
export function subjectLinks(
  a: Pick<Alarm, 'rule' | 'key' | 'device' | 'building'>,
  site: SitePages,
): { device?: SubjectLink; meter?: SubjectLink; building?: SubjectLink } {
  const out: { device?: SubjectLink; meter?: SubjectLink; building?: SubjectLink } = {};
  if (a.device && site.devices.has(a.device))
    out.device = { kind: 'device', id: a.device, to: `/monitoring/devices/${encodeURIComponent(a.device)}` };
  if (meterRules.has(a.rule) && site.meters.has(a.key))
    out.meter = { kind: 'meter', id: a.key, to: `/buildings?node=${encodeURIComponent(`meter:${a.key}`)}` };
  if (a.building && site.buildings.has(a.building))
    out.building = {
      kind: 'building',
      id: a.building,
      to: `/buildings?node=${encodeURIComponent(`building:${a.building}`)}`,
    };
  return out;
}

/** An `alarm` event of the live stream (core/alarms/model.ts AlarmEvent), as far as an alert needs it. */
export interface AlarmEventData {
  transition: { seq: number; alarm_id: number; action: string };
  alarm: Alarm;
}

/**
 * The new alarm an `alarm` event brings, if it does: a `raise` (a first raise, not a flap coming
 * back within the hold-off — `re_raise` — nor an acknowledgement or a clear), not shelved, and
 * newer than `lastSeq` (the stream replays missed events after a reconnect; a second tab of the
 * same browser has already alerted it). Anything else, or malformed data: undefined.
 */
export function newAlarmOf(data: unknown, lastSeq: number): AlarmEventData | undefined {
  const e = data as Partial<AlarmEventData> | null;
  const tr = e?.transition;
  if (!tr || typeof tr.seq !== 'number' || tr.action !== 'raise' || !e?.alarm) return undefined;
  if (tr.seq <= lastSeq || e.alarm.shelved_until) return undefined;
  return e as AlarmEventData;
}

/**
 * The words of a desktop notification of a new alarm: the title from the catalogue (`新报警：紧急 ·
 * 数值越限`), the body the building and the alarm's message, in the page's language.
 */
export function alertText(
  a: Pick<Alarm, 'severity' | 'rule' | 'message' | 'message_zh' | 'building'>,
  words: {
    title: (names: { severity: string; rule: string }) => string;
    severity: (s: string) => string;
    rule: (r: string) => string;
    building: (id: string) => string;
  },
  locale: string,
): { title: string; body: string } {
  const message = locale === 'en' ? a.message : a.message_zh || a.message;
  const where = a.building ? `${words.building(a.building)}${locale === 'en' ? ': ' : '：'}` : '';
  return {
    title: words.title({ severity: words.severity(a.severity), rule: words.rule(a.rule) }),
    body: `${where}${message}`,
  };
}

/**
 * The query of an export of one list with the filters (GET /api/v1/alarms?format=…): the list's
 * query without its page size, so the file holds every alarm that matches, not the rows shown.
 */
export function exportQuery(list: AlarmList, f: AlarmFilters, format: 'csv' | 'xlsx'): string {
  const { limit: _shown, ...q } = listQuery(list, f);
  return new URLSearchParams({ ...q, format }).toString();
}
