import type { LoadedSite } from '../core/config/loadSite.ts';
import { JnError } from '../core/errors.ts';
import type { CommonPoint } from '../core/protocols/index.ts';

/** One field device of the site as the API describes it (from the site file and its profile). */
export interface SiteDevice {
  id: string;
  name: string | null;
  gateway: string;
  connection: string;
  /** The connection's protocol: modbus_tcp, modbus_rtu, opcua. */
  protocol: string;
  profile: string;
  /** The building its meters serve (site file), null when no meter names one. */
  building: string | null;
  points: readonly CommonPoint[];
}

/** Every device of the site in site-file order. */
export function siteDevices(site: LoadedSite): SiteDevice[] {
  const protocols = new Map<string, string>();
  for (const g of site.config.gateways)
    for (const c of g.connections) protocols.set(`${g.id}/${c.id}`, c.protocol);
  return [...site.devices.values()].map(({ device, gatewayId, connectionId, profile }) => ({
    id: device.id,
    name: device.name ?? null,
    gateway: gatewayId,
    connection: connectionId,
    protocol: protocols.get(`${gatewayId}/${connectionId}`) ?? 'unknown',
    profile: device.profile,
    building: site.config.meters.find((m) => m.device === device.id)?.building ?? null,
    points: profile.points as readonly CommonPoint[],
  }));
}

/** The device `id`, or a `not_found` naming the devices the site has. */
export function deviceOf(site: LoadedSite, id: string): SiteDevice {
  const all = siteDevices(site);
  const found = all.find((d) => d.id === id);
  if (found) return found;
  const names = all.map((d) => d.id).join(', ');
  throw new JnError('not_found', `no device "${id}" in the site; devices are: ${names || '(none)'}`, {
    zh: `没有设备 "${id}"；现有设备：${names || '（无）'}`,
  });
}

/** The point `id` of `device`, or a `not_found` naming the device's points. */
export function pointOf(device: SiteDevice, id: string): CommonPoint {
  const found = device.points.find((p) => p.id === id);
  if (found) return found;
  const names = device.points.map((p) => p.id).join(', ');
  throw new JnError('not_found', `device "${device.id}" has no point "${id}"; its points are: ${names}`, {
    zh: `设备 "${device.id}" 没有测点 "${id}"；它的测点：${names}`,
  });
}
