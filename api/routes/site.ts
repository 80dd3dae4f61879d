import { Router } from 'express';
import { z } from 'zod';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import { itemCode, meterItemCode } from '../../core/itemCodes/itemCodes.ts';
import { noQuery } from '../params.ts';

/** One meter as the site tree shows it (the site file's meter, the unit of its counter from the profile). */
export const siteMeterSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  category: z.string().describe('分类: electricity, water, gas, heat, cooling, other'),
  subitem: z
    .string()
    .nullable()
    .describe('分项 of an electricity sub-meter: lighting_socket, hvac, power, special'),
  item_code: z
    .string()
    .describe(
      '分项编码 (2008 导则): the site file’s item_code, else its subitem’s (01B00 …), else its category’s (01000 …)',
    ),
  item_name: z.string().describe('The code’s Chinese name, e.g. 空调用电'),
  role: z.enum(['main', 'sub']).describe('main: 总表 of the building; sub: 分项/分区 sub-meter'),
  building: z.string(),
  area: z.string().nullable(),
  device: z.string(),
  point: z.string(),
  unit: z.string().nullable().describe("The counter's unit (kWh, m³ …) from the device profile"),
});

const dated = z
  .number()
  .nullable()
  .describe('The value in effect today (the site file’s dated facts), null when none is yet');

/** A control group of the site file: a zone's or a class's equipment, with its name. */
export const controlGroupSchema = z.object({
  id: z.string(),
  name: z.string(),
  building: z.string().nullable(),
  area: z.string().nullable().describe('The zone (an area of the building) the group serves'),
  class: z.string().describe('Equipment class: hvac, lighting …'),
  devices: z.array(z.string()),
});

export const siteTreeSchema = z.object({
  site: z.string(),
  name: z.string(),
  timezone: z.string(),
  organization: z.object({
    id: z.string(),
    name: z.string(),
    buildings: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        code: z.string().nullable(),
        category: z.string(),
        floor_area_m2: dated,
        headcount: dated,
        areas: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            area_m2: z.number(),
            meters: z.array(siteMeterSchema).describe('Meters serving this area'),
          }),
        ),
        meters: z.array(siteMeterSchema).describe('Meters of the building that name no area'),
      }),
    ),
  }),
  control_groups: z
    .array(controlGroupSchema)
    .describe("Control's groups (zones and equipment classes) with their names, buildings and devices"),
});

type SiteTree = z.infer<typeof siteTreeSchema>;
type SiteMeter = z.infer<typeof siteMeterSchema>;

/** Today's date at the site, YYYY-MM-DD. */
const todayAt = (timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(),
  );

/** The value of dated facts in effect on `day` (each holds from its date until the next). */
function inEffect(facts: readonly { from: string; value: number }[], day: string): number | null {
  let best: { from: string; value: number } | undefined;
  for (const f of facts) if (f.from <= day && (!best || f.from > best.from)) best = f;
  return best?.value ?? null;
}

/** The tree of the site file: organization → buildings → areas → meters. */
export function siteTree(site: LoadedSite): SiteTree {
  const c = site.config;
  const today = todayAt(c.site.timezone);
  const unitOf = (device: string, point: string) => {
    const profile = site.devices.get(device)?.profile;
    const p = (profile?.points as readonly { id: string; unit?: string }[] | undefined)?.find(
      (x) => x.id === point,
    );
    return p?.unit ?? null;
  };
  const meter = (m: (typeof c.meters)[number]): SiteMeter => ({
    id: m.id,
    name: m.name ?? null,
    category: m.category,
    subitem: m.subitem ?? null,
    item_code: meterItemCode(m),
    item_name: itemCode(meterItemCode(m))?.name ?? meterItemCode(m),
    role: m.role,
    building: m.building,
    area: m.area ?? null,
    device: m.device,
    point: m.point,
    unit: unitOf(m.device, m.point),
  });
  return {
    site: c.site.id,
    name: c.site.name,
    timezone: c.site.timezone,
    organization: {
      id: c.organization.id,
      name: c.organization.name,
      buildings: c.organization.buildings.map((b) => {
        const own = c.meters.filter((m) => m.building === b.id);
        return {
          id: b.id,
          name: b.name,
          code: b.code ?? null,
          category: b.category,
          floor_area_m2: inEffect(b.floor_area, today),
          headcount: inEffect(b.headcount, today),
          areas: b.areas.map((a) => ({
            id: a.id,
            name: a.name,
            area_m2: a.area,
            meters: own.filter((m) => m.area === a.id).map(meter),
          })),
          meters: own.filter((m) => m.area === undefined).map(meter),
        };
      }),
    },
    control_groups: c.control.groups.map((g) => ({
      id: g.id,
      name: g.name,
      building: g.building ?? null,
      area: g.area ?? null,
      class: g.class,
      devices: [...g.devices],
    })),
  };
}

/**
 * `GET /api/v1/site/tree`: the organization, its buildings (floor area and headcount in effect
 * today), their areas and every meter (category, 分项, main or sub, unit) — what the console's
 * 建筑与区域 tree shows and what the totals of GET /consumption are summed through — and control's
 * groups with their names (the console's zones). Read-only.
 */
export function siteRoutes(site: LoadedSite): Router {
  const router = Router();
  router.get('/site/tree', (req, res) => {
    noQuery(req.query);
    res.json(siteTree(site));
  });
  return router;
}
