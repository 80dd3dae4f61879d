import { z } from 'zod';
import { slugSchema } from '../../ids.ts';
import { pointRoleSchema } from '../common.ts';

/**
 * The Modbus profile format: one device model's register map (data, not code), in
 * `<profiles>/modbus/<vendor>/<model>.yaml`; the gateway plans its reads by it and device-sims
 * serves by it. Worked example: core/README.md, "A Modbus meter".
 */
export const modbusFunctionSchema = z
  .enum(['coil', 'discrete_input', 'holding_register', 'input_register'])
  .describe(
    'Modbus table: coil (FC1/5/15), discrete_input (FC2), holding_register (FC3/6/16), input_register (FC4)',
  );

export const registerTypeSchema = z
  .enum(['bit', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'string'])
  .describe('Value type on the wire');

export const wordOrderSchema = z
  .enum(['ABCD', 'BADC', 'CDAB', 'DCBA'])
  .describe(
    'Byte order of multi-register values: ABCD big-endian high word first, CDAB word-swapped, BADC byte-swapped, DCBA little-endian',
  );

export const modbusPointSchema = z
  .object({
    id: slugSchema.describe('Point id, unique in the profile; becomes the `point` tag'),
    name: z.string().min(1).describe('Human label, zh-CN first then English'),
    function: modbusFunctionSchema,
    address: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .describe('Register or bit address as written in the source document'),
    type: registerTypeSchema,
    length: z
      .number()
      .int()
      .min(1)
      .max(125)
      .optional()
      .describe('Registers for type string (2 characters each)'),
    order: wordOrderSchema.optional().describe('Overrides the profile default order'),
    scale: z.number().default(1).describe('value = raw × scale + offset'),
    offset: z.number().default(0).describe('value = raw × scale + offset'),
    unit: z.string().optional().describe('Engineering unit after scaling, e.g. V, A, W, kWh, m³, °C'),
    access: z.enum(['read', 'read_write']).default('read'),
    role: pointRoleSchema.default('measurement'),
    min: z.number().optional().describe('Lowest plausible or writable value, in `unit`'),
    max: z.number().optional().describe('Highest plausible or writable value, in `unit`'),
  })
  .strict();

export const modbusProfileSchema = z
  .object({
    profile: z.literal(1).describe('Profile format version'),
    protocol: z.literal('modbus'),
    vendor: z.string().min(1),
    model: z.string().min(1),
    source: z
      .object({
        document: z
          .string()
          .min(1)
          .describe('Title and version of the register map this profile was written from'),
        note: z.string().optional(),
      })
      .strict()
      .describe('Where the register map comes from'),
    defaults: z
      .object({
        order: wordOrderSchema.default('ABCD'),
        address_base: z
          .union([z.literal(0), z.literal(1)])
          .default(0)
          .describe(
            '0: addresses are protocol (PDU) addresses; 1: the document counts from 1 (subtract 1 on the wire)',
          ),
      })
      .strict()
      .default({ order: 'ABCD', address_base: 0 }),
    points: z.array(modbusPointSchema).min(1),
  })
  .strict()
  .superRefine((profile, ctx) => {
    const seen = new Set<string>();
    profile.points.forEach((p, i) => {
      if (seen.has(p.id))
        ctx.addIssue({ code: 'custom', path: ['points', i, 'id'], message: `duplicate point id "${p.id}"` });
      seen.add(p.id);
      const isBitTable = p.function === 'coil' || p.function === 'discrete_input';
      if (isBitTable !== (p.type === 'bit'))
        ctx.addIssue({
          code: 'custom',
          path: ['points', i, 'type'],
          message: `type "${p.type}" does not fit function "${p.function}": coils and discrete inputs are type bit, registers are not`,
        });
      if (p.type === 'string' && p.length === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['points', i, 'length'],
          message: 'type string needs length (registers)',
        });
    });
  });

export type ModbusProfile = z.infer<typeof modbusProfileSchema>;
export type ModbusPoint = z.infer<typeof modbusPointSchema>;
