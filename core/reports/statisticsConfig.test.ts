import { describe, expect, it } from 'vitest';
import { costTariffSchema } from './statisticsConfig.ts';

const base = { energy_type: 'electricity', effective_from: '2025-01-01', source: '电费单' };
const messages = (v: unknown) => {
  const r = costTariffSchema.safeParse(v);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe('a tariff of the site file', () => {
  it('takes one price, or time-of-use hours that cover the day once (a period may run past midnight)', () => {
    expect(messages({ ...base, price: 0.65 })).toEqual([]);
    const tou = {
      prices: { valley: 0.3, peak: 1, flat: 0.6 },
      hours: [
        { period: 'valley', from: 22, to: 8 },
        { period: 'peak', from: 8, to: 20 },
        { period: 'flat', from: 20, to: 22 },
      ],
    };
    expect(messages({ ...base, time_of_use: tou })).toEqual([]);
  });

  it('refuses both or neither, an hour in two periods, an hour in none and a period without its price', () => {
    expect(messages(base)).toEqual(['give either price or time_of_use']);
    expect(
      messages({
        ...base,
        price: 1,
        time_of_use: { prices: { flat: 1 }, hours: [{ period: 'flat', from: 0, to: 24 }] },
      }),
    ).toEqual(['give either price or time_of_use']);
    expect(
      messages({
        ...base,
        time_of_use: {
          prices: { peak: 1, flat: 0.6 },
          hours: [
            { period: 'peak', from: 8, to: 20 },
            { period: 'flat', from: 19, to: 23 },
            { period: 'valley', from: 23, to: 24 },
          ],
        },
      }),
    ).toEqual([
      'hour 19 is in both peak and flat',
      'no price for valley',
      'hours 0, 1, 2, 3, 4, 5, 6, 7 are in no period; cover 0–24',
    ]);
  });
});
