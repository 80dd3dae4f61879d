/**
 * The intensity report as the API returns it and every renderer reads it: the contract between the
 * reports service (reports/), the api and the console. Pure types; the figures are computed in
 * reports/figures.
 */

/** Electricity basis: 当量值 (heat content) or 等价值 (generation coal rate of the previous year). */
export type ElectricityBasis = 'equivalent' | 'generation';

/** The indicators a plan sets targets for. */
export const targetIndicators = [
  'energy_per_area_kgce_m2',
  'energy_per_capita_kgce',
  'water_per_capita_m3',
  'carbon_per_area_kgco2_m2',
] as const;
export type TargetIndicator = (typeof targetIndicators)[number];

/** A factor as used in a report: the value, its unit, where it came from and whether it was checked. */
export interface UsedFactor {
  value: number;
  unit: string;
  source: string;
  verified: boolean;
  /** What it converts, e.g. "electricity 当量值", "grid CO₂ national 2023". */
  what: string;
  /** When the year asked for had no value and the nearest earlier one was used. */
  note?: string;
}

/*
 * 单位建筑面积能耗, 人均综合能耗, 人均用水量, 单位建筑面积碳排放 and electricity intensity per
 * building and for the organization over a date range, from metered daily consumption plus the
 * energy entries officers made (bills, fuel, bottled gas, purchased heat, baseline years), against
 * a baseline year and the plan's target. Pure: the CLI and the API feed it data and format it.
 */
export type EnergyType =
  | 'electricity'
  | 'water'
  | 'natural_gas'
  | 'gasoline'
  | 'diesel'
  | 'lpg'
  | 'heat'
  | 'coal'
  | 'other_kgce';

/** An energy entry: a quantity for a building over an inclusive date range. */
export interface EnergyEntry {
  building: string;
  /** YYYY-MM-DD, inclusive. */
  period_start: string;
  /** YYYY-MM-DD, inclusive. */
  period_end: string;
  energy_type: EnergyType;
  /** In the type's unit (converted on import). */
  quantity: number;
  source: string;
}

/** A dated building fact (建筑面积, 用能人数), from the site file or imported. */
export interface BuildingFact {
  building: string;
  effective_from: string;
  floor_area_m2: number;
  headcount: number;
}

export interface TypeTotal {
  energy_type: EnergyType;
  quantity: number;
  unit: string;
  kgce: number | null;
  kgco2: number | null;
  /** Metered share, entered share, and the part of the metered share that is estimated. */
  metered: number;
  entered: number;
  estimated: number;
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
  /** Time-weighted over the range. */
  floor_area_m2: number;
  headcount: number;
  totals: TypeTotal[];
  energy_kgce: number;
  carbon_kgco2: number;
  indicators: Indicators;
  notes: string[];
}

export interface Comparison {
  indicator: TargetIndicator;
  value: number | null;
  baseline: number | null;
  change: number | null;
  /** The plan's change by its end year, and the share of it due by the report year (linear). */
  target: number | null;
  target_by_now: number | null;
  status: 'on_track' | 'at_risk' | 'no_data';
  national_base: number | null;
}

export interface IntensityReport {
  /** YYYY-MM-DD, the first day. */
  from: string;
  /** YYYY-MM-DD, the last day, included (dates a person reads are inclusive). */
  to: string;
  days: number;
  basis: ElectricityBasis;
  basis_text: string;
  baseline_year: number | null;
  plan: { id: string; name: string; source: string; verified: boolean } | null;
  factors: UsedFactor[];
  buildings: Scope[];
  organization: Scope;
  baseline: Scope | null;
  comparisons: Comparison[];
  /**
   * 同比 (the same dates a year earlier) and 环比 (the period just before: the previous calendar
   * month or quarter when the range is one, else as many days before), each with its base period
   * in words — products disagree on what these mean, so the report says.
   */
  period_comparisons: {
    kind: 'year_on_year' | 'previous_period';
    label: string;
    base_from: string;
    base_to: string;
    base_text: string;
    figures: { name: string; unit: string; value: number; base: number; change: number | null }[];
  }[];
  /**
   * Electricity by 分项 (sub-item) over the range from the sub-meters, with the virtual `other`
   * (main − Σ sub-meters) so they add up to the main meters; filled from the rollups by build.ts.
   */
  subitems: {
    key: string;
    value: number;
    estimated: number;
    unit?: string;
    virtual?: boolean;
    note?: string;
  }[];
  /** Buildings ranked by intensity, lowest (best: 能效/水效领跑者) first. */
  ranking: {
    energy_per_area_kgce_m2: { building: string; name: string; value: number; rank: number }[];
    water_per_capita_m3: { building: string; name: string; value: number; rank: number }[];
  };
  /** Electricity of the areas (floors, zones) that have their own meters. */
  areas: {
    building: string;
    area: string;
    name: string;
    floor_area_m2: number;
    electricity_kwh: number;
    estimated_kwh: number;
    electricity_per_area_kwh_m2: number;
  }[];
  /**
   * Year to date with a full-year projection, when the range runs from 1 January to a day
   * before the year's end. `method` and `method_text` say how it was projected.
   */
  projection: {
    year: number;
    days_elapsed: number;
    days_in_year: number;
    method: 'previous_year_shape' | 'linear';
    method_text: string;
    energy_kgce: number;
    carbon_kgco2: number;
    water_m3: number;
    indicators: Pick<
      Indicators,
      | 'energy_per_area_kgce_m2'
      | 'energy_per_capita_kgce'
      | 'water_per_capita_m3'
      | 'carbon_per_area_kgco2_m2'
    >;
  } | null;
  entries_superseded: {
    building: string;
    energy_type: EnergyType;
    period: string;
    quantity: number;
    reason: string;
  }[];
}
