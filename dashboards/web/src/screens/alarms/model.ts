/** The alarms GET /api/v1/alarms gives, as table rows (pure, unit-tested). */
export interface AlarmRow {
  at: string;
  device: string;
  point: string;
  kind: string;
  message: string;
}

/** Newest first; an answer item missing a field keeps the rest (shown as it is). */
export function alarmRows(alarms: Record<string, unknown>[]): AlarmRow[] {
  const text = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
  return alarms
    .map((a) => ({
      at: text(a.at),
      device: text(a.device),
      point: text(a.point),
      kind: text(a.kind),
      message: text(a.message),
    }))
    .sort((a, b) => (Date.parse(b.at) || 0) - (Date.parse(a.at) || 0));
}
