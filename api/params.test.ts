import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JnError } from '../core/errors.ts';
import {
  bodyDetail,
  dateOrInstant,
  dateProblem,
  dateProblems,
  endOf,
  parseQuery,
  wholeNumber,
} from './params.ts';

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

  it('says each date problem in Chinese too, by the same decision', () => {
    expect(['2100-02-29', '2025-00-10', '1999-12-31', '2025-7-1', '2025-07-01'].map(dateProblems)).toEqual([
      {
        en: '"2100-02-29" is not a calendar date (February 2100 has 28 days)',
        zh: '"2100-02-29" 不是日历上的日期（2100 年 2 月只有 28 天）',
      },
      {
        en: '"2025-00-10" is not a calendar date (there is no month 0)',
        zh: '"2025-00-10" 不是日历上的日期（没有 0 月）',
      },
      {
        en: '"1999-12-31" is outside 2000-01-01 … 2100-12-31',
        zh: '"1999-12-31" 不在 2000-01-01 … 2100-12-31 之内',
      },
      { en: '"2025-7-1" is not a date', zh: '"2025-7-1" 不是日期' },
      undefined,
    ]);
  });

  it('throws a refused query in both languages (zh for the API default, English as before)', () => {
    const shape = { from: dateOrInstant('Asia/Shanghai'), limit: wholeNumber(1, 10).optional() };
    let thrown: unknown;
    try {
      parseQuery({ from: '2025-07-01T25:00:00+08:00', limit: ['1', '2'], x: '1' }, shape);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(JnError);
    const allowed =
      'a local date YYYY-MM-DD (Asia/Shanghai) from 2000-01-01 to 2100-12-31, or an ISO-8601 instant with offset in those years';
    expect({ en: (thrown as JnError).message, zh: (thrown as JnError).zh }).toEqual({
      en: `from: "2025-07-01T25:00:00+08:00" is not a time of day; allowed: ${allowed}. limit: given 2 times; allowed: once, a whole number from 1 to 10. unknown parameter(s) "x"; allowed: from, limit`,
      zh: `from："2025-07-01T25:00:00+08:00" 不是一天中的时刻；允许：${allowed}。limit：给了 2 次；允许：一次，a whole number from 1 to 10。未知参数 "x"；允许的参数：from, limit。`,
    });
  });

  it('words a refused body with zod’s zh-CN messages, messages a schema wrote itself as written', () => {
    const schema = z.object({ n: z.number().max(5), s: z.string().max(3, 'at most 3 letters') }).strict();
    const input = { n: 9, s: 'long', y: 1 };
    const parsed = schema.safeParse(input);
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(bodyDetail(schema, input, parsed.error)).toEqual({
      en: 'n: Too big: expected number to be <=5; s: at most 3 letters; unknown field(s) y',
      zh: 'n：数值过大：期望 number <=5；s：at most 3 letters；未知字段 y',
    });
  });
});
