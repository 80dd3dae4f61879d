/**
 * A set of whole numbers kept as sorted, disjoint, non-adjacent inclusive ranges: a stream's stored
 * batches take a few ranges however many batches they are (a confirmation of [1, 10⁷] is one range,
 * not ten million entries).
 */
export class Intervals {
  private ranges: [number, number][] = [];

  add(from: number, to: number): void {
    if (to < from) return;
    const out: [number, number][] = [];
    let lo = from;
    let hi = to;
    let placed = false;
    for (const r of this.ranges) {
      if (r[1] < lo - 1) out.push(r);
      else if (r[0] > hi + 1) {
        if (!placed) out.push([lo, hi]);
        placed = true;
        out.push(r);
      } else {
        lo = Math.min(lo, r[0]);
        hi = Math.max(hi, r[1]);
      }
    }
    if (!placed) out.push([lo, hi]);
    this.ranges = out;
  }

  has(n: number): boolean {
    return this.ranges.some(([a, b]) => a <= n && n <= b);
  }

  /** Removes everything up to `upTo`. */
  dropUpTo(upTo: number): void {
    this.ranges = this.ranges.filter((r) => r[1] > upTo).map((r) => [Math.max(r[0], upTo + 1), r[1]]);
  }

  /** The end of the range starting at `from`, if one does. */
  runFrom(from: number): number | undefined {
    const first = this.ranges[0];
    return first && first[0] <= from && first[1] >= from ? first[1] : undefined;
  }

  /** Numbers from `from` to `to` not in the set, at most `limit` of them. */
  missing(from: number, to: number, limit: number): number[] {
    const out: number[] = [];
    let next = from;
    for (const [a, b] of this.ranges) {
      if (b < next) continue;
      for (let n = next; n < Math.min(a, to + 1) && out.length < limit; n++) out.push(n);
      next = Math.max(next, b + 1);
      if (next > to || out.length >= limit) return out;
    }
    for (let n = next; n <= to && out.length < limit; n++) out.push(n);
    return out;
  }

  get size(): number {
    return this.ranges.length;
  }
}
