import { z } from 'zod';
import { slugSchema } from '../../core/ids.ts';

/**
 * A scenario: the simulated building compound — weather, buildings, zones, equipment, and where
 * each simulated device answers. YAML, validated like the site file. Every physical parameter has
 * its unit in the description; defaults are those of a typical Chinese government office.
 */
const sourced = {
  source: z.string().describe('Where the figures come from'),
  verified: z.boolean().describe('Checked against the source document'),
};

export const weatherSchema = z
  .object({
    monthly_mean_temperature: z.array(z.number()).length(12).describe('°C, January … December'),
    daily_range: z.number().positive().default(7).describe('Typical difference between daily max and min, K'),
    monthly_mean_humidity: z
      .array(z.number().min(0).max(100))
      .length(12)
      .describe('Relative humidity %, January … December'),
    day_to_day: z
      .number()
      .nonnegative()
      .default(2)
      .describe('Standard deviation of a day’s departure from the normal, K'),
    peak_solar_gain: z
      .number()
      .nonnegative()
      .default(12)
      .describe('Solar heat gain through the envelope at noon in midsummer, W per m² of floor'),
    ...sourced,
  })
  .strict();

export const hvacSchema = z
  .object({
    kind: z.enum(['vrf', 'fcu', 'ahu']).default('vrf'),
    cooling_capacity: z.number().positive().describe('Rated cooling output, W per m² of zone area'),
    heating_capacity: z.number().positive().describe('Rated heating output, W per m² of zone area'),
    cop_cooling: z.number().positive().default(3.4).describe('Cooling COP at 35 °C outdoor'),
    cop_heating: z.number().positive().default(3.0).describe('Heating COP at 7 °C outdoor'),
    cooling_setpoint: z.number().default(26).describe('°C, initial'),
    heating_setpoint: z.number().default(20).describe('°C, initial'),
    schedule: z
      .object({ on: z.number().min(0).max(24), off: z.number().min(0).max(24) })
      .default({ on: 7.5, off: 18 })
      .describe(
        'Local controller time switch on working days, local hours (e.g. 7.5 = 07:30); once a central controller switches the unit on or off, the time switch stops',
      ),
  })
  .strict();

export const zoneSchema = z
  .object({
    id: slugSchema,
    name: z.string().optional(),
    area: z.number().positive().describe('m²'),
    occupant_share: z.number().min(0).max(1).describe('Share of the building headcount working here'),
    envelope_ua: z
      .number()
      .positive()
      .default(2.2)
      .describe('Heat loss coefficient incl. ventilation, W/K per m² of floor'),
    thermal_mass: z
      .number()
      .positive()
      .default(150)
      .describe('Effective heat capacity, kJ/K per m² of floor'),
    lighting: z
      .object({
        density: z
          .number()
          .nonnegative()
          .default(8)
          .describe('Installed lighting power, W/m² (GB 50034 office target ≤ 8)'),
        left_on: z
          .number()
          .min(0)
          .max(1)
          .default(0.15)
          .describe('Share of lights left on after hours until someone switches them off'),
      })
      .strict()
      .default({ density: 8, left_on: 0.15 }),
    hvac: hvacSchema,
  })
  .strict();

export const buildingSimSchema = z
  .object({
    id: slugSchema,
    name: z.string().optional(),
    floor_area: z.number().positive().describe('m²'),
    headcount: z.number().int().nonnegative().describe('用能人数'),
    zones: z.array(zoneSchema).min(1),
    plug_load: z
      .object({
        active: z.number().default(120).describe('W per person present'),
        standby: z.number().default(15).describe('W per person absent'),
      })
      .strict()
      .default({ active: 120, standby: 15 }),
    elevators: z
      .object({
        count: z.number().int().nonnegative(),
        rated_power: z.number().positive().describe('kW each'),
      })
      .strict()
      .default({ count: 0, rated_power: 15 }),
    pumps: z.number().nonnegative().default(0).describe('Water and HVAC pumps, kW at full duty'),
    data_room: z.number().nonnegative().default(0).describe('Data room (特殊), kW, near-constant'),
    canteen: z
      .object({
        meals: z.number().int().nonnegative().describe('Lunches served on a working day'),
        gas_per_meal: z.number().nonnegative().default(0.12).describe('Natural gas per meal, m³'),
        water_per_meal: z.number().nonnegative().default(0.015).describe('Water per meal, m³'),
      })
      .strict()
      .optional(),
    water_per_person_hour: z
      .number()
      .nonnegative()
      .default(0.006)
      .describe('Water per person present per hour (toilets, washing, tea), m³'),
    water_base: z
      .number()
      .nonnegative()
      .default(0.03)
      .describe('Continuous water use (cleaning, cooling-tower make-up), m³/h'),
    losses: z
      .number()
      .min(0)
      .max(0.2)
      .default(0.02)
      .describe('Transformer and cable losses between the main meter and the sub-meters, share of their sum'),
  })
  .strict()
  .refine((b) => Math.abs(b.zones.reduce((s, z) => s + z.occupant_share, 0) - 1) < 1e-6, {
    message: 'occupant_share of the zones must add up to 1',
    path: ['zones'],
  });

export const meterMeasuresSchema = z
  .enum(['main', 'lighting_socket', 'lighting', 'hvac', 'power', 'special', 'water', 'gas'])
  .describe(
    'What the meter measures: the building main meter, an electricity sub-item (分项) meter, the lighting circuits alone (part of 照明插座), water or gas',
  );

export const rtuBusSchema = z
  .object({
    id: slugSchema.describe('Bus id; also the name of the serial device link masters open'),
    baud: z.number().int().positive().default(9600).describe('Line speed, bit/s'),
    parity: z.enum(['none', 'even', 'odd']).default('none'),
    stop_bits: z.union([z.literal(1), z.literal(2)]).default(1),
  })
  .strict();

export const simDeviceSchema = z
  .object({
    id: slugSchema.describe('Device id; the site file names the same id'),
    profile: z.string().min(1).describe('Profile reference <protocol>/<vendor>/<model>'),
    modbus: z
      .object({
        port: z.number().int().min(1).max(65535).optional().describe('Modbus TCP port on the sims host'),
        bus: slugSchema.optional().describe('RS-485 bus (see buses:) for Modbus RTU'),
        unit_id: z.number().int().min(1).max(247),
      })
      .strict()
      .refine((m) => (m.port === undefined) !== (m.bus === undefined), {
        message: 'give either port (Modbus TCP) or bus (Modbus RTU)',
      }),
    meter: z.object({ building: slugSchema, measures: meterMeasuresSchema }).strict().optional(),
    lighting: z
      .object({
        building: slugSchema,
        channels: z.array(slugSchema).min(1).describe('Zone id switched by each channel, in channel order'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((d) => (d.meter === undefined) !== (d.lighting === undefined), {
    message: 'a device is either a meter (meter:) or a lighting module (lighting:), exactly one of them',
  });

/**
 * Faults real field devices show, injectable from tests (`sims.faults.inject`) and from the
 * scenario's `faults:` list. Protocol faults change how the server answers; value faults change
 * what the device's registers hold; a leak changes the building's water use.
 */
export const deviceFaultSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('offline') })
    .strict()
    .describe('No reply at all: the master times out'),
  z
    .object({ kind: z.literal('slow'), delay: z.number().int().positive().describe('Reply delay, ms') })
    .strict(),
  z
    .object({
      kind: z.literal('exception'),
      code: z
        .number()
        .int()
        .min(1)
        .max(255)
        .describe('Modbus exception code, e.g. 2 illegal data address, 4 device failure, 6 busy'),
    })
    .strict(),
  z
    .object({ kind: z.literal('stuck') })
    .strict()
    .describe('Values freeze at what they were when the fault began'),
  z
    .object({ kind: z.literal('crc_error') })
    .strict()
    .describe('RTU only: replies arrive with a wrong CRC'),
  z
    .object({ kind: z.literal('garbage') })
    .strict()
    .describe('RTU only: line noise instead of replies'),
  z
    .object({ kind: z.literal('counter_reset') })
    .strict()
    .describe('Counters restart from 0 (a reset meter) and count on'),
  z
    .object({
      kind: z.literal('counter_rollover'),
      at: z
        .number()
        .positive()
        .describe('Counters wrap to 0 when they reach this value (register maximum × scale)'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('meter_replacement'),
      initial: z.number().nonnegative().default(0).describe('Reading of the new meter when installed'),
    })
    .strict()
    .describe('A new meter from `initial`; the old reading is gone'),
  z
    .object({
      kind: z.literal('counter_offset'),
      delta: z
        .number()
        .describe('Added to every counter once, in its unit: < 0 runs it backwards, > 0 jumps it'),
    })
    .strict()
    .describe(
      'A counter that jumps (a bit error, a wrong write) or runs backwards (reverse flow), then counts on',
    ),
  z
    .object({
      kind: z.literal('value'),
      point: slugSchema.describe('Point of the device'),
      value: z.number().describe('What the point reads while the fault lasts, in its unit'),
    })
    .strict()
    .describe('A faulty transducer: the point reads `value` until cleared'),
  z
    .object({ kind: z.literal('ignore_writes') })
    .strict()
    .describe(
      'Writes are acknowledged but change nothing (a unit switched to local control, a stuck actuator): the read-back keeps the old value; reads answer as usual',
    ),
  z
    .object({
      kind: z.literal('refuse_writes'),
      code: z
        .number()
        .int()
        .min(1)
        .max(255)
        .default(4)
        .describe(
          'Modbus exception code of the refusal (4 device failure, 6 busy); OPC UA answers BadDeviceFailure',
        ),
    })
    .strict()
    .describe('Every write is refused; reads answer as usual'),
]);

/** Faults an OPC UA zone unit (`building.zone`) takes: its server is one for all units, the rest are Modbus faults. */
export const opcuaUnitFaultKinds = ['ignore_writes', 'refuse_writes'] as const;

export const scheduledFaultSchema = z
  .object({
    at: z.iso.datetime({ offset: true }).describe('Simulated time the fault begins'),
    until: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('Simulated time a lasting fault ends; absent: it lasts'),
    device: z
      .union([slugSchema, z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}\.[a-z0-9][a-z0-9_-]{0,63}$/)])
      .optional()
      .describe('Device the fault hits: a Modbus device id, or an OPC UA zone unit as building.zone'),
    fault: deviceFaultSchema.optional(),
    building: slugSchema.optional().describe('Building whose water pipes leak'),
    leak: z.number().positive().optional().describe('Continuous leak flow, m³/h'),
    opcua_restart: z
      .number()
      .nonnegative()
      .optional()
      .describe('Restart the OPC UA server, down for this many seconds'),
  })
  .strict()
  .refine(
    (f) =>
      [
        f.device !== undefined && f.fault !== undefined,
        f.building !== undefined && f.leak !== undefined,
        f.opcua_restart !== undefined,
      ].filter(Boolean).length === 1,
    { message: 'a scheduled fault is one of { device, fault }, { building, leak } or { opcua_restart }' },
  );

export const scenarioSchema = z
  .object({
    version: z.literal(1),
    name: z.string(),
    seed: z
      .union([z.number().int(), z.string()])
      .describe('Same seed and scenario, same building, value for value'),
    timezone: z.string().default('Asia/Shanghai'),
    clock: z
      .object({
        start: z.iso
          .datetime({ offset: true })
          .optional()
          .describe('Simulated time at start-up; absent: now'),
        speed: z
          .number()
          .positive()
          .default(1)
          .describe('Simulated seconds per real second (86400: a day per second); --speed overrides'),
      })
      .strict()
      .default({ speed: 1 }),
    step: z.number().int().min(1).max(900).default(60).describe('Physics time step, simulated seconds'),
    weather: weatherSchema,
    buildings: z.array(buildingSimSchema).min(1),
    opcua: z
      .object({
        port: z
          .number()
          .int()
          .min(1)
          .max(65535)
          .describe('OPC UA server port on the sims host (endpoint opc.tcp://host:port/jieneng)'),
        profile: z
          .string()
          .default('opcua/jieneng/hvac-zone')
          .describe('Node-map profile of every zone AC unit'),
      })
      .strict()
      .optional()
      .describe('Expose every zone’s AC unit on an OPC UA server'),
    buses: z.array(rtuBusSchema).default([]),
    devices: z.array(simDeviceSchema).default([]),
    faults: z.array(scheduledFaultSchema).default([]),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type BuildingSim = z.infer<typeof buildingSimSchema>;
export type ZoneSim = z.infer<typeof zoneSchema>;
export type WeatherSim = z.infer<typeof weatherSchema>;
export type SimDevice = z.infer<typeof simDeviceSchema>;
export type ScheduledFault = z.infer<typeof scheduledFaultSchema>;
export type DeviceFault = z.infer<typeof deviceFaultSchema>;
export type RtuBus = z.infer<typeof rtuBusSchema>;
export type MeterMeasures = z.infer<typeof meterMeasuresSchema>;
