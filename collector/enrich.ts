import type { LoadedSite } from '../core/config/loadSite.ts';
import type { StoredReading } from '../core/store/store.ts';
import type { Reading } from '../core/telemetry.ts';

type Tags = Pick<StoredReading, 'building' | 'meter' | 'category' | 'subitem'>;

/**
 * Adds the site tree's tags to readings: the site, the building a device serves, and for a meter's
 * counter the meter id, 分类 and 分项. Built once from the site file. Every row has the same shape
 * (absent tags are undefined), which keeps this per-reading step cheap.
 */
export function createEnricher(site: LoadedSite): (reading: Reading) => StoredReading {
  const siteId = site.config.site.id;
  /** Tags by device, then point; the device's building under every point it has no meter on. */
  const byDevice = new Map<string, { building: string; points: Map<string, Tags> }>();
  for (const m of site.config.meters) {
    let device = byDevice.get(m.device);
    if (!device) {
      device = { building: m.building, points: new Map() };
      byDevice.set(m.device, device);
    }
    device.points.set(m.point, {
      building: m.building,
      meter: m.id,
      category: m.category,
      subitem: m.subitem || undefined,
    });
  }
  return (r) => {
    const device = byDevice.get(r.device);
    const tags = device?.points.get(r.point);
    return {
      site: siteId,
      building: tags ? tags.building : device?.building,
      device: r.device,
      point: r.point,
      meter: tags?.meter,
      category: tags?.category,
      subitem: tags?.subitem,
      value: r.value,
      unit: r.unit,
      ts: Date.parse(r.ts),
      quality: r.quality,
      reason: r.reason,
    };
  };
}
