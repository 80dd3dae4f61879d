import { Router } from 'express';
import type { LoadedSite } from '../../core/config/loadSite.ts';
import type { Store, StoredReading } from '../../core/store/store.ts';
import type { DeviceAvailabilityView } from '../availability.ts';
import { noQuery } from '../params.ts';
import { deviceOf, type SiteDevice, siteDevices } from '../siteDevices.ts';
import { siteInstant } from '../timestamps.ts';

export interface DeviceRouteOptions {
  availability?: (device: string) => DeviceAvailabilityView | undefined;
  /** Time of the site, for ages (default the system clock). */
  now?: () => number;
}

/**
 * `GET /api/v1/devices`: every field device of the site — gateway, connection, protocol, profile,
 * building, availability (state, since, reason, from its gateway's retained topic; null before any
 * word), the last reading's time and age, the point count and how many latest readings are good,
 * stale (quality uncertain: a resting value, a doubtful one) or bad.
 * `GET /api/v1/devices/:device`: the same with every point of its profile and the point's latest
 * reading (null when none was ever stored). Timestamps are local with the site's offset.
 */
export function deviceRoutes(store: Store, site: LoadedSite, options: DeviceRouteOptions = {}): Router {
  const router = Router();
  const now = options.now ?? Date.now;
  const timeZone = site.config.site.timezone;
  const at = (ms: number) => siteInstant(ms, timeZone);

  const summary = (d: SiteDevice, latest: readonly StoredReading[], t: number) => {
    const last = latest.reduce<number | undefined>(
      (m, r) => (m === undefined || r.ts > m ? r.ts : m),
      undefined,
    );
    const count = (q: StoredReading['quality']) => latest.filter((r) => r.quality === q).length;
    const availability = options.availability?.(d.id);
    return {
      device: d.id,
      name: d.name,
      gateway: d.gateway,
      connection: d.connection,
      protocol: d.protocol,
      profile: d.profile,
      building: d.building ?? latest.find((r) => r.building)?.building ?? null,
      availability: availability
        ? { ...availability, since: availability.since ? at(Date.parse(availability.since)) : null }
        : null,
      last_reading_at: last === undefined ? null : at(last),
      age_s: last === undefined ? null : Math.round((t - last) / 100) / 10,
      point_count: d.points.length,
      readings: { good: count('good'), stale: count('uncertain'), bad: count('bad') },
    };
  };

  const latestBy = async () => {
    const by = new Map<string, StoredReading[]>();
    for (const r of await store.latest()) {
      const list = by.get(r.device) ?? [];
      list.push(r);
      by.set(r.device, list);
    }
    return by;
  };

  router.get('/devices', async (req, res) => {
    noQuery(req.query);
    const by = await latestBy();
    const t = now();
    res.json(siteDevices(site).map((d) => summary(d, by.get(d.id) ?? [], t)));
  });

  router.get('/devices/:device', async (req, res) => {
    noQuery(req.query);
    const d = deviceOf(site, req.params.device);
    const latest = (await latestBy()).get(d.id) ?? [];
    const t = now();
    res.json({
      ...summary(d, latest, t),
      points: d.points.map((p) => {
        const r = latest.find((l) => l.point === p.id);
        return {
          point: p.id,
          name: p.name,
          unit: p.unit ?? null,
          access: p.access,
          role: p.role,
          latest: r
            ? {
                value: r.value,
                ts: at(r.ts),
                age_s: Math.round((t - r.ts) / 100) / 10,
                quality: r.quality,
                reason: r.reason ?? null,
              }
            : null,
        };
      }),
    });
  });
  return router;
}
