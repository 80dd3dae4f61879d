/**
 * The monitoring screen's pure parts (no DOM, no i18n): the device rows from GET /devices and GET
 * /readings/latest, the value a row shows, the filters (offline, stale, bad) and the search, what a
 * live `reading` or `availability` event changes, and the gateways' state. Unit tests: model.test.ts.
 */

export type Quality = 'good' | 'uncertain' | 'bad';
export type OnlineState = 'online' | 'offline' | 'unknown';

export interface Availability {
  state: 'online' | 'offline';
  since: string | null;
  reason?: string;
  gateway: string;
}

/** One device as GET /api/v1/devices answers it (what the screen uses). */
export interface DeviceSummary {
  device: string;
  name: string | null;
  gateway: string;
  connection: string;
  protocol: string;
  profile: string;
  building: string | null;
  availability: Availability | null;
  last_reading_at: string | null;
  age_s: number | null;
  point_count: number;
  readings: { good: number; stale: number; bad: number };
}

/** One row of GET /api/v1/readings/latest (what the screen uses). */
export interface LatestReading {
  device: string;
  point: string;
  value: number | null;
  unit: string | null;
  ts: string;
  quality: Quality;
  reason?: string;
  building?: string;
  meter?: string;
  category?: string;
  subitem?: string | null;
}

/** A point's newest reading as the screen keeps it. */
export interface PointValue {
  point: string;
  value: number | null;
  unit: string | null;
  /** Epoch ms of the reading (source time). */
  at: number;
  quality: Quality;
  reason?: string;
}

export interface DeviceRow {
  device: string;
  name: string | null;
  gateway: string;
  connection: string;
  protocol: string;
  profile: string;
  building: string | null;
  state: OnlineState;
  since: string | null;
  reason: string | undefined;
  /** Epoch ms of the newest reading, undefined before any. */
  lastAt: number | undefined;
  points: Record<string, PointValue>;
}

/** A reading older than this is stale, whatever its quality (the filter's word says so). */
export const STALE_AFTER_MS = 15 * 60_000;

/** The points a row shows as "its" value, first present wins: power, then flow, then temperature. */
const primaryOrder = [
  'active_power',
  'electric_power',
  'flow_rate',
  'standard_flow',
  'zone_temperature',
  'dim_level_1',
];

export function rowsOf(devices: readonly DeviceSummary[], latest: readonly LatestReading[]): DeviceRow[] {
  const by = new Map<string, Record<string, PointValue>>();
  for (const r of latest) {
    const points = by.get(r.device) ?? {};
    points[r.point] = pointValueOf(r);
    by.set(r.device, points);
  }
  return devices.map((d) => ({
    device: d.device,
    name: d.name,
    gateway: d.gateway,
    connection: d.connection,
    protocol: d.protocol,
    profile: d.profile,
    building: d.building,
    state: d.availability?.state ?? 'unknown',
    since: d.availability?.since ?? null,
    reason: d.availability?.reason,
    lastAt: d.last_reading_at ? Date.parse(d.last_reading_at) : undefined,
    points: by.get(d.device) ?? {},
  }));
}

export function pointValueOf(r: {
  point: string;
  value: number | null;
  unit?: string | null | undefined;
  ts: string;
  quality: Quality;
  reason?: string | null | undefined;
}): PointValue {
  return {
    point: r.point,
    value: r.value,
    unit: r.unit ?? null,
    at: Date.parse(r.ts),
    quality: r.quality,
    ...(r.reason ? { reason: r.reason } : {}),
  };
}

/** The reading a row shows in its value column: its power, flow or temperature, else its first point. */
export function primaryOf(row: Pick<DeviceRow, 'points'>): PointValue | undefined {
  for (const id of primaryOrder) if (row.points[id]) return row.points[id];
  return Object.values(row.points)[0];
}

/** A relay module's circuits: how many are on of how many (its value column says it in words). */
export function relaysOf(row: Pick<DeviceRow, 'points'>): { on: number; total: number } | undefined {
  const relays = Object.values(row.points).filter((p) => /^relay_\d+$/.test(p.point));
  if (relays.length < 2) return undefined;
  return { on: relays.filter((p) => p.value !== null && p.value !== 0).length, total: relays.length };
}

/** W is shown as kW (what an engineer reads off a meter); other units as they come. */
export function displayValue(p: Pick<PointValue, 'value' | 'unit'>): { value: number | null; unit: string } {
  if (p.unit === 'W') return { value: p.value === null ? null : p.value / 1000, unit: 'kW' };
  return { value: p.value, unit: p.unit ?? '' };
}

export interface QualityCounts {
  good: number;
  stale: number;
  bad: number;
}

/**
 * Good, stale (quality uncertain) and bad latest readings of a row. A point's own age is not
 * counted: a subscription (OPC UA) reports a point only when it changes, so a setpoint that
 * has not moved is not stale; the device's newest reading is (see `passes`).
 */
export function qualityOf(row: Pick<DeviceRow, 'points'>): QualityCounts {
  const c = { good: 0, stale: 0, bad: 0 };
  for (const p of Object.values(row.points)) {
    if (p.quality === 'bad') c.bad++;
    else if (p.quality === 'uncertain') c.stale++;
    else c.good++;
  }
  return c;
}

export type Filter = 'all' | 'offline' | 'stale' | 'bad';
export const filters: readonly Filter[] = ['all', 'offline', 'stale', 'bad'];

/**
 * Whether a row passes the filter at `now`: offline as the API says; stale: an uncertain reading, no
 * reading yet, or none for STALE_AFTER_MS; bad: a bad reading.
 */
export function passes(row: DeviceRow, filter: Filter, now: number): boolean {
  if (filter === 'all') return true;
  if (filter === 'offline') return row.state === 'offline';
  const q = qualityOf(row);
  if (filter === 'bad') return q.bad > 0;
  return q.stale > 0 || row.lastAt === undefined || now - row.lastAt > STALE_AFTER_MS;
}

/** Whether a row matches the search: its id, name, gateway, building (id or name) or profile. */
export function matches(row: DeviceRow, search: string, buildingName?: (id: string) => string): boolean {
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = [
    row.device,
    row.name ?? '',
    row.gateway,
    row.connection,
    row.profile,
    row.building ?? '',
    row.building && buildingName ? buildingName(row.building) : '',
  ]
    .join(' ')
    .toLowerCase();
  return words.every((w) => text.includes(w));
}

/** The data of a `reading` event of the stream: one device's readings of one batch. */
export interface ReadingEvent {
  gateway: string;
  device: string;
  readings: {
    point: string;
    value: number | null;
    unit?: string;
    ts: string;
    quality: Quality;
    reason?: string;
  }[];
}

/** Applies a `reading` event to the rows (in place); returns whether a row changed. */
export function applyReading(rows: DeviceRow[], e: ReadingEvent): boolean {
  const row = rows.find((r) => r.device === e.device);
  if (!row || !Array.isArray(e.readings)) return false;
  for (const r of e.readings) {
    const v = pointValueOf(r);
    const had = row.points[r.point];
    if (had && had.at > v.at) continue; // an older reading (a spool replay) does not overwrite a newer one
    row.points[r.point] = v;
    if (row.lastAt === undefined || v.at > row.lastAt) row.lastAt = v.at;
  }
  return true;
}

/**
 * Applies the stream's readings held since the last flush to the rows: the rows they changed are new
 * objects (the others kept), by timestamp — a newer reading wins, an older one never overwrites.
 * Undefined when nothing changed.
 */
export function applyReadings(
  rows: readonly DeviceRow[],
  events: readonly ReadingEvent[],
): DeviceRow[] | undefined {
  const changed = new Set<string>();
  const copy = [...rows];
  for (const e of events) {
    const i = copy.findIndex((r) => r.device === e.device);
    const row = copy[i];
    if (!row) continue;
    const next = changed.has(row.device) ? row : { ...row, points: { ...row.points } };
    if (applyReading([next], e)) {
      copy[i] = next;
      changed.add(row.device);
    }
  }
  return changed.size ? copy : undefined;
}

/** The data of an `availability` event: one device's, or (device null) a gateway's. */
export interface AvailabilityEvent {
  gateway: string;
  device: string | null;
  state: 'online' | 'offline';
  since: string | null;
  reason?: string;
}

/**
 * Applies an `availability` event (in place). A gateway gone offline takes its devices with it (as
 * the API says them); a gateway back online returns `reload`: its devices' own states are the API's.
 */
export function applyAvailability(
  rows: DeviceRow[],
  gateways: Map<string, OnlineState>,
  e: AvailabilityEvent,
): 'changed' | 'reload' | 'none' {
  if (e.device === null) {
    gateways.set(e.gateway, e.state);
    if (e.state === 'online') return 'reload';
    for (const r of rows)
      if (r.gateway === e.gateway) {
        r.state = 'offline';
        r.since = e.since;
        r.reason = gatewayOfflineReason(e.gateway);
      }
    return 'changed';
  }
  const row = rows.find((r) => r.device === e.device);
  if (!row) return 'none';
  row.state = gateways.get(e.gateway) === 'offline' ? 'offline' : e.state;
  row.since = e.since;
  row.reason = e.state === 'offline' ? e.reason : undefined;
  return 'changed';
}

/** What a device offline because of its gateway says, as the API words it (GET /devices, /devices/{id}). */
export const gatewayOfflineReason = (gateway: string) => `gateway "${gateway}" is offline`;

/**
 * A device's offline reason in the page's language: its gateway's outage (the API's fixed words, or
 * the stream's gateway event) as a catalogue text, any other reason as the API gives it.
 */
export function reasonText(
  reason: string | undefined,
  t: (key: string, named?: Record<string, unknown>) => string,
): string | undefined {
  const gateway = /^gateway "(.+)" is offline$/.exec(reason ?? '')?.[1];
  return gateway !== undefined ? t('monitoring.gatewayOffline', { gateway }) : reason;
}

export interface GatewayRow {
  gateway: string;
  state: OnlineState;
  devices: number;
  online: number;
  offline: number;
  lastAt: number | undefined;
}

/**
 * Each gateway with its devices: offline when it said so (its last will, over the stream) or when
 * the API shows every device of it offline because of it; online when any of its devices is online
 * (it reports them); else unknown.
 */
export function gatewaysOf(rows: readonly DeviceRow[], said: ReadonlyMap<string, OnlineState>): GatewayRow[] {
  const by = new Map<string, DeviceRow[]>();
  for (const r of rows) by.set(r.gateway, [...(by.get(r.gateway) ?? []), r]);
  return [...by].map(([gateway, list]) => {
    const online = list.filter((r) => r.state === 'online').length;
    const offline = list.filter((r) => r.state === 'offline').length;
    const dropped =
      list.length > 0 &&
      list.every((r) => r.state === 'offline' && r.reason === gatewayOfflineReason(gateway));
    const state: OnlineState = said.get(gateway) ?? (dropped ? 'offline' : online > 0 ? 'online' : 'unknown');
    const lastAt = list.reduce<number | undefined>(
      (m, r) => (r.lastAt !== undefined && (m === undefined || r.lastAt > m) ? r.lastAt : m),
      undefined,
    );
    return { gateway, state, devices: list.length, online, offline, lastAt };
  });
}

/** A profile's point name "A相电压 / Phase 1 voltage" in the page's language. */
export function pointName(name: string | null | undefined, locale: string, fallback: string): string {
  if (!name) return fallback;
  const [zh, en] = name.split(' / ');
  if (locale === 'en') return (en ?? zh ?? fallback).trim();
  return (zh ?? fallback).trim();
}
