import { z } from 'zod';
import { slugSchema } from '../ids.ts';

/**
 * What control tells the rest of the platform as it happens (the API's event stream relays it):
 * `jn/v1/control/<site>/points` carries a PointChange each time a point's value in effect changes
 * (an override set or relinquished, a schedule slot, an expiry); `jn/v1/alarms` an Alarm.
 */
export const pointChangeSchema = z
  .object({
    site: slugSchema,
    device: slugSchema,
    point: slugSchema,
    value: z.number().nullable().describe('The value in effect; null: no slot and no relinquish default'),
    level: z
      .number()
      .int()
      .min(1)
      .max(16)
      .nullable()
      .describe('Priority level in effect; null: the relinquish default'),
    source: z
      .string()
      .max(500)
      .nullable()
      .describe('Who or what set it: user:张工, schedule:office-hvac, relinquish_default'),
    at: z.iso.datetime({ offset: true }).describe('When it changed'),
  })
  .strict();
export type PointChange = z.infer<typeof pointChangeSchema>;
