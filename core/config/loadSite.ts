import { controlPoints } from '../control/points.ts';
import { validateSchedule } from '../control/schedules.ts';
import type { ProfileLibrary } from '../profiles/loadProfile.ts';
import type { DeviceProfile } from '../profiles/profileSchema.ts';
import { connectionProblems, connectionProtocols, pointListsOf, protocolOf } from '../protocols/index.ts';
import { checkQuotas } from './checkQuotas.ts';
import { checkTargets } from './checkTargets.ts';
import { itemCodeProblem } from './itemCodeCheck.ts';
import type { LoadedSite } from './loadedSite.ts';
import { ConfigError, YamlSource } from './problems.ts';
import { resolveSiteProfile, siteProfilesDir } from './siteProfiles.ts';
import { type SiteConfig, siteSchema } from './siteSchema.ts';

export type { LoadedSite } from './loadedSite.ts';

/**
 * Reads, validates and cross-checks a site file; throws ConfigError listing every problem found.
 * `bundledProfilesDir` replaces the bundled profile library (tests).
 */
export function loadSite(file: string, options: { bundledProfilesDir?: string } = {}): LoadedSite {
  const src = YamlSource.read(file);
  if (src.problems.length > 0) throw new ConfigError(src.problems);
  const parsed = siteSchema.safeParse(src.toJS(), { reportInput: true });
  if (!parsed.success) throw new ConfigError(src.fromZod(parsed.error, siteSchema));
  const lib: ProfileLibrary = { siteFile: file, siteDir: siteProfilesDir(src, parsed.data) };
  if (options.bundledProfilesDir) lib.bundledDir = options.bundledProfilesDir;
  const site = crossCheck(src, parsed.data, lib);
  if (src.problems.length > 0) throw new ConfigError(src.problems, 'references');
  return site;
}

function checkUnique(src: YamlSource, what: string, entries: { id: string; path: PropertyKey[] }[]): void {
  const first = new Map<string, PropertyKey[]>();
  for (const e of entries) {
    const prev = first.get(e.id);
    if (prev) {
      const at = src.problemAt(prev, '');
      src.problems.push(
        src.problemAt(
          e.path,
          `duplicate ${what} id "${e.id}" (first defined at ${at.path}${at.line ? `, line ${at.line}` : ''}); ${what} ids must be unique`,
        ),
      );
    } else first.set(e.id, e.path);
  }
}

function crossCheck(src: YamlSource, config: SiteConfig, lib: ProfileLibrary): LoadedSite {
  const profiles = new Map<string, DeviceProfile>();
  const warnings: string[] = [];
  const devices: LoadedSite['devices'] = new Map();
  const deviceEntries: { id: string; path: PropertyKey[] }[] = [];
  const buildings = config.organization.buildings;

  checkUnique(
    src,
    'building',
    buildings.map((b, i) => ({ id: b.id, path: ['organization', 'buildings', i, 'id'] })),
  );
  buildings.forEach((b, i) => {
    checkUnique(
      src,
      'area',
      b.areas.map((a, j) => ({ id: a.id, path: ['organization', 'buildings', i, 'areas', j, 'id'] })),
    );
  });
  checkUnique(
    src,
    'gateway',
    config.gateways.map((g, i) => ({ id: g.id, path: ['gateways', i, 'id'] })),
  );

  config.gateways.forEach((gw, gi) => {
    checkUnique(
      src,
      'connection',
      gw.connections.map((c, ci) => ({ id: c.id, path: ['gateways', gi, 'connections', ci, 'id'] })),
    );
    gw.connections.forEach((conn, ci) => {
      conn.devices.forEach((dev, di) => {
        const path = ['gateways', gi, 'connections', ci, 'devices', di];
        deviceEntries.push({ id: dev.id, path: [...path, 'id'] });
        const at = [...path, 'profile'];
        const profile = resolveSiteProfile(src, dev.profile, at, { cache: profiles, lib, warnings });
        const wants = protocolOf(conn.protocol)?.name;
        if (wants === undefined)
          src.problems.push(
            src.problemAt(
              ['gateways', gi, 'connections', ci, 'protocol'],
              `connection protocol "${conn.protocol}" has no profile format; protocols are: ${connectionProtocols().join(', ')}`,
            ),
          );
        else if (profile && profile.protocol !== wants)
          src.problems.push(
            src.problemAt(
              [...path, 'profile'],
              `profile "${dev.profile}" is an ${profile.protocol} profile; connection "${conn.id}" speaks ${conn.protocol}`,
            ),
          );
        for (const key of pointListsOf(conn.protocol)) {
          const list = (dev as Record<string, unknown>)[key];
          if (!Array.isArray(list)) continue;
          list.forEach((pointId: unknown, pi) => {
            if (profile && !profile.points.some((p) => p.id === pointId))
              src.problems.push(
                src.problemAt(
                  [...path, key, pi],
                  `profile "${dev.profile}" has no point "${String(pointId)}"; its points are: ${profile.points.map((p) => p.id).join(', ')}`,
                ),
              );
          });
        }
        if (profile && !devices.has(dev.id))
          devices.set(dev.id, { device: dev, gatewayId: gw.id, connectionId: conn.id, profile });
      });
      for (const p of connectionProblems(conn))
        src.problems.push(src.problemAt(['gateways', gi, 'connections', ci, ...p.path], p.message));
    });
  });
  checkUnique(src, 'device', deviceEntries);
  checkUnique(
    src,
    'meter',
    config.meters.map((m, i) => ({ id: m.id, path: ['meters', i, 'id'] })),
  );

  config.meters.forEach((meter, mi) => {
    const at = (key: string) => ['meters', mi, key];
    const building = buildings.find((b) => b.id === meter.building);
    if (!building)
      src.problems.push(
        src.problemAt(
          at('building'),
          `no building "${meter.building}"; buildings are: ${buildings.map((b) => b.id).join(', ')}`,
        ),
      );
    else if (meter.area !== undefined && !building.areas.some((a) => a.id === meter.area))
      src.problems.push(
        src.problemAt(
          at('area'),
          `building "${building.id}" has no area "${meter.area}"; its areas are: ${building.areas.map((a) => a.id).join(', ') || '(none)'}`,
        ),
      );
    if (meter.subitem !== undefined && meter.category !== 'electricity')
      src.problems.push(
        src.problemAt(
          at('subitem'),
          `a sub-item (分项) applies to electricity meters only; this meter's category is "${meter.category}"`,
        ),
      );
    const codeProblem = itemCodeProblem(meter);
    if (codeProblem) src.problems.push(src.problemAt(at('item_code'), codeProblem));
    const owner = devices.get(meter.device);
    const declared = deviceEntries.some((d) => d.id === meter.device);
    if (!declared) {
      src.problems.push(
        src.problemAt(
          at('device'),
          `no device "${meter.device}" in any gateway; devices are: ${[...new Set(deviceEntries.map((d) => d.id))].join(', ') || '(none)'}`,
        ),
      );
    } else if (owner) {
      const point = owner.profile.points.find((p) => p.id === meter.point);
      if (!point)
        src.problems.push(
          src.problemAt(
            at('point'),
            `device "${meter.device}" (profile ${owner.device.profile}) has no point "${meter.point}"; its counters are: ${
              owner.profile.points
                .filter((p) => p.role.endsWith('_counter'))
                .map((p) => p.id)
                .join(', ') || '(none)'
            }`,
          ),
        );
      else if (!point.role.endsWith('_counter'))
        src.problems.push(
          src.problemAt(
            at('point'),
            `point "${meter.point}" of device "${meter.device}" is a ${point.role}, not a cumulative counter; a meter reads a counter (kWh, m³)`,
          ),
        );
    }
  });
  checkControl(src, config, devices);
  checkTargets(src, config);
  checkQuotas(src, config);
  return { file: src.file, config, profiles, devices, warnings };
}

/** `week.workday[1].value` → ['week', 'workday', 1, 'value'] */
function pathKeys(path: string): PropertyKey[] {
  return path
    .split(/[.[\]]+/)
    .filter(Boolean)
    .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
}

/** The control section's references: group devices and buildings, point settings, schedules, demand limits. */
function checkControl(src: YamlSource, config: SiteConfig, devices: LoadedSite['devices']): void {
  const control = config.control;
  const groupIds = [...new Set(control.groups.map((g) => g.id))];
  const buildings = config.organization.buildings;
  checkUnique(
    src,
    'group',
    control.groups.map((g, i) => ({ id: g.id, path: ['control', 'groups', i, 'id'] })),
  );
  checkUnique(
    src,
    'schedule',
    control.schedules.map((s, i) => ({ id: s.id, path: ['control', 'schedules', i, 'id'] })),
  );
  const knownDevices = () => [...devices.keys()].join(', ') || '(none)';
  control.groups.forEach((g, gi) => {
    g.devices.forEach((d, di) => {
      if (!devices.has(d))
        src.problems.push(
          src.problemAt(
            ['control', 'groups', gi, 'devices', di],
            `no device "${d}" in any gateway; devices are: ${knownDevices()}`,
          ),
        );
    });
    const building = g.building === undefined ? undefined : buildings.find((b) => b.id === g.building);
    if (g.building !== undefined && !building)
      src.problems.push(src.problemAt(['control', 'groups', gi, 'building'], `no building "${g.building}"`));
    if (g.area !== undefined && building && !building.areas.some((a) => a.id === g.area))
      src.problems.push(
        src.problemAt(
          ['control', 'groups', gi, 'area'],
          `building "${building.id}" has no area "${g.area}"; its areas are: ${building.areas.map((a) => a.id).join(', ') || '(none)'}`,
        ),
      );
  });
  const groupRef = (path: PropertyKey[], id: string, point: string) => {
    const group = control.groups.find((g) => g.id === id);
    if (!group) {
      src.problems.push(
        src.problemAt(path, `no group "${id}"; groups are: ${groupIds.join(', ') || '(none)'}`),
      );
      return;
    }
    for (const d of group.devices) {
      const p = devices.get(d)?.profile.points.find((q) => q.id === point);
      if (devices.has(d) && p?.access !== 'read_write')
        src.problems.push(
          src.problemAt(path, `device "${d}" of group "${id}" has no writable point "${point}"`),
        );
    }
  };
  for (const [i, p] of control.points.entries())
    groupRef(['control', 'points', i, 'group'], p.group, p.point);
  for (const [i, s] of control.schedules.entries())
    groupRef(['control', 'schedules', i, 'group'], s.group, s.point);
  for (const [i, p] of (control.lighting_sweeps?.points ?? []).entries())
    groupRef(['control', 'lighting_sweeps', 'points', i, 'group'], p.group, p.point);
  if (src.problems.length === 0) {
    // Values, order, overlaps: the same check the API runs on a schedule.
    const site = { file: src.file, config, profiles: new Map(), devices };
    const points = controlPoints(site);
    control.schedules.forEach((sched, i) => {
      for (const p of validateSchedule(sched, site, points, control.schedules))
        src.problems.push(src.problemAt(['control', 'schedules', i, ...pathKeys(p.path)], p.message));
    });
  }
  control.demand_limits.forEach((d, i) => {
    for (const [j, st] of d.shed.entries())
      groupRef(['control', 'demand_limits', i, 'shed', j, 'group'], st.group, st.point);
    const meter = config.meters.find((m) => m.id === d.meter);
    if (!meter)
      src.problems.push(src.problemAt(['control', 'demand_limits', i, 'meter'], `no meter "${d.meter}"`));
    else if (!devices.get(meter.device)?.profile.points.some((p) => p.id === d.power_point))
      src.problems.push(
        src.problemAt(
          ['control', 'demand_limits', i, 'power_point'],
          `the device "${meter.device}" of meter "${d.meter}" has no point "${d.power_point}"`,
        ),
      );
  });
}

/** One line for `jieneng config check` on success. */
export function summarizeSite(site: LoadedSite): string {
  const c = site.config;
  const area = c.organization.buildings.reduce((sum, b) => sum + (b.floor_area.at(-1)?.value ?? 0), 0);
  const warnings = (site.warnings ?? []).map((w) => `\n${site.file}: warning: ${w}`).join('');
  return `${site.file}: valid — site "${c.site.id}", ${c.organization.buildings.length} building(s), ${area} m², ${c.gateways.length} gateway(s), ${site.devices.size} device(s), ${c.meters.length} meter(s), ${site.profiles.size} profile(s)${warnings}`;
}
