import type { ApiHarness } from './apiHarness.ts';

/** A schedule the demo site accepts (the lighting group's relay 1 at priority 14, free on every day). */
export const exampleSchedule = {
  id: 'contract-night',
  name: '合同测试 夜间照明',
  group: 'lighting',
  point: 'relay_1',
  priority: 14,
  week: { workday: [{ at: '19:00', value: 0 }] },
};

// The path names the schedule on PUT (a body id would be replaced by it).
const { id: _id, ...scheduleWithoutId } = exampleSchedule;

/**
 * A valid JSON body for each route that takes one, keyed `METHOD /path` as the router lists it:
 * what the contract test sends, and what the fuzz test breaks one way at a time.
 */
export function validBodies(): Record<string, unknown> {
  return {
    'PUT /api/v1/points/:device/:point/override': { value: 1, for: '1h' },
    'POST /api/v1/overtime': { group: 'zonghe-office-ac', until: '21:00' },
    'POST /api/v1/schedules/validate': exampleSchedule,
    'POST /api/v1/schedules': exampleSchedule,
    'PUT /api/v1/schedules/:id': { ...scheduleWithoutId, name: '合同测试 改' },
    'POST /api/v1/schedules/:id/revert': { version: 1, reason: '恢复' },
    'PUT /api/v1/calendar/overrides/:date': { type: 'holiday', note: '停电检修' },
    'POST /api/v1/facts': {
      building: 'zonghe-lou',
      effective_from: '2025-03-16',
      floor_area_m2: 18600,
      headcount: 560,
    },
    'POST /api/v1/entries': {
      building: 'zonghe-lou',
      period_start: '2025-03-01',
      period_end: '2025-03-31',
      energy_type: 'diesel',
      quantity: 0.62,
      unit: 't',
      source: '3月加油卡',
    },
    'POST /api/v1/facts/upload': {
      name: '面积人数.csv',
      content_base64: Buffer.from(
        'building,effective_from,floor_area_m2,headcount\nzonghe-lou,2025-03-16,18600,560\n',
      ).toString('base64'),
    },
    'POST /api/v1/entries/upload': {
      name: '台账.csv',
      content_base64: Buffer.from(
        'building,period_start,period_end,energy_type,quantity,unit,source\nzonghe-lou,2025-03-01,2025-03-31,diesel,0.62,t,3月加油卡\n',
      ).toString('base64'),
    },
    'POST /api/v1/users': { name: '王工', role: 'engineer', password: 'correct horse battery' },
    'PATCH /api/v1/users/:name': { role: 'viewer' },
    'POST /api/v1/auth/login': { user: '王工', password: 'correct horse battery' },
    'POST /api/v1/tokens': { name: 'BMS bridge', role: 'viewer', expires_in: '90d' },
    // The harness's clock stands at 2025-09-29 17:30 (+08:00).
    'POST /api/v1/alarms/:id/acknowledge': { note: '已派人到现场查看' },
    'POST /api/v1/alarms/:id/shelve': { until: '2025-09-30T08:00:00+08:00', reason: '空调检修，明早恢复' },
    'POST /api/v1/alarms/:id/unshelve': { note: '检修提前完成' },
    'POST /api/v1/alarms/:id/close': { note: '已修复' },
  };
}

/** Real entities for the path parameters (a writable point, the example schedule, a date, a user). */
export function pathValues(h: ApiHarness): Record<string, string> {
  const point = h.service.points()[0];
  return {
    device: point?.device ?? 'x',
    point: point?.point ?? 'x',
    id: exampleSchedule.id,
    date: '2025-10-09',
    name: '王工',
  };
}

/** `path` with each `:name` filled from `values` (percent-encoded). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replaceAll(/:([A-Za-z_]+)/g, (_m, n: string) => encodeURIComponent(values[n] ?? n));
}
