/**
 * What 能耗总览 shows, from the intensity report (pure: unit-tested in overviewModel.test.ts): the
 * KPI figures with their coverage, their 同比/环比 against a named base period, their target status;
 * the 分类 and 分项 mix; the ranking by intensity. Missing stays null (the page says 缺数据), never 0;
 * a change is given only where both sides are complete (as the report does).
 */
import type { Basis } from '../../period';
import type {
  Comparison,
  IntensityReport,
  PeriodComparison,
  Scope,
  TargetIndicator,
  TypeTotal,
} from './reportTypes';

export interface CoverageView {
  /** Share of the figure's days backed by data, 0..1. */
  share: number;
  /** Share of the quantity that was estimated, 0..1. */
  estimated: number;
  state: 'complete' | 'partial' | 'missing';
}

const stateOf = (share: number): CoverageView['state'] =>
  share >= 1 ? 'complete' : share > 0 ? 'partial' : 'missing';

/** Coverage of a figure resting on these totals: days-weighted share, quantity-weighted estimate. */
export function coverageOf(totals: readonly TypeTotal[]): CoverageView {
  let days = 0;
  let covered = 0;
  let weight = 0;
  let estimated = 0;
  for (const t of totals) {
    days += t.coverage.days;
    covered += t.coverage.share * t.coverage.days;
    const w = t.kgce ?? t.quantity ?? 0;
    weight += w;
    estimated += t.coverage.estimated_share * w;
  }
  const share = days > 0 ? covered / days : 0;
  return { share, estimated: weight > 0 ? estimated / weight : 0, state: stateOf(share) };
}

/** The types converted to standard coal (everything but water). */
export const energyTotals = (scope: Scope) => scope.totals.filter((t) => t.energy_type !== 'water');
export const waterTotals = (scope: Scope) => scope.totals.filter((t) => t.energy_type === 'water');

export type KpiKey =
  | 'energy'
  | 'water'
  | 'carbon'
  | 'energy_per_area'
  | 'energy_per_capita'
  | 'water_per_capita'
  | 'carbon_per_area';

export const kpiKeys: readonly KpiKey[] = [
  'energy',
  'water',
  'carbon',
  'energy_per_area',
  'energy_per_capita',
  'water_per_capita',
  'carbon_per_area',
];

const indicatorOf: Partial<Record<KpiKey, TargetIndicator>> = {
  energy_per_area: 'energy_per_area_kgce_m2',
  energy_per_capita: 'energy_per_capita_kgce',
  water_per_capita: 'water_per_capita_m3',
  carbon_per_area: 'carbon_per_area_kgco2_m2',
};

/** Decimals shown (the XLSX keeps 6; the page rounds what it shows to these). */
export const kpiDigits: Record<KpiKey, number> = {
  energy: 2,
  water: 2,
  carbon: 2,
  energy_per_area: 3,
  energy_per_capita: 2,
  water_per_capita: 3,
  carbon_per_area: 3,
};

/** 同比 or 环比 of one figure against its base period. */
export interface ChangeView {
  kind: 'year_on_year' | 'previous_period';
  /** The base period, inclusive dates. */
  baseFrom: string;
  baseTo: string;
  base: number | null;
  change: number | null;
  /** Why there is no change: the base has no data, or one side is not complete. */
  reason?: 'no_base' | 'partial' | 'no_facts';
  /** For a whole year 环比 is 同比: said once. */
  sameAsYearOnYear?: boolean;
}

export interface Kpi {
  key: KpiKey;
  value: number | null;
  coverage: CoverageView;
  change: ChangeView | undefined;
  /** The plan's target and status for this indicator (the organization's). */
  target: Comparison | undefined;
  /** A year to date: the full-year projection the target is compared with (null: cannot be projected). */
  projected?: number | null;
}

/** The report's 同比 (basis last_year) or 环比 (previous) comparison. */
export function periodComparison(report: IntensityReport, basis: Basis): PeriodComparison | undefined {
  const kind = basis === 'last_year' ? 'year_on_year' : 'previous_period';
  const found = report.period_comparisons.find((c) => c.kind === kind);
  // A whole year's 环比 is its 同比: the report says so once and leaves its figures to 同比.
  if (found?.same_as === 'year_on_year') {
    const yoy = report.period_comparisons.find((c) => c.kind === 'year_on_year');
    if (yoy) return { ...yoy, kind: found.kind, same_as: found.same_as, base_text: found.base_text };
  }
  return found;
}

/**
 * The period comparisons' figures by their unit, the report's stable code for each (kgce 综合能耗,
 * kWh 电, m³ 水, kgCO₂ 碳排放): their names are Chinese display words, not keys.
 */
const figureUnits: Partial<Record<KpiKey, string>> = {
  energy: 'kgce',
  water: 'm³',
  carbon: 'kgCO₂',
};

function totalChange(pc: PeriodComparison | undefined, key: KpiKey): ChangeView | undefined {
  if (!pc) return undefined;
  const f = pc.figures.find((x) => x.unit === figureUnits[key]);
  const view: ChangeView = {
    kind: pc.kind,
    baseFrom: pc.base_from,
    baseTo: pc.base_to,
    base: f?.base ?? null,
    change: f?.change ?? null,
    ...(pc.same_as === 'year_on_year' ? { sameAsYearOnYear: true } : {}),
  };
  if (view.change === null) view.reason = view.base === null ? 'no_base' : 'partial';
  return view;
}

/** What each plan indicator divides, and by which fact. */
const indicatorParts: Record<TargetIndicator, { figure: KpiKey; per: 'floor_area_m2' | 'headcount' }> = {
  energy_per_area_kgce_m2: { figure: 'energy', per: 'floor_area_m2' },
  energy_per_capita_kgce: { figure: 'energy', per: 'headcount' },
  water_per_capita_m3: { figure: 'water', per: 'headcount' },
  carbon_per_area_kgco2_m2: { figure: 'carbon', per: 'floor_area_m2' },
};

/**
 * An indicator's 同比/环比: the report's base figure (on the report's own factors: one coal rate and
 * one grid factor for every period) over the base period's floor area or headcount (from the base
 * period's report), against this period's indicator. No change where the report gives none.
 */
function indicatorChange(
  pc: PeriodComparison | undefined,
  current: Scope,
  base: Scope | undefined,
  indicator: TargetIndicator,
): ChangeView | undefined {
  const total = totalChange(pc, indicatorParts[indicator].figure);
  if (!total) return undefined;
  const fact = base?.[indicatorParts[indicator].per] ?? null;
  const value = current.indicators[indicator];
  const view: ChangeView = { ...total, base: null, change: null };
  if (total.base === null) view.reason = 'no_base';
  else if (fact === null || fact <= 0) view.reason = 'no_facts';
  else {
    view.base = total.base / fact;
    if (total.change === null || value === null || view.base === 0) view.reason = 'partial';
    else view.change = value / view.base - 1;
  }
  return view;
}

/**
 * The KPI figures of the organization: totals (综合能耗, 用水量, 碳排放) with the report's own
 * 同比/环比, and the four plan indicators with their target status and a 同比/环比 from the same figures over
 * the base period's floor area and headcount (`baseReport`: the report of the base period).
 */
export function buildKpis(report: IntensityReport, basis: Basis, baseReport?: IntensityReport): Kpi[] {
  const org = report.organization;
  const pc = periodComparison(report, basis);
  const energyCov = coverageOf(energyTotals(org));
  const waterCov = coverageOf(waterTotals(org));
  const water = waterTotals(org);
  const waterValue =
    water.length > 0 && water.every((t) => t.quantity !== null)
      ? water.reduce((s, t) => s + (t.quantity ?? 0), 0)
      : null;
  const coverageFor: Record<KpiKey, CoverageView> = {
    energy: energyCov,
    water: waterCov,
    carbon: energyCov,
    energy_per_area: energyCov,
    energy_per_capita: energyCov,
    water_per_capita: waterCov,
    carbon_per_area: energyCov,
  };
  return kpiKeys.map((key) => {
    const indicator = indicatorOf[key];
    const value =
      key === 'energy'
        ? org.energy_kgce
        : key === 'carbon'
          ? org.carbon_kgco2
          : key === 'water'
            ? waterValue
            : indicator
              ? org.indicators[indicator]
              : null;
    const change = indicator
      ? indicatorChange(pc, org, baseReport?.organization, indicator)
      : totalChange(pc, key);
    const target = indicator
      ? report.comparisons.find((c) => c.scope === org.id && c.indicator === indicator)
      : undefined;
    const p = report.projection;
    const projected = p
      ? indicator
        ? p.indicators[indicator]
        : key === 'energy'
          ? p.energy_kgce
          : key === 'carbon'
            ? p.carbon_kgco2
            : p.water_m3
      : undefined;
    return {
      key,
      value,
      coverage: coverageFor[key],
      change,
      target,
      ...(projected !== undefined ? { projected } : {}),
    };
  });
}

/** The target is due in part by the report year (prorated linearly over the plan's years). */
export const isProrated = (c: Comparison) =>
  c.target !== null && c.target_by_now !== null && Math.abs(c.target - c.target_by_now) > 1e-9;

/** The period is shorter than a whole calendar year, compared with the same dates of the base year or by projection. */
export function partialYear(report: IntensityReport): 'same_period' | 'projection' | undefined {
  const m = report.baseline_basis?.method;
  return m === 'same_period' || m === 'projection' ? m : undefined;
}

export interface MixSlice {
  key: string;
  quantity: number | null;
  unit: string;
  kgce: number | null;
  /** Share of 综合能耗, when every slice is known. */
  share: number | null;
  coverage: CoverageView;
}

/** 分类: the organization's energy by type in kgce (water is not converted and not in the mix). */
export function typeMix(scope: Scope): MixSlice[] {
  const totals = energyTotals(scope);
  const known = totals.every((t) => t.kgce !== null);
  const sum = totals.reduce((s, t) => s + (t.kgce ?? 0), 0);
  return totals.map((t) => ({
    key: t.energy_type,
    quantity: t.quantity,
    unit: t.unit,
    kgce: t.kgce,
    share: known && sum > 0 && t.kgce !== null ? t.kgce / sum : null,
    coverage: coverageOf([t]),
  }));
}

export interface SubitemSlice {
  key: string;
  value: number | null;
  unit: string;
  share: number | null;
  coverage: number | null;
  estimated: number;
  note: string;
  virtual: boolean;
}

/** 分项: electricity by sub-item, with 其他/未计量 (main − Σ sub-meters) as its own slice. */
export function subitemMix(report: IntensityReport): SubitemSlice[] {
  const items = report.subitems;
  const known = items.every((s) => s.value !== null);
  const sum = items.reduce((s, x) => s + Math.max(0, x.value ?? 0), 0);
  return items.map((s) => ({
    key: s.key,
    value: s.value,
    unit: s.unit ?? 'kWh',
    share: known && sum > 0 && s.value !== null ? s.value / sum : null,
    coverage: s.coverage ?? null,
    estimated: s.estimated,
    note: s.note ?? '',
    virtual: s.virtual === true,
  }));
}

export interface RankView {
  rank: number | null;
  building: string;
  name: string;
  value: number | null;
  /** Why a building is not ranked (its figure is not complete). */
  reason: string;
}

/** Buildings by 单位建筑面积能耗, lowest first; the unranked after them with why. */
export function energyRanking(report: IntensityReport): RankView[] {
  const ranked = report.ranking.energy_per_area_kgce_m2.map((r) => ({
    rank: r.rank,
    building: r.building,
    name: r.name,
    value: r.value,
    reason: '',
  }));
  const unranked = report.ranking.unranked
    .filter((u) => u.indicator === 'energy_per_area_kgce_m2')
    .map((u) => ({ rank: null, building: u.building, name: u.name, value: null, reason: u.reason }));
  return [...ranked, ...unranked];
}
