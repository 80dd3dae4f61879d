/** One changed place between two schedule versions; a side is absent where the path does not exist there. */
export interface ScheduleChange {
  /** As validation problems name places: `week.workday[0].value`, `priority`. */
  path: string;
  before?: unknown;
  after?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const join = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * The changed paths from `before` to `after` (two schedules as JSON), leaves first in document order:
 * objects key by key, arrays index by index (a time-value pair moved is each index changed, as an
 * engineer reads the program line by line). Equal documents give none.
 */
export function diffSchedules(before: unknown, after: unknown, path = ''): ScheduleChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => side(before, after, k, join(path, k)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const n = Math.max(before.length, after.length);
    return Array.from({ length: n }, (_, i) => i).flatMap((i) => side(before, after, i, join(path, i)));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: path || '(root)', before, after }];
}

function side(
  a: Record<string, unknown> | unknown[],
  b: Record<string, unknown> | unknown[],
  key: string | number,
  path: string,
): ScheduleChange[] {
  const has = (o: typeof a) => (Array.isArray(o) ? (key as number) < o.length : Object.hasOwn(o, key));
  const get = (o: typeof a) => (o as Record<string | number, unknown>)[key];
  if (!has(a)) return [{ path, after: get(b) }];
  if (!has(b)) return [{ path, before: get(a) }];
  return diffSchedules(get(a), get(b), path);
}

/** Whether two schedules (as JSON) are the same document. */
export function sameSchedule(a: unknown, b: unknown): boolean {
  return diffSchedules(a, b).length === 0;
}
