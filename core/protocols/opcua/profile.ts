import { z } from 'zod';
import { slugSchema } from '../../ids.ts';
import { pointRoleSchema } from '../common.ts';

/**
 * The OPC UA profile format (a node map), in `<profiles>/opcua/<vendor>/<model>.yaml`. Worked
 * example: core/README.md, "An OPC UA unit".
 */
export const opcuaPointSchema = z
  .object({
    id: slugSchema.describe('Point id, unique in the profile; becomes the `point` tag'),
    name: z.string().min(1).describe('Human label, zh-CN first then English'),
    browse_name: z
      .string()
      .min(1)
      .describe(
        'BrowseName of the variable under the equipment object; without `node` the gateway finds the variable by it (TranslateBrowsePathsToNodeIds from the object node ns=<namespace>;s=<object>)',
      ),
    node: z
      .string()
      .min(1)
      .optional()
      .describe(
        'String NodeId template in the server namespace; {object} is the equipment object path, e.g. "{object}.CoolingSetpoint". Optional: without it the node is found by `browse_name`',
      ),
    data_type: z.enum(['Boolean', 'Int32', 'Double', 'String']),
    unit: z.string().optional().describe('Engineering unit, e.g. °C, W'),
    access: z.enum(['read', 'read_write']).default('read'),
    role: pointRoleSchema.default('measurement'),
    min: z.number().optional().describe('EURange low / lowest writable value, in `unit`'),
    max: z.number().optional().describe('EURange high / highest writable value, in `unit`'),
    values: z.array(z.string()).optional().describe('Allowed values of a String point (an enumeration)'),
    deadband: z
      .object({
        type: z
          .enum(['absolute', 'percent'])
          .describe('absolute: in `unit`; percent: of the EURange (AnalogItems only)'),
        value: z.number().nonnegative(),
      })
      .strict()
      .optional()
      .describe('Changes smaller than this are not reported (OPC UA DataChangeFilter)'),
  })
  .strict();

/**
 * An OPC UA node map: the variables of one kind of equipment object (e.g. a zone's AC unit),
 * with data types, units, ranges and access. The simulator builds its address space from it and
 * the gateway finds the nodes by it.
 */
export const opcuaProfileSchema = z
  .object({
    profile: z.literal(1),
    protocol: z.literal('opcua'),
    vendor: z.string().min(1),
    model: z.string().min(1),
    source: z.object({ document: z.string().min(1), note: z.string().optional() }).strict(),
    namespace: z.string().min(1).describe('Namespace URI of the server the nodes live in'),
    points: z.array(opcuaPointSchema).min(1),
  })
  .strict();

export type OpcuaProfile = z.infer<typeof opcuaProfileSchema>;
export type OpcuaPoint = z.infer<typeof opcuaPointSchema>;
