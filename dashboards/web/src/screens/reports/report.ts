/**
 * The parts of the intensity report (GET /api/v1/reports/intensity, JSON) this screen reads: a local
 * copy of the contract's shape (core/reports/report.ts), since the OpenAPI document describes the
 * report loosely. Missing figures are null, never 0.
 */
export type Status = 'on_track' | 'at_risk' | 'incomplete' | 'no_target';

export interface Coverage {
  days: number;
  metered_days: number;
  entered_days: number;
  share: number;
  estimated_share: number;
  state: 'complete' | 'partial' | 'missing';
}

export interface TypeTotal {
  energy_type: string;
  quantity: number | null;
  unit: string;
  kgce: number | null;
  kgco2: number | null;
  metered: number;
  entered: number;
  estimated: number;
  coverage: Coverage;
}

export const indicatorKeys = [
  'energy_per_area_kgce_m2',
  'energy_per_capita_kgce',
  'water_per_capita_m3',
  'carbon_per_area_kgco2_m2',
  'electricity_per_area_kwh_m2',
] as const;
export type IndicatorKey = (typeof indicatorKeys)[number];

export interface Scope {
  id: string;
  name: string;
  floor_area_m2: number | null;
  headcount: number | null;
  facts_text: string;
  totals: TypeTotal[];
  energy_kgce: number | null;
  carbon_kgco2: number | null;
  indicators: Record<IndicatorKey, number | null>;
  coverage: 'complete' | 'partial' | 'missing';
  missing: { building: string; energy_type: string; from: string; to: string; share: number; text: string }[];
  notes: string[];
}

export interface Comparison {
  scope: string;
  indicator: IndicatorKey;
  value: number | null;
  baseline: number | null;
  change: number | null;
  target: number | null;
  target_by_now: number | null;
  status: Status;
  status_text: string;
}

export interface PeriodComparison {
  kind: 'year_on_year' | 'previous_period';
  label: string;
  base_from: string;
  base_to: string;
  base_text: string;
  same_as?: 'year_on_year';
  figures: {
    name: string;
    unit: string;
    value: number | null;
    base: number | null;
    change: number | null;
    coverage: number;
    base_coverage: number;
  }[];
}

export interface IntensityReport {
  kind: 'intensity';
  from: string;
  to: string;
  days: number;
  counted_to?: string;
  counted_text?: string;
  basis: 'equivalent' | 'generation';
  basis_text: string;
  coal_rate: { mode: string; text: string } | null;
  grid_co2?: { mode: string; text: string };
  baseline_year: number | null;
  baseline_basis: { method: string; base_from: string; base_to: string; text: string } | null;
  plan: {
    id: string;
    name: string;
    base_year: number;
    end_year: number;
    verified: boolean;
    /** false: the plan's figures are not published (十五五): nothing is judged. */
    published?: boolean;
  } | null;
  plan_note: string | null;
  factors: { value: number; unit: string; source: string; verified: boolean; what: string; note?: string }[];
  buildings: Scope[];
  organization: Scope;
  comparisons: Comparison[];
  status: Status;
  status_text: string;
  period_comparisons: PeriodComparison[];
  /** Year to date with a full-year projection: comparisons[].value is then the projection. */
  projection?: { year: number; method_text: string; warning: string | null } | null;
  subitems: {
    key: string;
    value: number | null;
    estimated: number;
    unit?: string;
    virtual?: boolean;
    note?: string;
    coverage?: number;
  }[];
  ranking: {
    energy_per_area_kgce_m2: { building: string; name: string; value: number; rank: number }[];
    water_per_capita_m3: { building: string; name: string; value: number; rank: number }[];
    unranked: { building: string; name: string; indicator: string; reason: string }[];
  };
  entries_used: {
    building: string;
    period_start: string;
    period_end: string;
    energy_type: string;
    quantity: number;
    source: string;
    quantity_given?: number;
    unit_given?: string;
    conversion?: string;
    counted_quantity: number;
    counted_from: string;
    counted_to: string;
  }[];
  entries_superseded: {
    building: string;
    energy_type: string;
    period: string;
    quantity: number;
    reason: string;
  }[];
  /** The site's quotas (能耗定额) and GB/T 51161-2016 office benchmarks; null or absent when it sets none. */
  quotas?: {
    year: number;
    to: string;
    rows: {
      building: string;
      name: string;
      indicator: string;
      indicator_name: string;
      unit: string;
      quota: number;
      level_name: string;
      standard: string | null;
      category: string | null;
      source: string;
      verified: boolean;
      ytd: number | null;
      share: number;
      prorated: number;
      projection: number | null;
      ratio: number | null;
      status: 'normal' | 'warning' | 'exceeded' | 'incomplete';
      status_zh: string;
      method: 'previous_year_shape' | 'days';
      method_text: string;
      rating: string | null;
    }[];
    benchmarks: {
      building: string;
      name: string;
      type: 'government' | 'commercial';
      class: 'A' | 'B';
      zone: string;
      limit: number;
      guide: number;
      value: number | null;
      status_zh: string;
      source: string;
      verified: boolean;
      note: string | null;
    }[];
    notes: string[];
  } | null;
}
