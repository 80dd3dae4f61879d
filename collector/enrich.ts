import type { LoadedSite } from '../core/config/loadSite.ts';
import type { StoredReading } from '../core/store/store.ts';
import type { Reading } from '../core/telemetry.ts';

type Tags = Pick<StoredReading, 'building' | 'meter' | 'category' | 'subitem'>;

/**
 * Adds the site tree's tags to readings: the site, the building a device serves, and for a meter's
 * counter the meter id, 分类 and 分项. Built once from the site file.
 */
export function createEnricher(site: LoadedSite): (reading: Reading) => StoredReading {
  const siteId = site.config.site.id;
  const byPoint = new Map<string, Tags>();
  const byDevice = new Map<string, string>();
  for (const m of site.config.meters) {
    const tags: Tags = { building: m.building, meter: m.id, category: m.category };
    if (m.subitem) tags.subitem = m.subitem;
    byPoint.set(`${m.device}/${m.point}`, tags);
    if (!byDevice.has(m.device)) byDevice.set(m.device, m.building);
  }
  return (r) => {
    const out: StoredReading = {
      site: siteId,
      device: r.device,
      point: r.point,
      value: r.value,
      ts: Date.parse(r.ts),
      quality: r.quality,
    };
    const building = byDevice.get(r.device);
    if (building) out.building = building;
    Object.assign(out, byPoint.get(`${r.device}/${r.point}`));
    if (r.unit !== undefined) out.unit = r.unit;
    if (r.reason !== undefined) out.reason = r.reason;
    return out;
  };
}
