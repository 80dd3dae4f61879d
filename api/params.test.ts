import { describe, expect, it } from 'vitest';
import { dateProblem, endOf, parseQuery, wholeNumber } from './params.ts';

describe('API query parameters', () => {
  it('knows which dates exist, Gregorian leap years included', () => {
    expect(dateProblem('2024-02-29')).toBeUndefined();
    expect(dateProblem('2000-02-29')).toBeUndefined(); // divisible by 400
    expect(dateProblem('2100-02-29')).toBe('"2100-02-29" is not a calendar date (February 2100 has 28 days)');
    expect(dateProblem('2025-04-31')).toBe('"2025-04-31" is not a calendar date (April 2025 has 30 days)');
    expect(dateProblem('2025-00-10')).toBe('"2025-00-10" is not a calendar date (there is no month 0)');
    expect(dateProblem('1999-12-31')).toBe('"1999-12-31" is outside 2000-01-01 … 2100-12-31');
    expect(dateProblem('2025-7-1')).toBe('"2025-7-1" is not a date');
  });

  it('ends a range given as a local date at the midnight after it (the last day is included)', () => {
    expect(new Date(endOf('2025-07-31', 'Asia/Shanghai')).toISOString()).toBe('2025-07-31T16:00:00.000Z');
    expect(new Date(endOf('2025-07-31T08:00:00+08:00', 'Asia/Shanghai')).toISOString()).toBe(
      '2025-07-31T00:00:00.000Z',
    );
  });

  it('quotes a long value cut short, and names unknown parameters last', () => {
    const long = 'x'.repeat(3000);
    expect(() =>
      parseQuery({ limit: long, colour: 'red' }, { limit: wholeNumber(1, 10).optional() }),
    ).toThrow(
      `limit: "${'x'.repeat(40)}…" (3000 characters) is not allowed; allowed: a whole number from 1 to 10. ` +
        'unknown parameter(s) "colour"; allowed: limit',
    );
  });
});
