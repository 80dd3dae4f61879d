import type { SiteConfig } from '../core/config/siteSchema.ts';

/** What a person is told about a device, meter or gateway beside its id. */
export interface Naming {
  /** The building (id) it belongs to, if the site file gives one. */
  building: string | undefined;
  /** What it is and where, e.g. `综合办公楼 总表`; undefined when the site file says nothing of it. */
  label: string | undefined;
}

/** The parts of a site file that name things (all optional: a test site may have only `alarms`). */
export type NamingSource = Partial<Pick<SiteConfig, 'meters' | 'organization' | 'control' | 'gateways'>>;

/** Shown for a gateway: at most this many building names, then `等 N 栋楼`. */
const GATEWAY_BUILDINGS = 3;

/**
 * The names of a site's devices, meters and gateways, from what the site file says of them, so an
 * alarm reads `zonghe-main（综合办公楼 总表）` instead of a bare id (issue 17):
 *
 * - a device: its own `name`, else the names of the meters it carries (`meters[]`; an unnamed main
 *   meter is its building's 总表, an unnamed sub-meter 分表 <id>), else the names of the control
 *   groups it is in (`control.groups[]`); its building is its meters' (else its control group's);
 *   a label that does not name its building starts with the building's name;
 * - a meter: its `name` (else 总表 / 分表 <id>), with its building's name the same way;
 * - a gateway: the site file names no gateway, so it is told by the buildings its devices serve
 *   (its building is that one when there is only one).
 *
 * Built once from the site file (it does not change while a service runs).
 */
export class SiteNames {
  private readonly devices = new Map<string, Naming>();
  private readonly meters = new Map<string, Naming>();
  private readonly gateways = new Map<string, Naming>();
  private readonly timeouts = new Map<string, number>();
  private readonly buildingNames: Map<string, string>;

  constructor(config: NamingSource) {
    this.buildingNames = new Map((config.organization?.buildings ?? []).map((b) => [b.id, b.name]));
    const own = new Map<string, string>();
    for (const g of config.gateways ?? [])
      for (const c of g.connections)
        for (const d of c.devices) {
          if (d.name) own.set(d.id, d.name);
          if ('timeout' in c && typeof c.timeout === 'number') this.timeouts.set(d.id, c.timeout);
        }
    const groupOf = new Map<string, { building: string | undefined; names: string[] }>();
    for (const g of config.control?.groups ?? [])
      for (const d of g.devices) {
        const had = groupOf.get(d) ?? { building: undefined, names: [] };
        had.building ??= g.building;
        had.names.push(g.name);
        groupOf.set(d, had);
      }
    const meterNames = new Map<string, { building: string; names: string[] }>();
    for (const m of config.meters ?? []) {
      const name = m.name ?? (m.role === 'main' ? '总表' : `分表 ${m.id}`);
      this.meters.set(m.id, { building: m.building, label: this.where(m.building, name) });
      const had = meterNames.get(m.device) ?? { building: m.building, names: [] };
      had.names.push(name);
      meterNames.set(m.device, had);
    }
    const ids = new Set([...own.keys(), ...meterNames.keys(), ...groupOf.keys()]);
    for (const id of ids) {
      const building = meterNames.get(id)?.building ?? groupOf.get(id)?.building;
      const names = own.has(id)
        ? [own.get(id) as string]
        : (meterNames.get(id)?.names ?? groupOf.get(id)?.names ?? []);
      const label = [...new Set(names.map((n) => this.where(building, n)))].join('、');
      this.devices.set(id, { building, label: label || undefined });
    }
    for (const g of config.gateways ?? []) {
      const buildings = [
        ...new Set(
          g.connections
            .flatMap((c) => c.devices.map((d) => this.devices.get(d.id)?.building))
            .filter((b) => b !== undefined),
        ),
      ];
      const names = buildings.map((b) => this.buildingNames.get(b) ?? b);
      const shown = names.slice(0, GATEWAY_BUILDINGS).join('、');
      const label = names.length > GATEWAY_BUILDINGS ? `${shown} 等 ${names.length} 栋楼` : shown;
      this.gateways.set(g.id, {
        building: buildings.length === 1 ? buildings[0] : undefined,
        label: label || undefined,
      });
    }
  }

  /** `name` with its building's name before it, unless it already says it. */
  private where(building: string | undefined, name: string): string {
    const b = building === undefined ? undefined : (this.buildingNames.get(building) ?? building);
    return b && !name.includes(b) ? `${b} ${name}` : name;
  }

  device(id: string): Naming | undefined {
    return this.devices.get(id);
  }

  meter(id: string): Naming | undefined {
    return this.meters.get(id);
  }

  gateway(id: string): Naming | undefined {
    return this.gateways.get(id);
  }

  /** A Modbus device's reply timeout (its connection's `timeout`), ms: what "no answer" means for it. */
  timeoutMs(device: string): number | undefined {
    return this.timeouts.get(device);
  }

  /** `zonghe-main（综合办公楼 总表）`: the id (what people and tests search by) with what it is, if known. */
  deviceText(id: string): string {
    return withLabel(id, this.devices.get(id)?.label);
  }

  /** A point of a device: `zonghe-main（综合办公楼 总表）的 active_power`; `m1/active_power` when the device is not named. */
  pointText(device: string, point: string): string {
    const label = this.devices.get(device)?.label;
    return label ? `${withLabel(device, label)}的 ${point}` : `${device}/${point}`;
  }

  meterText(id: string): string {
    return withLabel(id, this.meters.get(id)?.label);
  }

  /** `gw-1（综合办公楼、服务楼）`: a gateway by the buildings its devices serve. */
  gatewayText(id: string): string {
    return withLabel(id, this.gateways.get(id)?.label);
  }

  /** `zonghe-lou（综合办公楼）`. */
  buildingText(id: string): string {
    return withLabel(id, this.buildingNames.get(id));
  }

  /** The building of an alarm's subject: its device's, else its gateway's (one building only). */
  buildingOf(subject: { device?: string | undefined; gateway?: string | undefined }): string | undefined {
    if (subject.device !== undefined) return this.devices.get(subject.device)?.building;
    if (subject.gateway !== undefined) return this.gateways.get(subject.gateway)?.building;
    return undefined;
  }
}

const withLabel = (id: string, label: string | undefined) => (label ? `${id}（${label}）` : id);
