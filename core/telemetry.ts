import { z } from 'zod';
import { slugSchema } from './ids.ts';

/**
 * MQTT payloads of `jn/v1/<gateway>/telemetry`: a batch of readings from one gateway with a
 * per-gateway sequence number, so the collector can drop duplicates and report gaps.
 */
export const qualitySchema = z
  .enum(['good', 'uncertain', 'bad'])
  .describe('OPC UA-style quality of a reading');

/**
 * Bounds of what a telemetry message may carry, so one bad or hostile message cannot blow up the
 * collector, the store or `/api/v1/readings/latest` (issue 13 §5: a 5 MB string was stored).
 */
export const telemetryLimits = {
  /** Largest telemetry message, bytes. */
  maxMessageBytes: 4 * 1024 * 1024,
  /** Most readings in one batch (a gateway sends one poll cycle per batch). */
  maxReadings: 20_000,
  /** Longest unit text, characters. */
  maxUnit: 32,
  /** Longest reason text, characters (the gateway shortens longer error texts to this). */
  maxReason: 500,
} as const;

export const readingSchema = z
  .object({
    device: slugSchema,
    point: slugSchema,
    value: z.number().finite().nullable().describe('Scaled value in `unit`; null when quality is bad'),
    unit: z.string().max(telemetryLimits.maxUnit).optional(),
    ts: z.iso.datetime({ offset: true }).describe('Source timestamp (when the device was read), ISO-8601'),
    quality: qualitySchema,
    reason: z.string().max(telemetryLimits.maxReason).optional().describe('Why the quality is not good'),
  })
  .strict()
  .refine((r) => r.value !== null || r.quality === 'bad', {
    message: 'value may be null only when quality is "bad"',
    path: ['value'],
  });

const batchFields = {
  gateway: slugSchema,
  epoch: z
    .string()
    .regex(/^[0-9a-z]{1,32}$/)
    .optional()
    .describe(
      "The gateway spool's identity: a new spool (a gateway reinstalled, a spool deleted) starts a new epoch and numbers from 1 again",
    ),
  seq: z.number().int().nonnegative().describe('Per-gateway sequence number, +1 per batch'),
  sent_at: z.iso.datetime({ offset: true }),
};

export const telemetryBatchSchema = z
  .object({ ...batchFields, readings: z.array(readingSchema).min(1).max(telemetryLimits.maxReadings) })
  .strict();

/**
 * A batch's envelope with its readings still unchecked: the collector validates each reading on its
 * own, so one bad reading costs only itself, never the good readings beside it.
 */
export const telemetryEnvelopeSchema = z
  .object({ ...batchFields, readings: z.array(z.unknown()).min(1).max(telemetryLimits.maxReadings) })
  .strict();

/**
 * `jn/v1/<gateway>/progress`, retained: the gateway's high-water mark — the last batch the broker
 * acknowledged — so a collector can tell a silent stream from a quiet gateway, and gaps that no
 * single collector of a shared group can see.
 */
export const progressSchema = z
  .object({
    gateway: slugSchema,
    epoch: z.string().regex(/^[0-9a-z]{1,32}$/),
    seq: z.number().int().nonnegative().describe('Highest sequence number the broker acknowledged'),
    confirmed: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe(
        'Every batch up to this one was confirmed stored by a collector (or dropped by a spool limit)',
      ),
    dropped: z
      .array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]))
      .max(100)
      .optional()
      .describe('The latest ranges of batches a spool limit dropped before any collector confirmed them'),
    at: z.iso.datetime({ offset: true }).describe('When the gateway published this mark'),
  })
  .strict();
export type Progress = z.infer<typeof progressSchema>;

/**
 * `jn/v1/<gateway>/stored`, QoS 1: the batches of one spool epoch a collector has stored, as
 * inclusive seq ranges. The gateway keeps a batch in its spool until a collector confirms it and
 * sends it again when none does, so a broker that acknowledged a batch and then lost it (restarted
 * without the collectors' shared subscriptions, a queue over its limit) loses nothing.
 */
export const storedSchema = z
  .object({
    epoch: z.string().regex(/^[0-9a-z]{1,32}$/),
    ranges: z
      .array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]))
      .min(1)
      .max(10_000),
  })
  .strict();
export type Stored = z.infer<typeof storedSchema>;

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
