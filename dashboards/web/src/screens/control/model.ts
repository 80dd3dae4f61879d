/**
 * The control screen's pure parts (no DOM, no i18n): zones and their equipment from GET /points and
 * GET /devices, the rows of a priority array, which priorities a role may take, the body of an
 * override, and whether a device's read-back has followed its command. The unit tests
 * (model.test.ts) check them.
 */
import type { Role } from '../../session';

export interface Effective {
  value: number | null;
  level: number | null;
  source: string | null;
}

/** One writable point as GET /api/v1/points answers it. */
export interface WritablePoint {
  device: string;
  point: string;
  name: string;
  unit: string | null;
  groups: string[];
  effective: Effective;
  /** The point's allowed range, when the API lists it (GET /points does not yet). */
  min?: number | null;
  max?: number | null;
}

/** The allowed range of a point as the dialog shows it, or null when the API gives none. */
export function pointRange(p: {
  min?: number | null;
  max?: number | null;
}): { min: number | undefined; max: number | undefined } | null {
  const min = typeof p.min === 'number' ? p.min : undefined;
  const max = typeof p.max === 'number' ? p.max : undefined;
  return min === undefined && max === undefined ? null : { min, max };
}

/** One device as GET /api/v1/devices answers it (what the screen uses). */
export interface DeviceSummary {
  device: string;
  name: string | null;
  building: string | null;
  availability: { state: string; since?: string | null } | null;
  last_reading_at?: string | null;
}

export interface ZoneDevice {
  device: string;
  name: string;
  points: WritablePoint[];
}

/** A control group (a zone's or a class's equipment) with its devices, in the order the API lists them. */
export interface Zone {
  group: string;
  devices: ZoneDevice[];
}

/**
 * Zones → devices → writable points. A device in several groups is listed under its first; a
 * point without a group goes under `ungrouped`.
 */
export function zonesOf(points: readonly WritablePoint[], devices: readonly DeviceSummary[]): Zone[] {
  const names = new Map(devices.map((d) => [d.device, d.name ?? d.device]));
  const zones = new Map<string, Zone>();
  const deviceZone = new Map<string, ZoneDevice>();
  for (const p of points) {
    let dev = deviceZone.get(p.device);
    if (!dev) {
      const group = p.groups[0] ?? 'ungrouped';
      let zone = zones.get(group);
      if (!zone) {
        zone = { group, devices: [] };
        zones.set(group, zone);
      }
      dev = { device: p.device, name: names.get(p.device) ?? p.device, points: [] };
      zone.devices.push(dev);
      deviceZone.set(p.device, dev);
    }
    dev.points.push(p);
  }
  return [...zones.values()];
}

/**
 * A profile's point name is bilingual, `制冷设定温度 / Cooling setpoint`: the half of the page's
 * language (the whole name when it has no ` / `).
 */
export function pointLabel(name: string, locale: string): string {
  const i = name.indexOf(' / ');
  if (i < 0) return name;
  return locale === 'en' ? name.slice(i + 3) : name.slice(0, i);
}

/** What each level of the array is for (BACnet / Project Haystack; DESIGN §4), as a message key. */
export function levelPurpose(level: number): string {
  if (level <= 2) return 'lifeSafety';
  if (level === 5) return 'critical';
  if (level === 8) return 'manual';
  if (level === 10) return 'demand';
  if (level === 15) return 'optimalStart';
  if (level === 14 || level === 16) return 'schedule';
  return 'unassigned';
}

/** A slot as GET /api/v1/points/:device/:point answers it. */
export interface Slot {
  level: number;
  value: number | null;
  source?: string;
  reason?: string | null;
  set_at?: string;
  expires_at?: string | null;
}

export interface PriorityArray {
  device: string;
  point: string;
  name?: string;
  unit?: string | null;
  effective: Effective;
  relinquish_default: number | null;
  last_written?: number | null;
  levels: Slot[];
}

export interface PriorityRow {
  /** 1–16, or `default` for the relinquish default. */
  level: number | 'default';
  purpose: string;
  value: number | null;
  source: string | null;
  reason: string | null;
  setAt: string | null;
  expiresAt: string | null;
  /** This row's value is the one in effect. */
  inEffect: boolean;
}

/** The 16 levels in order, then the relinquish default; the row in effect marked (in words by the page). */
export function priorityRows(a: PriorityArray): PriorityRow[] {
  const rows: PriorityRow[] = [];
  for (let level = 1; level <= 16; level++) {
    const s = a.levels.find((l) => l.level === level);
    rows.push({
      level,
      purpose: levelPurpose(level),
      value: s?.value ?? null,
      source: s?.value === null || s?.value === undefined ? null : (s.source ?? null),
      reason: s?.reason ?? null,
      setAt: s?.set_at ?? null,
      expiresAt: s?.expires_at ?? null,
      inEffect: a.effective.level === level,
    });
  }
  rows.push({
    level: 'default',
    purpose: 'relinquishDefault',
    value: a.relinquish_default,
    source: null,
    reason: null,
    setAt: null,
    expiresAt: null,
    inEffect: a.effective.level === null && a.effective.source === 'relinquish_default',
  });
  return rows;
}

/** `user:王工` → `王工`; `schedule:x` stays as it is (the page words the kind). */
export function holderOf(source: string | null): { kind: string; name: string } | null {
  if (!source) return null;
  const i = source.indexOf(':');
  if (i < 0) return { kind: source, name: '' };
  return { kind: source.slice(0, i), name: source.slice(i + 1) };
}

/**
 * The priorities a role may take (control's command_privileges: engineers 8–16, admins 1–16;
 * officers and viewers none). The API refuses anything else anyway and says why.
 */
export function allowedPriorities(role: Role | undefined): number[] {
  if (role === 'admin') return Array.from({ length: 16 }, (_, i) => i + 1);
  if (role === 'engineer') return Array.from({ length: 9 }, (_, i) => i + 8);
  return [];
}

/** Whether `role` may relinquish `level` (the privilege of setting it). */
export const mayRelease = (role: Role | undefined, level: number) => allowedPriorities(role).includes(level);

/** The instant of a wall-clock time `YYYY-MM-DDTHH:mm[:ss]` in `timeZone` (ms since the epoch). */
export function wallTimeToInstant(wall: string, timeZone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(wall);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const asUtc = Date.UTC(y as number, (mo as number) - 1, d, h, mi, Number.isNaN(s) ? 0 : s);
  // The zone's offset at that instant, found twice (the second guess settles a DST edge).
  let t = asUtc - offsetAt(asUtc, timeZone);
  t = asUtc - offsetAt(t, timeZone);
  return t;
}

function offsetAt(t: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return local - Math.floor(t / 1000) * 1000;
}

export type ExpiryKind = 'for' | 'until' | 'permanent';

export interface OverrideForm {
  value: number | undefined;
  priority: number;
  expiry: ExpiryKind;
  /** A duration the API takes: `30min`, `1h`, `2d`. */
  duration: string;
  /** A local wall time `YYYY-MM-DDTHH:mm:ss` in the site's zone. */
  until: string;
  reason: string;
}

export interface OverrideBody {
  value: number;
  priority: number;
  for?: string;
  until?: string;
  reason: string;
}

/**
 * The body of PUT …/override from the dialog's form, or the message key of what is missing (the
 * reason is required; a value and an expiry must be given). Limits of value and priority are the
 * API's to check: it answers with the reason.
 */
export function overrideBody(
  f: OverrideForm,
  timeZone: string,
): { body: OverrideBody; problem?: undefined } | { body?: undefined; problem: string } {
  if (f.value === undefined || !Number.isFinite(f.value)) return { problem: 'valueRequired' };
  const reason = f.reason.trim();
  if (!reason) return { problem: 'reasonRequired' };
  const body: OverrideBody = { value: f.value, priority: f.priority, reason };
  if (f.expiry === 'for') {
    if (!f.duration) return { problem: 'durationRequired' };
    body.for = f.duration;
  } else if (f.expiry === 'until') {
    const t = wallTimeToInstant(f.until, timeZone);
    if (!Number.isFinite(t)) return { problem: 'untilRequired' };
    body.until = new Date(t).toISOString();
  }
  return { body };
}

/** What the answer of an override said about the write, for the page to word. */
export type WriteState =
  | { kind: 'written'; readBack: number | null; following: boolean }
  | { kind: 'failed'; status: string; reason: string | null }
  | { kind: 'outranked'; level: number; source: string | null }
  | { kind: 'noWrite' };

/**
 * The write of an override's answer: written with a read-back that follows (within `tolerance`) or
 * not, a failed write, a slot outranked by a higher one, or no write in the answer (the value in
 * effect did not change, or control deferred it: the page then watches the device's readings).
 */
export function writeState(
  answer: { effective: Effective; write?: unknown },
  command: { value: number; priority: number },
  tolerance = 0.01,
): WriteState {
  const w = answer.write as { status?: string; readBack?: number | null; reason?: string } | undefined;
  if (w?.status === 'written') {
    const rb = w.readBack ?? null;
    return {
      kind: 'written',
      readBack: rb,
      following: rb !== null && Math.abs(rb - command.value) <= tolerance,
    };
  }
  if (w?.status) return { kind: 'failed', status: w.status, reason: w.reason ?? null };
  const eff = answer.effective;
  if (eff.level !== null && eff.level < command.priority)
    return { kind: 'outranked', level: eff.level, source: eff.source };
  return { kind: 'noWrite' };
}

/**
 * The device's reported value that the answer of a write carries: a written read-back is what the
 * device itself answered at the write, so it is the newest report of the point (null otherwise).
 */
export function readBackReport(
  state: WriteState,
  answeredAt: string,
): { value: number; ts: string; quality: string } | null {
  if (state.kind !== 'written' || state.readBack === null) return null;
  return { value: state.readBack, ts: answeredAt, quality: 'good' };
}

/** Whether a reported value follows the command. */
export const follows = (reported: number | null | undefined, command: number, tolerance = 0.01) =>
  reported !== null && reported !== undefined && Math.abs(reported - command) <= tolerance;

export interface ZoneTable {
  /** Every writable point any device of the zone has, in the order first met. */
  columns: { point: string; name: string; unit: string | null }[];
  rows: { device: string; name: string; values: Record<string, Effective | undefined> }[];
}

/** A zone's equipment side by side: one row per device, one column per writable point (setpoints, modes, switches). */
export function zoneTable(zone: Zone): ZoneTable {
  const columns: ZoneTable['columns'] = [];
  for (const d of zone.devices)
    for (const p of d.points)
      if (!columns.some((c) => c.point === p.point))
        columns.push({ point: p.point, name: p.name, unit: p.unit });
  return {
    columns,
    rows: zone.devices.map((d) => ({
      device: d.device,
      name: d.name,
      values: Object.fromEntries(d.points.map((p) => [p.point, p.effective])),
    })),
  };
}
