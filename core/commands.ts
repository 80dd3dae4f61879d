import { z } from 'zod';
import { slugSchema } from './ids.ts';

/**
 * Commands to field points (control/api → gateway, `jn/v1/<gateway>/command`, QoS 1) and their
 * outcomes (gateway → control/api, `jn/v1/<gateway>/command/result`, QoS 1). The command id makes
 * a command idempotent: a redelivered command gets the same outcome and is not written twice.
 */
export const commandSchema = z
  .object({
    id: z.string().min(1).max(128).describe('Correlation id, unique per command'),
    device: slugSchema,
    point: slugSchema,
    value: z.number().finite().describe('Requested value in the point’s engineering unit (0/1 for bits)'),
    requested_by: z.string().optional().describe('Who or which schedule asked'),
    sent_at: z.iso.datetime({ offset: true }),
  })
  .strict();

export const commandResultSchema = z
  .object({
    id: z.string(),
    device: z.string(),
    point: z.string(),
    status: z.enum(['written', 'rejected', 'failed']),
    requested: z.number(),
    read_back: z.number().nullable().optional().describe('Value read from the device after the write'),
    reason: z.string().optional(),
    at: z.iso.datetime({ offset: true }),
  })
  .strict();

export type Command = z.infer<typeof commandSchema>;
export type CommandResult = z.infer<typeof commandResultSchema>;
