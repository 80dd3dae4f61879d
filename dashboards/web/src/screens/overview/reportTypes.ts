/**
 * The parts of GET /api/v1/reports/intensity (format=json) this screen reads. The OpenAPI document
 * types the answer loosely (kind, from, to, days and more), so the screen names here what it relies
 * on; the contract itself is the API's (core/reports/report.ts behind it).
 */

export type Status = 'on_track' | 'at_risk' | 'incomplete' | 'no_target';
export type TargetIndicator =
  | 'energy_per_area_kgce_m2'
  | 'energy_per_capita_kgce'
  | 'water_per_capita_m3'
  | 'carbon_per_area_kgco2_m2';

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
  estimated: number;
  coverage: Coverage;
}

export interface Indicators {
  energy_per_area_kgce_m2: number | null;
  energy_per_capita_kgce: number | null;
  water_per_capita_m3: number | null;
  carbon_per_area_kgco2_m2: number | null;
  electricity_per_area_kwh_m2: number | null;
}

export interface Scope {
  id: string;
  name: string;
  floor_area_m2: number | null;
  headcount: number | null;
  facts_text: string;
  totals: TypeTotal[];
  energy_kgce: number | null;
  carbon_kgco2: number | null;
  indicators: Indicators;
  coverage: 'complete' | 'partial' | 'missing';
  missing: { text: string }[];
}

export interface Comparison {
  scope: string;
  indicator: TargetIndicator;
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

export interface Subitem {
  key: string;
  value: number | null;
  estimated: number;
  unit?: string;
  virtual?: boolean;
  note?: string;
  coverage?: number;
}

export interface RankingRow {
  building: string;
  name: string;
  value: number;
  rank: number;
}

export interface IntensityReport {
  kind: 'intensity';
  from: string;
  to: string;
  days: number;
  counted_to?: string;
  counted_text?: string;
  basis_text: string;
  baseline_year: number | null;
  baseline_basis: {
    method: 'full_year' | 'same_period' | 'projection';
    base_from: string;
    base_to: string;
    text: string;
  } | null;
  plan: { id: string; name: string; base_year: number; end_year: number; verified: boolean } | null;
  plan_note: string | null;
  buildings: Scope[];
  organization: Scope;
  comparisons: Comparison[];
  status: Status;
  status_text: string;
  period_comparisons: PeriodComparison[];
  subitems: Subitem[];
  ranking: {
    energy_per_area_kgce_m2: RankingRow[];
    water_per_capita_m3: RankingRow[];
    unranked: { building: string; name: string; indicator: string; reason: string }[];
  };
  /** Year to date with a full-year projection (compared with the whole baseline year), else null. */
  projection: {
    warning: string | null;
    method_text: string;
    energy_kgce: number | null;
    carbon_kgco2: number | null;
    water_m3: number | null;
    indicators: Record<TargetIndicator, number | null>;
  } | null;
}
