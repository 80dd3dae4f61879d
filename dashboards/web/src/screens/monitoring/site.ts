/**
 * What the monitoring screens take from GET /api/v1/site/tree: building names, each building's main
 * electricity meters (the heat map's hours), and the meter a device is (its name, where the site
 * file gives the device none). Pure: site.test.ts.
 */

export interface TreeMeter {
  id: string;
  name: string | null;
  category: string;
  subitem: string | null;
  role: 'main' | 'sub';
  building: string;
  device: string;
}
export interface SiteTree {
  organization: {
    buildings: { id: string; name: string; areas: { meters: TreeMeter[] }[]; meters: TreeMeter[] }[];
  };
  /** Control's groups: the building of equipment the site file names under no meter (air-conditioners). */
  control_groups?: { building: string | null; devices: string[] }[];
}

export interface BuildingMeters {
  id: string;
  name: string;
  /** Main electricity meters (a building may have more than one). */
  meters: string[];
}

export interface SiteIndex {
  buildingNames: Map<string, string>;
  buildings: BuildingMeters[];
  /** A device's label from its meter(s): "综合办公楼总表". */
  deviceLabels: Map<string, string>;
  /** A device's building from its meter or its control group, where the API names none. */
  deviceBuildings: Map<string, string>;
}

export const emptyIndex = (): SiteIndex => ({
  buildingNames: new Map(),
  buildings: [],
  deviceLabels: new Map(),
  deviceBuildings: new Map(),
});

export function siteIndexOf(tree: SiteTree): SiteIndex {
  const index = emptyIndex();
  for (const b of tree.organization.buildings) {
    index.buildingNames.set(b.id, b.name);
    const meters = [...b.meters, ...b.areas.flatMap((a) => a.meters)];
    const seen = new Set<string>();
    const main: string[] = [];
    for (const m of meters) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      if (m.role === 'main' && m.category === 'electricity') main.push(m.id);
      index.deviceBuildings.set(m.device, b.id);
      if (m.name) {
        const had = index.deviceLabels.get(m.device);
        index.deviceLabels.set(m.device, had && had !== m.name ? `${had}、${m.name}` : m.name);
      }
    }
    if (main.length) index.buildings.push({ id: b.id, name: b.name, meters: main.sort() });
  }
  for (const g of tree.control_groups ?? [])
    if (g.building)
      for (const d of g.devices) if (!index.deviceBuildings.has(d)) index.deviceBuildings.set(d, g.building);
  return index;
}
