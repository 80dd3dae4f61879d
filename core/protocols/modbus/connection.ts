import { z } from 'zod';
import { durationSchema } from '../../duration.ts';
import { slugSchema } from '../../ids.ts';
import { type ConnectionProblem, staleAfterSchema, stalePointsSchema } from '../common.ts';

/**
 * The site file's Modbus connections (`protocol: modbus_tcp | modbus_rtu`) and their devices.
 * Documented, with defaults, in gateway/protocols/modbus/README.md (checked against this schema).
 */
export const modbusDeviceSchema = z
  .object({
    id: slugSchema.describe('Device id, unique in the site; becomes the `device` tag'),
    name: z.string().optional().describe('Human label shown in the console, e.g. 一至三层 办公区 空调'),
    profile: z
      .string()
      .min(1)
      .describe(
        'Profile reference <protocol>/<vendor>/<model>, e.g. modbus/eastron/sdm630 (the site’s profiles folder first, then the bundled library), or a profile file relative to the site file, e.g. ./profiles/acme/em100.yaml',
      ),
    unit_id: z.number().int().min(0).max(255).default(1).describe('Modbus unit (slave) id'),
    poll_interval: durationSchema
      .prefault('1s')
      .describe('How often every point is read (the fast class), e.g. 1s, 15s, 1min'),
    slow_points: z
      .array(slugSchema)
      .default([])
      .describe('Points read in the slow class, at slow_poll_interval (e.g. serial number, counters)'),
    slow_poll_interval: durationSchema.prefault('1min').describe('How often the slow_points are read'),
    max_retry_interval: durationSchema
      .prefault('10s')
      .describe(
        'Longest wait between attempts at a device that does not answer (backoff poll_interval × 2ⁿ, capped at the larger of this and poll_interval): a recovered device is read again within it, and a dead one costs the others one timeout per this interval',
      ),
    stale_after: staleAfterSchema,
    stale_points: stalePointsSchema,
    max_registers_per_request: z
      .number()
      .int()
      .min(1)
      .max(125)
      .optional()
      .describe('Escape hatch for devices that refuse long reads: at most this many registers per request'),
    max_gap: z
      .number()
      .int()
      .min(0)
      .max(125)
      .optional()
      .describe(
        'Unused registers read through rather than split a request: two points are read in one request when the gap between them is at most this many registers and the request stays within max_registers_per_request (default: any gap that fits in a 125-register read over TCP, 16 on RS-485, where every register read costs bus time); 0 for devices that reject reads of unmapped registers',
      ),
    one_request_per_point: z
      .boolean()
      .default(false)
      .describe('Escape hatch for devices that answer only reads of exactly one point'),
  })
  .strict();

export const modbusTcpConnectionSchema = z
  .object({
    id: slugSchema,
    protocol: z.literal('modbus_tcp'),
    host: z.string().min(1).describe('IP address or host name of the Modbus TCP server or RS-485 gateway'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(502)
      .describe('TCP port of the Modbus server (502 is the registered Modbus port)'),
    timeout: durationSchema.prefault('1s').describe('Reply timeout per request'),
    devices: z.array(modbusDeviceSchema).min(1),
  })
  .strict();

export const modbusRtuConnectionSchema = z
  .object({
    id: slugSchema,
    protocol: z.literal('modbus_rtu'),
    path: z.string().min(1).describe('Serial device of the RS-485 adapter, e.g. /dev/ttyUSB0'),
    baud: z.number().int().positive().default(9600).describe('Line speed, bit/s'),
    parity: z.enum(['none', 'even', 'odd']).default('none'),
    stop_bits: z.union([z.literal(1), z.literal(2)]).default(1),
    timeout: durationSchema.prefault('1s').describe('Reply timeout per request'),
    inter_frame_gap: durationSchema
      .optional()
      .describe(
        'Silence kept on the bus after a reply before the next request (default: 3.5 character times, 1.75 ms above 19200 baud, as Modbus over Serial Line §2.5.1.1 requires); raise it for slow devices',
      ),
    devices: z.array(modbusDeviceSchema).min(1),
  })
  .strict();

export type ModbusTcpConnection = z.infer<typeof modbusTcpConnectionSchema>;
export type ModbusRtuConnection = z.infer<typeof modbusRtuConnectionSchema>;
export type ModbusConnection = ModbusTcpConnection | ModbusRtuConnection;
export type ModbusDeviceConfig = z.infer<typeof modbusDeviceSchema>;

/** Two devices on one bus or TCP connection cannot share a unit id: the second would never be read. */
export function checkModbusConnection(connection: ModbusConnection): ConnectionProblem[] {
  const problems: ConnectionProblem[] = [];
  connection.devices.forEach((dev, di) => {
    const first = connection.devices.findIndex((d) => d.unit_id === dev.unit_id);
    if (first < di)
      problems.push({
        path: ['devices', di, 'unit_id'],
        message: `unit id ${dev.unit_id} is already used by device "${connection.devices[first]?.id}" on connection "${connection.id}"; two devices on one bus or TCP connection need different unit ids`,
      });
  });
  return problems;
}
