import { JnError } from '../errors.ts';
import { localParts } from '../localTime.ts';
import { localDayStarter, localMidnight } from '../rollup/consumption.ts';

/**
 * The bucket grid of a readings history (`Store.history`), computed once here so that both stores
 * aggregate into exactly the same buckets. Buckets shorter than a day divide the day and are
 * anchored at the local midnight of the day `from` falls in (Asia/Shanghai: local hours, quarter
 * hours…); buckets of a day or more are whole local days (site time zone, never UTC days), so a
 * day bucket runs from local midnight to local midnight even where a day has 23 or 25 hours.
 */
export const DAY_MS = 86_400_000;

/** Most buckets one history query may ask for (a chart shows a few thousand points at most). */
export const MAX_BUCKETS = 5000;

/** One bucket of a readings history. Empty buckets have count 0 and null min/max/avg (a gap). */
export interface HistoryBucket {
  /** Start of the bucket, ms; it ends where the next begins. */
  start: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  /** Readings with a value in the bucket (bad-quality readings carry none). */
  count: number;
}

export interface HistoryQuery {
  device: string;
  point: string;
  /** Inclusive, ms. */
  from: number;
  /** Exclusive, ms. */
  to: number;
  /** Bucket length, ms: a divisor of a day, or a whole number of days. */
  bucketMs: number;
  /** IANA zone the buckets are local to (default Asia/Shanghai). */
  timeZone?: string | undefined;
}

/** Partial aggregates of one bucket as a store computes them; merged exactly (min, max, sum, count). */
export interface BucketPart {
  /** Any instant inside the bucket (the store's own bucket start). */
  at: number;
  min: number | null;
  max: number | null;
  sum: number | null;
  count: number;
}

/** Whether `bucketMs` is a length the grid supports, or why not. */
export function bucketProblem(bucketMs: number): string | undefined {
  if (!Number.isInteger(bucketMs) || bucketMs < 1000)
    return `bucket of ${bucketMs} ms: allowed: a whole number of seconds, at least 1 s`;
  if (bucketMs < DAY_MS ? DAY_MS % bucketMs !== 0 : bucketMs % DAY_MS !== 0)
    return `bucket of ${bucketMs} ms neither divides a day nor is a whole number of days`;
  return undefined;
}

/**
 * The edges of the buckets covering [from, to): edges[i] is the start of bucket i, the last edge
 * the end of the last bucket (at or after `to`). Throws a `bad_request` naming the limit when the
 * range needs more than `MAX_BUCKETS` buckets.
 */
export function bucketEdges(q: Pick<HistoryQuery, 'from' | 'to' | 'bucketMs' | 'timeZone'>): number[] {
  const problem = bucketProblem(q.bucketMs);
  if (problem) throw new JnError('bad_request', problem);
  if (!(q.to > q.from)) return [];
  const timeZone = q.timeZone ?? 'Asia/Shanghai';
  const midnight = localDayStarter(timeZone)(q.from);
  if (q.bucketMs < DAY_MS) {
    const first = midnight + Math.floor((q.from - midnight) / q.bucketMs) * q.bucketMs;
    const n = Math.ceil((q.to - first) / q.bucketMs);
    tooMany(n, q.bucketMs);
    return Array.from({ length: n + 1 }, (_, i) => first + i * q.bucketMs);
  }
  const days = q.bucketMs / DAY_MS;
  // Bounded before walking dates: at least 23 hours a day in any zone.
  tooMany(Math.ceil((q.to - midnight) / (days * 23 * 3_600_000)) - 1, q.bucketMs);
  const edges = [midnight];
  let date = localParts(midnight + 12 * 3_600_000, timeZone).date;
  while ((edges.at(-1) as number) < q.to) {
    date = addDays(date, days);
    edges.push(localMidnight(date, timeZone));
  }
  tooMany(edges.length - 1, q.bucketMs);
  return edges;
}

function tooMany(n: number, bucketMs: number): void {
  if (n > MAX_BUCKETS)
    throw new JnError(
      'bad_request',
      `interval: ${n} buckets of ${bucketMs / 1000} s are too many; allowed: at most ${MAX_BUCKETS} buckets per request (a longer interval or a shorter range)`,
      {
        zh: `interval：${n} 个时段（每段 ${bucketMs / 1000} 秒）过多；每次最多 ${MAX_BUCKETS} 个时段（请加长时段或缩短范围）`,
      },
    );
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Merges a store's partial aggregates into the buckets between `edges`: each part goes to the
 * bucket containing its `at`; buckets without a value are gaps (count 0, null min/max/avg).
 * avg is sum / count for both stores alike.
 */
export function mergeBuckets(edges: readonly number[], parts: readonly BucketPart[]): HistoryBucket[] {
  const acc = edges.slice(0, -1).map((start) => ({ start, min: Infinity, max: -Infinity, sum: 0, count: 0 }));
  for (const p of parts) {
    if (p.count === 0 || p.min === null || p.max === null || p.sum === null) continue;
    const i = bucketIndex(edges, p.at);
    const b = acc[i];
    if (!b) continue;
    b.min = Math.min(b.min, p.min);
    b.max = Math.max(b.max, p.max);
    b.sum += p.sum;
    b.count += p.count;
  }
  return acc.map((b) =>
    b.count === 0
      ? { start: b.start, min: null, max: null, avg: null, count: 0 }
      : { start: b.start, min: b.min, max: b.max, avg: b.sum / b.count, count: b.count },
  );
}

/** Index of the bucket containing `at` (binary search), or -1 outside the edges. */
function bucketIndex(edges: readonly number[], at: number): number {
  let lo = 0;
  let hi = edges.length - 1;
  if (hi < 1 || at < (edges[0] as number) || at >= (edges[hi] as number)) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((edges[mid] as number) <= at) lo = mid;
    else hi = mid;
  }
  return lo;
}
