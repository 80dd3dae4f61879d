import type { LoadedSite } from '../../core/config/loadedSite.ts';

/** What the dashboards need to know of a site: its buildings, meters and devices, with their names. */
export interface GrafanaSite {
  id: string;
  name: string;
  timezone: string;
  buildings: { id: string; name: string }[];
  /** Power points of the electricity meters: what `reading` stores for the meter's device. */
  power: PowerPoint[];
  /** Categories that have meters (electricity, water, gas …), in a fixed order. */
  categories: string[];
  /** 分项 (sub-items) that have sub-meters. */
  subitems: string[];
  /** Display names by device id (the device's name, else its meter's, else none). */
  deviceNames: Map<string, string>;
  /** Display names by meter id. */
  meterNames: Map<string, string>;
}

export interface PowerPoint {
  building: string;
  device: string;
  point: string;
  role: 'main' | 'sub';
  /** Factor from the point's unit to kW (W: 0.001, kW: 1). */
  toKw: number;
}

/** 分项 names (GB/T 51161 energy sub-items, as core/config/siteSchema.ts names them). */
export const subitemNames: Record<string, string> = {
  lighting_socket: '照明插座',
  hvac: '空调',
  power: '动力',
  special: '特殊',
};

/** 分类 names and the unit of their consumption rollups (Grafana unit ids). */
export const categoryInfo: Record<string, { name: string; unit: string; unitText: string }> = {
  electricity: { name: '用电', unit: 'kwatth', unitText: 'kWh' },
  water: { name: '用水', unit: 'm3', unitText: 'm³' },
  gas: { name: '燃气', unit: 'm3', unitText: 'm³' },
  heat: { name: '热', unit: 'kwatth', unitText: 'kWh' },
  cooling: { name: '冷', unit: 'kwatth', unitText: 'kWh' },
  other: { name: '其他', unit: 'short', unitText: '' },
};

const powerUnits: Record<string, number> = { W: 0.001, kW: 1 };

/**
 * The site's buildings, electricity meters and devices as the collector tags them in InfluxDB
 * (collector/enrich.ts): readings carry the building of the device's meter; a meter's power is the
 * first W or kW measurement of its device's profile (active_power for the bundled meters).
 */
export function grafanaSite(site: LoadedSite): GrafanaSite {
  const { config } = site;
  const power: PowerPoint[] = [];
  const deviceNames = new Map<string, string>();
  const meterNames = new Map<string, string>();
  for (const [id, d] of site.devices) if (d.device.name) deviceNames.set(id, d.device.name);
  const seen = new Set<string>();
  for (const m of config.meters) {
    if (m.name) meterNames.set(m.id, m.name);
    if (m.name && !deviceNames.has(m.device)) deviceNames.set(m.device, m.name);
    if (m.category !== 'electricity' || seen.has(m.device)) continue;
    const device = site.devices.get(m.device);
    const point = device?.profile.points.find(
      (p) => p.unit !== undefined && powerUnits[p.unit] !== undefined && p.role !== 'energy_counter',
    );
    if (!point?.unit) continue;
    seen.add(m.device);
    power.push({
      building: m.building,
      device: m.device,
      point: point.id,
      role: m.role,
      toKw: powerUnits[point.unit] ?? 1,
    });
  }
  const order = Object.keys(categoryInfo);
  const categories = [...new Set(config.meters.map((m) => m.category))].sort(
    (a, b) => order.indexOf(a) - order.indexOf(b),
  );
  const subitemOrder = Object.keys(subitemNames);
  const subitems = [
    ...new Set(config.meters.flatMap((m) => (m.role === 'sub' && m.subitem ? [m.subitem] : []))),
  ].sort((a, b) => subitemOrder.indexOf(a) - subitemOrder.indexOf(b));
  return {
    id: config.site.id,
    name: config.site.name,
    timezone: config.site.timezone,
    buildings: config.organization.buildings.map((b) => ({ id: b.id, name: b.name })),
    power,
    categories,
    subitems,
    deviceNames,
    meterNames,
  };
}
