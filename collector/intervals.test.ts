import { describe, expect, it } from 'vitest';
import { Intervals } from './intervals.ts';

describe('intervals', () => {
  it('merges overlapping and adjacent ranges and names what is missing', () => {
    const set = new Intervals();
    set.add(5, 7);
    set.add(1, 2);
    set.add(3, 3); // adjacent to 1–2: one range 1–3
    set.add(10, 12);
    expect(set.size).toBe(3);
    expect(set.missing(1, 14, 100)).toEqual([4, 8, 9, 13, 14]);
    set.add(4, 4); // joins 1–3 and 5–7
    expect(set.size).toBe(2);
    expect(set.runFrom(1)).toBe(7);
    expect(set.missing(1, 14, 100)).toEqual([8, 9, 13, 14]);
    expect(set.missing(1, 14, 1)).toEqual([8]);
    set.dropUpTo(10);
    expect(set.runFrom(11)).toBe(12);
    expect(set.missing(1, 12, 100)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});
