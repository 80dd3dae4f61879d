import type { SiteConfig } from '../../core/config/siteSchema.ts';
import type {
  BuildingFact,
  Comparison,
  ElectricityBasis,
  EnergyEntry,
  EnergyType,
  IntensityReport,
  Scope,
  TargetIndicator,
  TypeTotal,
  UsedFactor,
} from '../../core/reports/report.ts';
import { energyUnits } from '../energy.ts';
import {
  electricityKgce,
  type Factors,
  type Fuel,
  fuelCo2,
  fuelKgce,
  gridCo2,
  type Plan,
} from '../factors.ts';

/** Metered consumption of one building, category and local day (from the daily rollups). */
export interface MeteredDay {
  building: string;
  /** Set for an area's own (sub-)meters; such rows are not part of the building's totals. */
  area?: string;
  category: string;
  date: string;
  value: number;
  estimated: number;
}

export interface IntensityInput {
  site: SiteConfig;
  factors: Factors;
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, exclusive. */
  to: string;
  baselineYear?: number;
  basis: ElectricityBasis;
  /** Region of the grid CO₂ factor (default national). */
  region?: string;
  /** The organization's own factors (site file `reports.factor_overrides`). */
  overrides?: Partial<Record<Fuel | 'electricity_co2', { value: number; source: string; verified: boolean }>>;
  metered: MeteredDay[];
  entries: EnergyEntry[];
  facts: BuildingFact[];
}

const DAY = 86_400_000;
const dayNumber = (date: string) => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY);
const dateOf = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
/** The last day of a report period [from, to): what a person reads after 至. */
export const lastDayOf = (to: string) => dateOf(dayNumber(to) - 1);

const meteredType: Record<string, EnergyType> = {
  electricity: 'electricity',
  water: 'water',
  gas: 'natural_gas',
};
const fuelOf: Partial<Record<EnergyType, Fuel>> = {
  natural_gas: 'natural_gas',
  gasoline: 'gasoline',
  diesel: 'diesel',
  lpg: 'lpg',
  heat: 'heat',
  coal: 'coal',
};

/** A dated value's time-weighted mean over [from, to) (days): each value holds until the next. */
function weighted(timeline: { from: number; value: number }[], from: number, to: number): number {
  const sorted = [...timeline].sort((a, b) => a.from - b.from);
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) {
    const cur = sorted[i];
    if (!cur) continue;
    const start = Math.max(from, i === 0 ? Number.NEGATIVE_INFINITY : cur.from);
    const end = Math.min(to, sorted[i + 1]?.from ?? Number.POSITIVE_INFINITY);
    if (end > start) sum += cur.value * (end - start);
  }
  return sum / (to - from);
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

function scopeFor(
  input: IntensityInput,
  buildingIds: string[],
  from: number,
  to: number,
  year: number,
  used: Map<string, UsedFactor>,
  superseded: IntensityReport['entries_superseded'],
): Omit<Scope, 'id' | 'name'> {
  const { site, factors } = input;
  const notes: string[] = [];
  const use = (f: UsedFactor) => {
    used.set(f.what, f);
    return f.value;
  };
  const quantities = new Map<EnergyType, { metered: number; entered: number; estimated: number }>();
  const add = (t: EnergyType, k: 'metered' | 'entered' | 'estimated', v: number) => {
    const q = quantities.get(t) ?? { metered: 0, entered: 0, estimated: 0 };
    q[k] += v;
    quantities.set(t, q);
  };
  let area = 0;
  let headcount = 0;
  for (const id of buildingIds) {
    const b = site.organization.buildings.find((x) => x.id === id);
    if (!b) continue;
    // Facts: the site file's dated values, then imported facts (a later import wins on its date).
    const areaLine = b.floor_area.map((f) => ({ from: dayNumber(f.from), value: f.value }));
    const headLine = b.headcount.map((f) => ({ from: dayNumber(f.from), value: f.value }));
    for (const f of input.facts.filter((x) => x.building === id)) {
      const d = dayNumber(f.effective_from);
      for (const [line, v] of [
        [areaLine, f.floor_area_m2],
        [headLine, f.headcount],
      ] as const) {
        const i = line.findIndex((x) => x.from === d);
        if (i >= 0) line.splice(i, 1);
        line.push({ from: d, value: v });
      }
    }
    area += weighted(areaLine, from, to);
    headcount += weighted(headLine, from, to);
    // Metered days in range; the first metered day of a type is where entries stop counting.
    const firstMetered = new Map<EnergyType, number>();
    for (const m of input.metered) {
      const t = meteredType[m.category];
      const d = dayNumber(m.date);
      if (m.building !== id || m.area !== undefined || !t || d < from || d >= to) continue;
      add(t, 'metered', m.value);
      add(t, 'estimated', m.estimated);
      firstMetered.set(t, Math.min(firstMetered.get(t) ?? d, d));
    }
    for (const e of input.entries.filter((x) => x.building === id)) {
      const s = dayNumber(e.period_start);
      const end = dayNumber(e.period_end) + 1;
      const span = end - s;
      const overlapStart = Math.max(s, from);
      const overlapEnd = Math.min(end, to);
      if (overlapEnd <= overlapStart || span <= 0) continue;
      const meteredFrom = firstMetered.get(e.energy_type) ?? Number.POSITIVE_INFINITY;
      const countedEnd = Math.min(overlapEnd, Math.max(overlapStart, meteredFrom));
      const counted = (e.quantity * (countedEnd - overlapStart)) / span;
      const dropped = (e.quantity * (overlapEnd - countedEnd)) / span;
      if (counted > 0) add(e.energy_type, 'entered', counted);
      if (dropped > 0)
        superseded.push({
          building: id,
          energy_type: e.energy_type,
          period: `${dateOf(countedEnd)}..${dateOf(overlapEnd - 1)}`,
          quantity: dropped,
          reason: `metered data from ${dateOf(meteredFrom)} wins over the entry (${e.source})`,
        });
    }
  }
  const totals: TypeTotal[] = [];
  let energy = 0;
  let carbon = 0;
  const region = input.region ?? 'national';
  for (const [t, q] of [...quantities.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const quantity = q.metered + q.entered;
    let kgce: number | null = null;
    let kgco2: number | null = null;
    const override = (key: Fuel | 'electricity_co2', base: UsedFactor): UsedFactor => {
      const o = input.overrides?.[key];
      return o
        ? {
            ...base,
            ...o,
            what: `${base.what} (organization override)`,
            note: `replaces ${base.value} ${base.unit} (${base.source})`,
          }
        : base;
    };
    if (t === 'electricity') {
      kgce = quantity * use(electricityKgce(factors, input.basis, year));
      kgco2 = quantity * use(override('electricity_co2', gridCo2(factors, year, region)));
    } else if (t === 'other_kgce') {
      kgce = quantity;
      notes.push('other energy entered in kgce: no CO₂ factor, not in the carbon total');
    } else if (t !== 'water') {
      const fuel = fuelOf[t];
      if (fuel) {
        kgce = quantity * use(override(fuel, fuelKgce(factors, fuel)));
        const co2 = fuelCo2(factors, fuel);
        if (co2) kgco2 = quantity * use(co2);
        else notes.push(`${t}: no CO₂ factor, not in the carbon total`);
      }
    }
    energy += kgce ?? 0;
    carbon += kgco2 ?? 0;
    totals.push({
      energy_type: t,
      quantity,
      unit: energyUnits[t].unit,
      kgce,
      kgco2,
      metered: q.metered,
      entered: q.entered,
      estimated: q.estimated,
    });
    if (q.estimated > 0)
      notes.push(
        `${t}: ${((q.estimated / quantity) * 100).toFixed(1)} % estimated (gaps, frozen or reset meters interpolated)`,
      );
  }
  const electricity = totals.find((x) => x.energy_type === 'electricity')?.quantity ?? 0;
  const water = totals.find((x) => x.energy_type === 'water')?.quantity ?? 0;
  return {
    floor_area_m2: area,
    headcount,
    totals,
    energy_kgce: energy,
    carbon_kgco2: carbon,
    indicators: {
      energy_per_area_kgce_m2: ratio(energy, area),
      energy_per_capita_kgce: ratio(energy, headcount),
      water_per_capita_m3: totals.some((x) => x.energy_type === 'water') ? ratio(water, headcount) : null,
      carbon_per_area_kgco2_m2: ratio(carbon, area),
      electricity_per_area_kwh_m2: ratio(electricity, area),
    },
    notes,
  };
}

function shiftMonths(date: string, months: number): string {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1 + months, d));
  return t.toISOString().slice(0, 10);
}

/** The base periods of 同比 and 环比 for [from, to) (YYYY-MM-DD, `to` exclusive). */
export function comparisonPeriods(
  from: string,
  to: string,
): { kind: 'year_on_year' | 'previous_period'; label: string; from: string; to: string; text: string }[] {
  const days = dayNumber(to) - dayNumber(from);
  const wholeMonths =
    from.endsWith('-01') && to.endsWith('-01')
      ? (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 +
        Number(to.slice(5, 7)) -
        Number(from.slice(5, 7))
      : 0;
  const prev =
    wholeMonths > 0
      ? {
          from: shiftMonths(from, -wholeMonths),
          to: from,
          unit: wholeMonths === 1 ? '上月' : wholeMonths === 3 ? '上季度' : `前${wholeMonths}个月`,
        }
      : { from: dateOf(dayNumber(from) - days), to: from, unit: `前${days}天` };
  const yoyFrom = shiftMonths(from, -12);
  const yoyTo = shiftMonths(to, -12);
  const inclusive = (a: string, b: string) => `${a} 至 ${dateOf(dayNumber(b) - 1)}`;
  return [
    {
      kind: 'year_on_year',
      label: '同比',
      from: yoyFrom,
      to: yoyTo,
      text: `同比：与上年同期 ${inclusive(yoyFrom, yoyTo)} 比较`,
    },
    {
      kind: 'previous_period',
      label: '环比',
      from: prev.from,
      to: prev.to,
      text: `环比：与${prev.unit} ${inclusive(prev.from, prev.to)} 比较`,
    },
  ];
}

/**
 * Full-year projection of a year-to-date range. With last year's data for both the same period
 * and the whole year, the year-to-date figure is scaled by last year's whole/same-period ratio (the
 * seasons are kept: a cooling summer still to come counts); otherwise linearly by days.
 */
function projectYear(
  input: IntensityInput,
  ytd: Scope,
  ids: string[],
  from: number,
  to: number,
  year: number,
): IntensityReport['projection'] {
  const yearStart = dayNumber(`${year}-01-01`);
  const yearEnd = dayNumber(`${year + 1}-01-01`);
  if (from !== yearStart || to >= yearEnd) return null;
  const elapsed = to - from;
  const daysInYear = yearEnd - yearStart;
  const prevStart = dayNumber(`${year - 1}-01-01`);
  const prevSame = scopeFor(input, ids, prevStart, prevStart + elapsed, year - 1, new Map(), []);
  const prevFull = scopeFor(input, ids, prevStart, yearStart, year - 1, new Map(), []);
  const water = (s: Omit<Scope, 'id' | 'name'>) =>
    s.totals.find((t) => t.energy_type === 'water')?.quantity ?? 0;
  const shape = prevSame.energy_kgce > 0 && prevFull.energy_kgce > 0;
  const f = (now: number, same: number, full: number) =>
    shape && same > 0 ? (now * full) / same : (now * daysInYear) / elapsed;
  const energy = f(ytd.energy_kgce, prevSame.energy_kgce, prevFull.energy_kgce);
  const carbon = f(ytd.carbon_kgco2, prevSame.carbon_kgco2, prevFull.carbon_kgco2);
  const waterM3 = f(water(ytd), water(prevSame), water(prevFull));
  const until = dateOf(to - 1);
  return {
    year,
    days_elapsed: elapsed,
    days_in_year: daysInYear,
    method: shape ? 'previous_year_shape' : 'linear',
    method_text: shape
      ? `${year}-01-01 至 ${until} 实绩 × ${year - 1} 年全年 / ${year - 1}-01-01 至 ${dateOf(prevStart + elapsed - 1)} (按上年同期占比推算)`
      : `${year}-01-01 至 ${until} 实绩 × ${daysInYear} / ${elapsed} 天 (按天数线性推算，无上年数据)`,
    energy_kgce: energy,
    carbon_kgco2: carbon,
    water_m3: waterM3,
    indicators: {
      energy_per_area_kgce_m2: ratio(energy, ytd.floor_area_m2),
      energy_per_capita_kgce: ratio(energy, ytd.headcount),
      water_per_capita_m3: ytd.totals.some((t) => t.energy_type === 'water')
        ? ratio(waterM3, ytd.headcount)
        : null,
      carbon_per_area_kgco2_m2: ratio(carbon, ytd.floor_area_m2),
    },
  };
}

export function intensityReport(input: IntensityInput): IntensityReport {
  const from = dayNumber(input.from);
  const to = dayNumber(input.to);
  if (!(to > from)) throw new Error(`report range ${input.from} .. ${input.to} is empty`);
  const year = Number(input.from.slice(0, 4));
  const used = new Map<string, UsedFactor>();
  const superseded: IntensityReport['entries_superseded'] = [];
  const ids = input.site.organization.buildings.map((b) => b.id);
  const buildings: Scope[] = input.site.organization.buildings.map((b) => ({
    id: b.id,
    name: b.name,
    ...scopeFor(input, [b.id], from, to, year, used, superseded),
  }));
  const org = input.site.organization;
  const organization: Scope = {
    id: org.id,
    name: org.name,
    ...scopeFor(input, ids, from, to, year, used, []),
  };
  const baselineYear = input.baselineYear ?? null;
  let baseline: Scope | null = null;
  if (baselineYear !== null) {
    const bFrom = dayNumber(`${baselineYear}-01-01`);
    const bTo = dayNumber(`${baselineYear + 1}-01-01`);
    baseline = {
      id: org.id,
      name: `${org.name} ${baselineYear}`,
      ...scopeFor(input, ids, bFrom, bTo, baselineYear, used, []),
    };
  }
  const plan: Plan | undefined =
    baselineYear === null ? undefined : input.factors.plans.find((p) => p.base_year === baselineYear);
  const indicators: TargetIndicator[] = [
    'energy_per_area_kgce_m2',
    'energy_per_capita_kgce',
    'water_per_capita_m3',
    'carbon_per_area_kgco2_m2',
  ];
  const comparisons: Comparison[] = indicators.map((indicator) => {
    const value = organization.indicators[indicator];
    const base = baseline?.indicators[indicator] ?? null;
    const change = value !== null && base !== null && base > 0 ? value / base - 1 : null;
    const target = plan?.targets[indicator] ?? null;
    const share = plan
      ? Math.min(1, Math.max(0, (year - plan.base_year) / (plan.end_year - plan.base_year)))
      : 0;
    const byNow = target === null ? null : target * share;
    return {
      indicator,
      value,
      baseline: base,
      change,
      target,
      target_by_now: byNow,
      status: change === null || byNow === null ? 'no_data' : change <= byNow ? 'on_track' : 'at_risk',
      national_base: plan?.national_base?.[indicator] ?? null,
    };
  });
  const rank = (key: 'energy_per_area_kgce_m2' | 'water_per_capita_m3') =>
    buildings
      .filter((b) => b.indicators[key] !== null)
      .map((b) => ({ building: b.id, name: b.name, value: b.indicators[key] as number }))
      .sort((a, b) => a.value - b.value)
      .map((x, i) => ({ ...x, rank: i + 1 }));
  const areas: IntensityReport['areas'] = [];
  for (const b of input.site.organization.buildings)
    for (const a of b.areas) {
      const rows = input.metered.filter(
        (m) =>
          m.building === b.id &&
          m.area === a.id &&
          m.category === 'electricity' &&
          dayNumber(m.date) >= from &&
          dayNumber(m.date) < to,
      );
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
  const figures = (sc: Omit<Scope, 'id' | 'name'>) => {
    const q = (t: EnergyType) => sc.totals.find((x) => x.energy_type === t)?.quantity ?? 0;
    return [
      { name: '综合能耗 energy', unit: 'kgce', value: sc.energy_kgce },
      { name: '电 electricity', unit: 'kWh', value: q('electricity') },
      { name: '水 water', unit: 'm³', value: q('water') },
      { name: '碳排放 carbon', unit: 'kgCO₂', value: sc.carbon_kgco2 },
    ];
  };
  const now = figures(organization);
  const periodComparisons: IntensityReport['period_comparisons'] = comparisonPeriods(
    input.from,
    input.to,
  ).map((p) => {
    const base = figures(
      scopeFor(input, ids, dayNumber(p.from), dayNumber(p.to), Number(p.from.slice(0, 4)), new Map(), []),
    );
    return {
      kind: p.kind,
      label: p.label,
      base_from: p.from,
      base_to: p.to,
      base_text: p.text,
      figures: now.map((f, i) => {
        const b = base[i]?.value ?? 0;
        return { ...f, base: b, change: b > 0 ? f.value / b - 1 : null };
      }),
    };
  });
  return {
    subitems: [],
    period_comparisons: periodComparisons,
    ranking: {
      energy_per_area_kgce_m2: rank('energy_per_area_kgce_m2'),
      water_per_capita_m3: rank('water_per_capita_m3'),
    },
    areas,
    projection: projectYear(input, organization, ids, from, to, year),
    from: input.from,
    to: dateOf(to - 1), // what a person reads: the last day, included
    days: to - from,
    basis: input.basis,
    basis_text:
      input.basis === 'equivalent'
        ? '电力按当量值折标 (0.1229 kgce/kWh, GB/T 2589-2020)'
        : '电力按等价值折标 (上一年度火电供电标准煤耗)',
    baseline_year: baselineYear,
    plan: plan ? { id: plan.id, name: plan.name, source: plan.source, verified: plan.verified } : null,
    factors: [...used.values()],
    buildings,
    organization,
    baseline,
    comparisons,
    entries_superseded: superseded,
  };
}
