import type { SiteConfig } from '../../core/config/siteSchema.ts';
import type { IntensityReport } from '../../core/reports/report.ts';
import { hasKgce } from './convert.ts';
import type { Period } from './dates.ts';
import { dayNumber } from './dates.ts';
import type { MeteredDay } from './quantities.ts';
import { missingItems, type ScopeCalc } from './scope.ts';

type Ranked = 'energy_per_area_kgce_m2' | 'water_per_capita_m3';

/**
 * Buildings by intensity, lowest (best: 能效/水效领跑者) first. Only a complete figure ranks: a
 * building with any missing or partial data it rests on is listed as unranked with why.
 */
export function rank(buildings: ScopeCalc[], names: Map<string, string>): IntensityReport['ranking'] {
  const unranked: IntensityReport['ranking']['unranked'] = [];
  const rows = (key: Ranked) => {
    const on = key === 'water_per_capita_m3' ? (t: string) => t === 'water' : hasKgce;
    const ok: { building: string; name: string; value: number }[] = [];
    for (const b of buildings) {
      const pairs = b.pairs.filter((x) => on(x.energy_type));
      if (key === 'water_per_capita_m3' && pairs.length === 0) continue; // no water expected: nothing to rank
      const gaps = missingItems(pairs, names).map((m) => m.text);
      const value = b.scope.indicators[key];
      const reason =
        gaps.length > 0
          ? `数据不全：${gaps.join('；')}`
          : value === null
            ? key === 'water_per_capita_m3'
              ? '缺用能人数'
              : '缺建筑面积'
            : null;
      if (reason !== null || value === null)
        unranked.push({ building: b.scope.id, name: b.scope.name, indicator: key, reason: reason ?? '' });
      else ok.push({ building: b.scope.id, name: b.scope.name, value });
    }
    return ok.sort((a, b) => a.value - b.value).map((x, i) => ({ ...x, rank: i + 1 }));
  };
  return {
    energy_per_area_kgce_m2: rows('energy_per_area_kgce_m2'),
    water_per_capita_m3: rows('water_per_capita_m3'),
    unranked,
  };
}

/** Electricity of the areas with their own meters, reported apart (never added to their building). */
export function areaFigures(site: SiteConfig, metered: MeteredDay[], p: Period): IntensityReport['areas'] {
  const areas: IntensityReport['areas'] = [];
  for (const b of site.organization.buildings)
    for (const a of b.areas) {
      const rows = metered.filter((m) => {
        const d = dayNumber(m.date);
        return (
          m.building === b.id && m.area === a.id && m.category === 'electricity' && d >= p.from && d < p.to
        );
      });
      if (rows.length === 0) continue;
      const kwh = rows.reduce((sum, m) => sum + m.value, 0);
      areas.push({
        building: b.id,
        area: a.id,
        name: a.name,
        floor_area_m2: a.area,
        electricity_kwh: kwh,
        estimated_kwh: rows.reduce((sum, m) => sum + m.estimated, 0),
        electricity_per_area_kwh_m2: kwh / a.area,
      });
    }
  return areas;
}
