import { z } from 'zod';
import { slugSchema } from './ids.ts';

/**
 * Commands to field points (control/api → gateway, `jn/v1/<gateway>/command`, QoS 1) and their
 * outcomes (gateway → control/api, `jn/v1/<gateway>/command/result`, QoS 1). The command id makes
 * a command idempotent: a redelivered command gets the same outcome and is not written twice.
 * On the wire a command carries control's `signature` (`signedCommandSchema`); this is the command
 * itself, as the drivers see it.
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

/**
 * Control's signature over a command (version 1: HMAC-SHA256 with the gateway's key over
 * `canonicalCommand` in core/control/commandSignature.ts). The gateway obeys only a signed command
 * whose MAC verifies, whose `issued_at` is within ±5 min of its clock and whose nonce it has not
 * seen in that window.
 */
export const commandSignatureSchema = z
  .object({
    version: z.number().int().describe('Signature scheme; this version of jieneng writes and accepts 1'),
    gateway: slugSchema.describe('The gateway the command was signed for'),
    issued_at: z.iso
      .datetime({ offset: true })
      .describe('When control signed it, real time (not a simulation clock)'),
    nonce: z.string().min(16).max(64).describe('Random, once per command: a second use is a replay'),
    hmac: z.string().min(1).max(128).describe('HMAC-SHA256, base64url'),
  })
  .strict();

/** A command as it travels: the command and control's signature. */
export const signedCommandSchema = commandSchema.extend({ signature: commandSignatureSchema }).strict();

/** Why a gateway refused a command before looking at the device (`refused` of a result, and the metric's reason). */
export const commandRefusalSchema = z.enum([
  'unsigned',
  'signature',
  'stale',
  'replay',
  'no_key',
  'timing',
  'rate',
]);

export const commandResultSchema = z
  .object({
    id: z.string(),
    device: z.string(),
    point: z.string(),
    status: z.enum(['written', 'rejected', 'failed']),
    requested: z.number(),
    read_back: z.number().nullable().optional().describe('Value read from the device after the write'),
    reason: z.string().optional(),
    refused: commandRefusalSchema
      .optional()
      .describe('Set when the gateway refused it for its signature, freshness or timing limits'),
    at: z.iso.datetime({ offset: true }),
  })
  .strict();

export type Command = z.infer<typeof commandSchema>;
export type CommandResult = z.infer<typeof commandResultSchema>;
export type CommandSignature = z.infer<typeof commandSignatureSchema>;
export type SignedCommand = z.infer<typeof signedCommandSchema>;
export type CommandRefusal = z.infer<typeof commandRefusalSchema>;
