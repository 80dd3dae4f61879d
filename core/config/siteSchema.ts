import { z } from 'zod';
import { alarmsSchema } from '../alarms/schema.ts';
import { controlSchema } from '../control/schema.ts';
import { durationSchema } from '../duration.ts';
import { slugSchema } from '../ids.ts';
import { itemCodeSchema } from '../itemCodes/itemCodes.ts';
import { connectionSchema } from '../protocols/index.ts';
import { siteTargetsSchema } from '../reports/plans.ts';
import { officeBenchmarksSchema, siteQuotasSchema } from '../reports/quotas.ts';
import { costTariffSchema, statisticsConfigSchema } from '../reports/statisticsConfig.ts';

// Each protocol's connection schema lives in its folder, core/protocols/<name>/; the union of them
// is composed by the protocol registry (core/protocols/index.ts). Re-exported for the services.
export { type ConnectionConfig, connectionSchema } from '../protocols/index.ts';
export {
  type ModbusConnection,
  type ModbusDeviceConfig as DeviceConfig,
  type ModbusRtuConnection,
  type ModbusTcpConnection,
  modbusDeviceSchema,
  modbusRtuConnectionSchema,
  modbusTcpConnectionSchema,
} from '../protocols/modbus/connection.ts';
export {
  type OpcuaConnection,
  type OpcuaDeviceConfig,
  opcuaConnectionSchema,
  opcuaDeviceSchema,
} from '../protocols/opcua/connection.ts';

/**
 * Site configuration v1: one YAML file per deployment. This schema is the single source of truth;
 * `npm run gen:schema` writes `core/config/site.schema.json` from it for editors.
 */
const isoDate = z.iso.date().describe('Calendar date YYYY-MM-DD in the site time zone');

// `max` bounds what a person types (issue 15): the ledger allows the same (reports/ledger/schema.ts).
const datedValue = (what: string, unit: string, max: number) =>
  z
    .array(
      z
        .object({
          from: isoDate.describe(`Date from which this ${what} holds`),
          value: z
            .number()
            .positive()
            .max(max)
            .describe(`${what} in ${unit}, more than 0 and at most ${max.toExponential()}`),
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
    area: z.number().positive().max(1e7).describe('Floor area served, m², more than 0 and at most 1e7'),
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
    floor_area: datedValue('floor area 建筑面积', 'm²', 1e7),
    headcount: datedValue('headcount 用能人数', 'persons', 1e6),
    areas: z.array(areaSchema).default([]),
  })
  .strict();

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
    item_code: itemCodeSchema.optional(),
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
      .describe(
        'External MQTT broker, e.g. mqtt://broker:1883 or mqtts://broker:8883 (TLS); default: embedded broker',
      ),
    secrets_file: z
      .string()
      .min(1)
      .optional()
      .describe(
        'YAML file with the MQTT passwords and command keys (jieneng secrets init writes one), relative to the site file; the JIENENG_SECRETS environment variable overrides it. Default: none (jieneng start with the embedded broker makes them up at start)',
      ),
    mqtt_tls: z
      .object({
        ca_file: z
          .string()
          .min(1)
          .optional()
          .describe('PEM CA that signed the broker certificate, relative to the site file'),
        cert_file: z
          .string()
          .min(1)
          .optional()
          .describe('PEM client certificate (a broker with require_certificate)'),
        key_file: z.string().min(1).optional().describe('PEM private key of the client certificate'),
      })
      .strict()
      .optional()
      .describe(
        'TLS files of every MQTT client (mqtts:// URLs); default: the system CAs, no client certificate',
      ),
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
    // prefault, not default: a meter's item_code is transformed, and zod leaves an output-side default out of the JSON Schema
    meters: z.array(meterSchema).prefault([]),
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
        targets: siteTargetsSchema,
        quotas: siteQuotasSchema,
        office_benchmarks: officeBenchmarksSchema,
        tariffs: z
          .array(costTariffSchema)
          .default([])
          .describe(
            'Prices of metered electricity, water and gas with the day they hold from: the cost of metered consumption no bill gives a cost for is computed from them (计算值) on the statistics return',
          ),
        statistics: statisticsConfigSchema.prefault({}),
      })
      .strict()
      .prefault({})
      .describe('Report settings'),
    control: controlSchema
      .prefault({})
      .describe(
        'Control: point groups, limits, schedules, calendar overrides, strategies (see control/README.md)',
      ),
    alarms: alarmsSchema
      .prefault({})
      .describe('Alarms: each rule’s settings, notification channels and routes (see alarms/README.md)'),
  })
  .strict();

export type SiteConfig = z.infer<typeof siteSchema>;
export type GatewayConfig = z.infer<typeof gatewaySchema>;
export type MeterConfig = z.infer<typeof meterSchema>;
