/**
 * The intensity report as the API returns it and every renderer reads it: the contract between the
 * reports service (reports/), the api and the console. Pure types; the figures are computed in
 * reports/figures.
 */

import type { QuotaSection } from './quotaJudge.ts';

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
  /** What it converts, in Chinese, e.g. "电力 当量值", "电网 CO₂ 排放因子 全国 2023 年". */
  what: string;
  /** When the year asked for had no value and the nearest earlier one was used, e.g. "无 2024 年数值，采用 2023 年". */
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
  /** As the officer entered it, e.g. 1,200 L of gasoline; absent for rows stored before these were kept. */
  quantity_given?: number;
  unit_given?: string;
  /** How the given quantity became `quantity`, when it was converted: "1200 L × 0.725 kg/L (source…, 未核对)". */
  conversion?: string;
  /** Yuan, when the bill's cost was entered (the statistics return asks for it). */
  cost_yuan?: number | null;
}

/** A dated building fact (建筑面积, 用能人数), from the site file or imported. */
export interface BuildingFact {
  building: string;
  effective_from: string;
  floor_area_m2: number;
  headcount: number;
}

/**
 * How much of a period one figure rests on, per building × energy type: the share of the period's
 * days backed by metered days or by entries (prorated by day), and the share of the quantity that
 * was estimated (interpolated gaps, frozen or reset meters). 0 ≤ every share ≤ 1. For the
 * organization the days are building-days: summed over the buildings expected to have the type.
 */
export interface Coverage {
  /** Days in the period. */
  days: number;
  /** Days with a metered value (a day counts when any main meter of the type reported for it). */
  metered_days: number;
  /** Days not metered but covered by an entry's period. */
  entered_days: number;
  /** (metered_days + entered_days) / days. */
  share: number;
  /** Estimated quantity / quantity (0 when quantity is 0). */
  estimated_share: number;
  /** complete (share 1), partial (0 < share < 1), missing (share 0: shown as 缺数据, never as 0). */
  state: 'complete' | 'partial' | 'missing';
}

export interface TypeTotal {
  energy_type: EnergyType;
  /**
   * null when the coverage is missing: no data is not zero. For the organization, null as soon as
   * one building's is missing (the sum of the others would read as a drop).
   */
  quantity: number | null;
  unit: string;
  kgce: number | null;
  kgco2: number | null;
  /** Metered quantity, entered quantity, and the part of the metered quantity that is estimated. */
  metered: number;
  entered: number;
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

/** What a scope is missing for a period, in words an officer reads ("annex: 电 2025 无数据"). */
export interface MissingItem {
  building: string;
  energy_type: EnergyType;
  /** YYYY-MM-DD .. YYYY-MM-DD inclusive, the period the data is missing for. */
  from: string;
  to: string;
  /** 0 for missing, else the share that is covered. */
  share: number;
  text: string;
}

export interface Scope {
  id: string;
  name: string;
  /** Time-weighted over the range (a value holds from its effective date until the next). */
  floor_area_m2: number | null;
  headcount: number | null;
  /** How floor area and headcount were weighted, in words (e.g. "300 人 1–6 月, 400 人 7–12 月, 按天加权 350.4"). */
  facts_text: string;
  /**
   * The energy types this scope is expected to have: those its meters measure plus those it has
   * entries for in the report, baseline or previous year. A type expected but without data is
   * listed with coverage missing (never left out, never zero).
   */
  totals: TypeTotal[];
  /** null when any expected energy type is missing: a total of what is there would read as a drop. */
  energy_kgce: number | null;
  carbon_kgco2: number | null;
  indicators: Indicators;
  /** complete: every expected type fully covered; partial: some shares < 1; missing: nothing at all. */
  coverage: 'complete' | 'partial' | 'missing';
  missing: MissingItem[];
  notes: string[];
}

export type Status =
  /** change within the target due by now */
  | 'on_track'
  | 'at_risk'
  /** data for the period or the baseline is missing or partial: never on track */
  | 'incomplete'
  /** no plan or no target for this indicator */
  | 'no_target';

/** One indicator of one scope against its baseline and the plan's target. */
export interface Comparison {
  /** Building id or the organization's id. */
  scope: string;
  indicator: TargetIndicator;
  value: number | null;
  baseline: number | null;
  change: number | null;
  /** The plan's change by its end year, and the share of it due by the report year (linear). */
  target: number | null;
  target_by_now: number | null;
  status: Status;
  /** Why the status is what it is, in words, e.g. "缺数据：annex 电 2025-01-01 至 2025-12-31". */
  status_text: string;
  national_base: number | null;
}

/**
 * How the period was compared with the baseline year:
 * - `full_year`: a whole calendar year against the whole baseline year;
 * - `same_period`: any other range against the same calendar dates of the baseline year (its
 *   metered days, or its entries prorated by day);
 * - `projection`: a year to date (1 January to a day before the year's end, ending today or
 *   yesterday) — the full-year projection against the whole baseline year.
 */
export interface BaselineBasis {
  method: 'full_year' | 'same_period' | 'projection';
  /** YYYY-MM-DD inclusive: the baseline period the figures were compared with. */
  base_from: string;
  base_to: string;
  /** In words, e.g. "与基准年同期 2020-01-01 至 2020-06-30 比较". */
  text: string;
}

/** 等价值 across years: one coal rate for both (the default) or each year's own. */
export interface CoalRateChoice {
  mode: 'one_rate' | 'each_year';
  /** The generation coal rate used for the report period (and, with one_rate, the baseline). */
  rate: UsedFactor | null;
  text: string;
}

export interface PeriodComparison {
  kind: 'year_on_year' | 'previous_period';
  label: string;
  base_from: string;
  /** Inclusive. */
  base_to: string;
  /** "同比：与上年同期 2024-01-01 至 2024-06-30 比较"; "无基期数据" appended when the base has no data. */
  base_text: string;
  /** For a whole year 环比 (the previous year) is 同比: one comparison, said once. */
  same_as?: 'year_on_year';
  figures: {
    name: string;
    unit: string;
    value: number | null;
    /** null when the base period has no data for it (无基期数据), never 0. */
    base: number | null;
    change: number | null;
    coverage: number;
    base_coverage: number;
  }[];
}

export interface RankingRow {
  building: string;
  name: string;
  value: number;
  rank: number;
}

export interface Projection {
  year: number;
  days_elapsed: number;
  days_in_year: number;
  method: 'previous_year_shape' | 'linear';
  method_text: string;
  /** Coverage of this year to date and of last year (the same period and the whole year) it rests on. */
  coverage: { ytd: number; previous_same: number; previous_full: number };
  /** Set when it fell back from the previous year's shape, or cannot be trusted: why. */
  warning: string | null;
  energy_kgce: number | null;
  carbon_kgco2: number | null;
  water_m3: number | null;
  indicators: Pick<
    Indicators,
    'energy_per_area_kgce_m2' | 'energy_per_capita_kgce' | 'water_per_capita_m3' | 'carbon_per_area_kgco2_m2'
  >;
}

/**
 * The plan (target set) the report year falls in, from reports/data/targets.yaml or the site file
 * (core/reports/plans.ts). Every report says which plan and base year it measures against.
 */
export interface PlanRef {
  id: string;
  name: string;
  source: string;
  verified: boolean;
  base_year: number;
  end_year: number;
  origin: 'standard' | 'site';
  /** Short name: 十四五, 十五五 (a site set: the plan it stands in for, else its name). Absent in older reports. */
  short?: string;
  /**
   * false: the plan's figures are not published (十五五 until they are) and the site file carries
   * none: nothing is judged, every status says 十五五目标未发布. Absent in older reports (published).
   */
  published?: boolean;
  /** A site set: who set it (provincial 省级, municipal 市级, organization 本单位) and the standard plan it stands in for. */
  level?: 'provincial' | 'municipal' | 'organization';
  stands_for?: string;
}

export interface IntensityReport {
  /** The report kind (one module per kind behind the registry in reports/). */
  kind: 'intensity';
  /** Which site, store and data directory the figures come from, and when the report was made. */
  origin: { site_file: string; organization: string; data_dir: string; store: string; made_at: string };
  /** YYYY-MM-DD, the first day. */
  from: string;
  /** YYYY-MM-DD, the last day, included (dates a person reads are inclusive). */
  to: string;
  /** Days counted (from `from` to `counted_to`, or to `to`). */
  days: number;
  /**
   * Set when `to` is today or later: days not yet ended are not counted (nor missing), so every
   * figure — 同比, 环比, the baseline's same period, the projection — runs from `from` to this day
   * (yesterday, included). Optional: absent when every day of the range has ended.
   */
  counted_to?: string;
  /** With `counted_to`: "今日数据未满一天，统计至 2025-09-14". */
  counted_text?: string;
  basis: ElectricityBasis;
  basis_text: string;
  coal_rate: CoalRateChoice | null;
  /**
   * The grid CO₂ factor across years, chosen with the coal rate (`coalRate` one_rate / each_year):
   * one_rate (default) converts every period with the report year's grid factor, so the grid's
   * change is not counted as the building's; `text` says which (print it beside 单位建筑面积碳排放).
   * Optional: absent in reports made before it was added.
   */
  grid_co2?: { mode: 'one_rate' | 'each_year'; text: string };
  baseline_year: number | null;
  baseline_basis: BaselineBasis | null;
  plan: PlanRef | null;
  /** Set when the report year is outside every configured plan, or the plan is not verified. */
  plan_note: string | null;
  factors: UsedFactor[];
  buildings: Scope[];
  organization: Scope;
  /** The organization and each building over the baseline period (baseline_basis). */
  baseline: { organization: Scope; buildings: Scope[] } | null;
  /** Per scope (every building, then the organization) × indicator. */
  comparisons: Comparison[];
  /** The organization's status over all its indicators: incomplete as soon as anything is missing. */
  status: Status;
  status_text: string;
  period_comparisons: PeriodComparison[];
  /**
   * Electricity by 分项 (sub-item) over the range from the sub-meters, with the virtual `other`
   * (main − Σ sub-meters) so they add up to the main meters; filled from the rollups by build.ts.
   */
  subitems: {
    key: string;
    /** The sub-item's national code (分项编码: 01A00 照明插座用电 …); absent for the virtual other. */
    item_code?: string;
    /** null when none of the sub-item's meters reported in the period (缺数据), never 0. */
    value: number | null;
    estimated: number;
    unit?: string;
    virtual?: boolean;
    note?: string;
    /**
     * Share of the period's meter-days backed by a rollup (for `other`: of the sub-meters it is
     * computed from — the days a sub-meter did not report are counted in `other`, and its note says so).
     */
    coverage?: number;
  }[];
  /**
   * Electricity by item code (分项编码, core/itemCodes/itemCodes.yaml): the sub-meters of `subitems`,
   * each by its own code (01B1C 冷机 …; one without item_code by its sub-item's, 01B00), with the
   * code's parent and 分项. The rows of one `subitem` add up to that sub-item's row of `subitems`;
   * `other` is the same row as there.
   */
  item_codes: {
    /** The code, or `other` for the virtual 其他/未计量. */
    code: string;
    name: string;
    /** The code it rolls up into (01B1C → 01B10 → 01B00 → 01000). */
    parent: string | null;
    /** Its 分项 (subitems[].key); null for `other`. */
    subitem: string | null;
    /** null when none of the code's meters reported in the period (缺数据), never 0. */
    value: number | null;
    estimated: number;
    unit?: string;
    virtual?: boolean;
    note?: string;
    /** Share of the period's meter-days of its meters backed by a rollup (other: as in subitems). */
    coverage?: number;
  }[];
  /**
   * Buildings ranked by intensity, lowest (best: 能效/水效领跑者) first; a building whose figure is
   * not complete is not ranked and is listed in `unranked` with why.
   */
  ranking: {
    energy_per_area_kgce_m2: RankingRow[];
    water_per_capita_m3: RankingRow[];
    unranked: { building: string; name: string; indicator: string; reason: string }[];
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
  /** Year to date with a full-year projection (see BaselineBasis), else null. */
  projection: Projection | null;
  /**
   * The quotas (能耗定额) of the site file over the year of the last day counted, and the GB/T
   * 51161-2016 office benchmarks (core/reports/quotaJudge.ts); null when the site sets none.
   * Optional: absent in reports made before it was added.
   */
  quotas?: QuotaSection | null;
  /** The entries that went into the period's figures, with their sources (and conversions). */
  entries_used: (EnergyEntry & { counted_quantity: number; counted_from: string; counted_to: string })[];
  entries_superseded: {
    building: string;
    energy_type: EnergyType;
    /** The superseded days, inclusive, "2025-01-01 至 2025-01-10" (one row per run of metered days). */
    period: string;
    quantity: number;
    /** Why, in Chinese: "这些天有计量数据，以计量为准（source）". */
    reason: string;
  }[];
}
