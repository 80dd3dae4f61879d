import { z } from 'zod';
import { controlSchema } from '../control/schema.ts';
import { durationSchema } from '../duration.ts';
import { slugSchema } from '../ids.ts';

/**
 * Site configuration v1: one YAML file per deployment. This schema is the single source of truth;
 * `npm run gen:schema` writes `core/config/site.schema.json` from it for editors.
 */
const isoDate = z.iso.date().describe('Calendar date YYYY-MM-DD in the site time zone');

const datedValue = (what: string, unit: string) =>
  z
    .array(
      z
        .object({
          from: isoDate.describe(`Date from which this ${what} holds`),
          value: z.number().positive().describe(`${what} in ${unit}`),
          source: z
            .string()
            .optional()
            .describe('Where the figure comes from (e.g. 房产证, 人事处 2024-01 roster)'),
        })
        .strict(),
    )
    .min(1)
    .describe(`${what} (${unit}) as dated facts: each value holds from its date until the next`);

export const energyCategorySchema = z
  .enum(['electricity', 'water', 'gas', 'heat', 'cooling', 'other'])
  .describe('分类 energy category: electricity 电, water 水, gas 燃气, heat 热, cooling 冷, other 其他');

export const subitemSchema = z
  .enum(['lighting_socket', 'hvac', 'power', 'special'])
  .describe('分项 electricity sub-item: lighting_socket 照明插座, hvac 空调, power 动力, special 特殊');

export const areaSchema = z
  .object({
    id: slugSchema,
    name: z.string().min(1).describe('Floor, zone or department name, e.g. 三层东区'),
    area: z.number().positive().describe('Floor area served, m²'),
  })
  .strict();

export const buildingSchema = z
  .object({
    id: slugSchema,
    name: z.string().min(1),
    code: z.string().optional().describe('建筑编码 building code as filed in the statistics report'),
    category: z
      .enum(['office', 'school', 'hospital', 'venue', 'other'])
      .describe('Building use: office 办公, school 学校, hospital 医院, venue 场馆, other 其他'),
    climate_zone: z
      .enum(['severe_cold', 'cold', 'hot_summer_cold_winter', 'hot_summer_warm_winter', 'mild'])
      .describe('GB 50176 climate zone: 严寒, 寒冷, 夏热冬冷, 夏热冬暖, 温和'),
    floor_area: datedValue('floor area 建筑面积', 'm²'),
    headcount: datedValue('headcount 用能人数', 'persons'),
    areas: z.array(areaSchema).default([]),
  })
  .strict();

const staleAfter = durationSchema
  .optional()
  .describe(
    'A measurement or counter unchanged for this long is published with quality uncertain, reason "stale" (e.g. 15min for a meter whose counter should move)',
  );

const stalePoints = z
  .array(slugSchema)
  .optional()
  .describe(
    'Points stale_after applies to (default: every measurement and counter; list them when some legitimately rest, e.g. an export counter that stays 0)',
  );

export const modbusDeviceSchema = z
  .object({
    id: slugSchema.describe('Device id, unique in the site; becomes the `device` tag'),
    name: z.string().optional(),
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
    stale_after: staleAfter,
    stale_points: stalePoints,
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
    port: z.number().int().min(1).max(65535).default(502),
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

export const opcuaDeviceSchema = z
  .object({
    id: slugSchema.describe('Device id, unique in the site; becomes the `device` tag'),
    name: z.string().optional(),
    profile: z
      .string()
      .min(1)
      .describe(
        'OPC UA node-map profile: a reference, e.g. opcua/jieneng/hvac-zone, or a file relative to the site file',
      ),
    object: z
      .string()
      .min(1)
      .describe(
        'Equipment object path that fills {object} in the profile’s node templates, e.g. zonghe-lou.f1-3',
      ),
    stale_after: staleAfter,
    stale_points: stalePoints,
  })
  .strict();

export const opcuaConnectionSchema = z
  .object({
    id: slugSchema,
    protocol: z.literal('opcua'),
    endpoint: z
      .string()
      .regex(/^opc\.tcp:\/\//, 'an opc.tcp:// endpoint URL')
      .describe('Server endpoint, e.g. opc.tcp://127.0.0.1:48400/jieneng'),
    security_mode: z.enum(['None', 'Sign', 'SignAndEncrypt']).default('None'),
    security_policy: z.enum(['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep']).default('None'),
    sampling_interval: durationSchema
      .prefault('1s')
      .describe('How often the server samples each monitored variable'),
    publishing_interval: durationSchema.prefault('1s').describe('How often the server sends the changes'),
    mode: z
      .enum(['subscription', 'polling'])
      .default('subscription')
      .describe(
        'subscription: monitored items report changes; polling: Read every poll_interval (for servers without subscriptions; also the automatic fallback when the server refuses to create one)',
      ),
    poll_interval: durationSchema.prefault('5s').describe('Read period in polling mode'),
    trusted_certificates: z
      .string()
      .optional()
      .describe(
        'PKI folder of the gateway’s OPC UA client (default <data-dir>/pki/opcua-client); a server certificate is accepted only once it is in <folder>/trusted/certs — an unknown one is stored in <folder>/rejected and the connection refused',
      ),
    devices: z.array(opcuaDeviceSchema).min(1),
  })
  .strict();

export const connectionSchema = z.discriminatedUnion('protocol', [
  modbusTcpConnectionSchema,
  modbusRtuConnectionSchema,
  opcuaConnectionSchema,
]);

export const gatewaySchema = z
  .object({
    id: slugSchema.describe('Gateway id; the MQTT topic segment of everything it publishes'),
    connections: z.array(connectionSchema).min(1),
    spool: z
      .object({
        max_size_mb: z
          .number()
          .positive()
          .default(256)
          .describe('Largest spool on disk while the broker is unreachable, MiB'),
        max_age: durationSchema.prefault('30d').describe('Oldest spooled telemetry kept'),
      })
      .strict()
      .prefault({})
      .describe('Store-and-forward bounds; past them the oldest batches are dropped, counted and logged'),
    metrics: z
      .object({
        host: z.string().default('127.0.0.1').describe('Address the /metrics endpoint binds to'),
        port: z.number().int().min(1).max(65535).describe('Port of the /metrics endpoint'),
      })
      .strict()
      .optional()
      .describe(
        'Prometheus /metrics of a gateway run as its own process (`jieneng gateway`); `jieneng start` serves it on its HTTP port',
      ),
  })
  .strict();

export const meterSchema = z
  .object({
    id: slugSchema,
    name: z.string().optional(),
    device: slugSchema.describe('Device id that carries the counter'),
    point: slugSchema.describe('Point id in the device profile: the cumulative counter (kWh, m³)'),
    category: energyCategorySchema,
    subitem: subitemSchema.optional().describe('Required for electricity sub-meters'),
    building: slugSchema.describe('Building the meter serves'),
    area: slugSchema.optional().describe('Area inside the building the meter serves'),
    role: z.enum(['main', 'sub']).describe('main: 总表 of the building; sub: 分项/分区 sub-meter'),
    rollover: z
      .number()
      .positive()
      .optional()
      .describe(
        'The counter wraps to 0 at this value (e.g. 100000 for a 5-digit kWh register); wraps are counted, not lost',
      ),
    replacements: z
      .array(
        z
          .object({
            at: z.iso
              .datetime({ offset: true })
              .describe('When the meter was swapped, e.g. 2025-03-04T10:30:00+08:00'),
            old_final: z.number().nonnegative().describe('Last reading of the old meter'),
            new_initial: z.number().nonnegative().describe('Reading of the new meter when installed'),
            note: z.string().optional().describe('Who swapped it and why'),
          })
          .strict(),
      )
      .default([])
      .describe('Meter replacements (换表记录): consumption continues across them instead of jumping'),
  })
  .strict();

export const platformSchema = z
  .object({
    raw_retention_days: z
      .number()
      .int()
      .positive()
      .default(90)
      .describe('Days raw readings are kept; hourly and daily consumption rollups are kept forever'),
    mqtt_url: z
      .url()
      .optional()
      .describe('External MQTT broker, e.g. mqtt://user:pass@127.0.0.1:1883; default: embedded broker'),
    influx_url: z
      .url()
      .optional()
      .describe(
        'External InfluxDB v1 HTTP API with the database as path, e.g. http://user:pass@127.0.0.1:8086/jieneng (InfluxDB 2.x/3.x: no user, the token in the INFLUX_TOKEN environment variable); default: embedded store',
      ),
  })
  .strict();

export const siteSchema = z
  .object({
    version: z.literal(1).describe('Site file format version'),
    site: z
      .object({
        id: slugSchema,
        name: z.string().min(1),
        timezone: z
          .string()
          .default('Asia/Shanghai')
          .describe('IANA time zone of the site: hours, days, months and years are local to it'),
      })
      .strict(),
    platform: platformSchema.prefault({}),
    profiles: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Folder of the site’s own device profiles, <protocol>/<vendor>/<model>.yaml inside it, relative to this file (e.g. ./profiles). A device’s profile reference is looked up there first, then in the bundled library; a site profile named like a bundled one is used and reported as a warning. Keep profiles here, not in the installed package, which an upgrade replaces',
      ),
    organization: z
      .object({
        id: slugSchema,
        name: z.string().min(1).describe('e.g. 福州市机关事务管理局'),
        buildings: z.array(buildingSchema).min(1),
      })
      .strict(),
    gateways: z.array(gatewaySchema).default([]),
    meters: z.array(meterSchema).default([]),
    reports: z
      .object({
        grid_region: z
          .string()
          .default('national')
          .describe('Region of the grid CO₂ factor series, e.g. fujian; national when the region has none'),
        factor_overrides: z
          .partialRecord(
            z.enum(['electricity_co2', 'natural_gas', 'gasoline', 'diesel', 'lpg', 'coal', 'heat']),
            z
              .object({
                value: z
                  .number()
                  .positive()
                  .describe('kgce per unit for fuels; kgCO₂/kWh for electricity_co2'),
                source: z
                  .string()
                  .min(1)
                  .describe('Where the figure comes from, e.g. 燃气公司热值检测报告 2024'),
                verified: z.boolean().default(false),
              })
              .strict(),
          )
          .default({})
          .describe(
            'The organization’s own factors (e.g. a measured calorific value of its gas); printed as overrides',
          ),
      })
      .strict()
      .prefault({})
      .describe('Report settings'),
    control: controlSchema
      .prefault({})
      .describe(
        'Control: point groups, limits, schedules, calendar overrides, strategies (see control/README.md)',
      ),
  })
  .strict();

export type SiteConfig = z.infer<typeof siteSchema>;
export type GatewayConfig = z.infer<typeof gatewaySchema>;
export type ModbusTcpConnection = z.infer<typeof modbusTcpConnectionSchema>;
export type ModbusRtuConnection = z.infer<typeof modbusRtuConnectionSchema>;
export type ConnectionConfig = z.infer<typeof connectionSchema>;
export type OpcuaConnection = z.infer<typeof opcuaConnectionSchema>;
export type OpcuaDeviceConfig = z.infer<typeof opcuaDeviceSchema>;
export type ModbusConnection = ModbusTcpConnection | ModbusRtuConnection;
export type DeviceConfig = z.infer<typeof modbusDeviceSchema>;
export type MeterConfig = z.infer<typeof meterSchema>;
