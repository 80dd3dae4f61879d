import { z } from 'zod';
import { slugSchema } from './ids.ts';

/**
 * MQTT payloads of `jn/v1/<gateway>/telemetry`: a batch of readings from one gateway with a
 * per-gateway sequence number, so the collector can drop duplicates and report gaps.
 */
export const qualitySchema = z
  .enum(['good', 'uncertain', 'bad'])
  .describe('OPC UA-style quality of a reading');

export const readingSchema = z
  .object({
    device: slugSchema,
    point: slugSchema,
    value: z.number().finite().nullable().describe('Scaled value in `unit`; null when quality is bad'),
    unit: z.string().optional(),
    ts: z.iso.datetime({ offset: true }).describe('Source timestamp (when the device was read), ISO-8601'),
    quality: qualitySchema,
    reason: z.string().optional().describe('Why the quality is not good'),
  })
  .strict()
  .refine((r) => r.value !== null || r.quality === 'bad', {
    message: 'value may be null only when quality is "bad"',
    path: ['value'],
  });

export const telemetryBatchSchema = z
  .object({
    gateway: slugSchema,
    seq: z.number().int().nonnegative().describe('Per-gateway sequence number, +1 per batch'),
    sent_at: z.iso.datetime({ offset: true }),
    readings: z.array(readingSchema).min(1),
  })
  .strict();

export type Quality = z.infer<typeof qualitySchema>;
export type Reading = z.infer<typeof readingSchema>;
export type TelemetryBatch = z.infer<typeof telemetryBatchSchema>;

/** Availability payload (retained; also the MQTT last will with state "offline"). */
export const availabilitySchema = z
  .object({ state: z.enum(['online', 'offline']), since: z.iso.datetime({ offset: true }).optional() })
  .strict();
export type Availability = z.infer<typeof availabilitySchema>;

/**
 * `jn/v1/<gateway>/devices/<device>/availability` payload (retained): whether the gateway hears a
 * field device (Modbus: it answers, even with an exception; OPC UA: its session and items are live).
 */
export const deviceAvailabilitySchema = z
  .object({
    state: z.enum(['online', 'offline']),
    since: z.iso.datetime({ offset: true }).describe('When the device entered this state, ISO-8601'),
    reason: z.string().max(1000).optional().describe('Why it is offline: the first error of the outage'),
  })
  .strict();
export type DeviceAvailabilityState = z.infer<typeof deviceAvailabilitySchema>;
