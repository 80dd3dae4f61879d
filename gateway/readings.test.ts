import { describe, expect, it } from 'vitest';
import { readingSchema } from '../core/telemetry.ts';
import { readingOf } from './readings.ts';

describe('readings from decoded values', () => {
  const ts = '2026-11-25T02:00:00.000Z';

  it('publishes a finite value as a good reading', () => {
    expect(readingOf('m1', { point: 'voltage_l1', value: 230.5, unit: 'V' }, ts)).toEqual({
      device: 'm1',
      point: 'voltage_l1',
      value: 230.5,
      unit: 'V',
      ts,
      quality: 'good',
    });
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'turns %s from the device into a bad reading the collector accepts',
    (value) => {
      const r = readingOf('m1', { point: 'active_power', value, unit: 'W' }, ts);
      expect(r).toMatchObject({ value: null, quality: 'bad', reason: `device sent ${value}` });
      expect(readingSchema.safeParse(r).success).toBe(true);
    },
  );
});
