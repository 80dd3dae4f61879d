import type { ElectricityBasis, IntensityReport, PlanRef, TargetIndicator } from './report.ts';

/**
 * A plan's final assessment (终期考核, issue 18) as the API returns it: the plan's end year
 * against its base year, whole calendar years, all four indicators per building and for the
 * organization, each against the plan's full target. Computed in reports/figures/assessment.ts.
 */

/** GET /reports/assessment, jieneng report assessment: the plan by id or short name (十四五), and the electricity basis. */
export interface AssessmentQuery {
  plan: string;
  basis: ElectricityBasis;
}

/** 完成: the change reached the target; 未完成: it did not; 数据不全: not judged (never 完成). */
export type AssessmentResult = 'achieved' | 'not_achieved' | 'incomplete' | 'no_target';

export interface AssessmentRow {
  /** Building id or the organization's id. */
  scope: string;
  scope_name: string;
  indicator: TargetIndicator;
  /** The base year's value and the end year's, in the indicator's unit; null when missing. */
  base_value: number | null;
  value: number | null;
  change: number | null;
  /** The plan's change by its end year, e.g. −0.05. */
  target: number | null;
  result: AssessmentResult;
  result_text: string;
  /**
   * Lowest share of the year's days backed by data over the energy types the indicator rests on
   * (water for water, every converted type for the rest), in the end year and the base year.
   */
  coverage: number;
  base_coverage: number;
  /** Share of the end year's figure that is estimated (interpolated gaps, frozen or reset meters), and entered (bills, fuel cards) rather than metered. */
  estimated_share: number;
  entered_share: number;
  national_base: number | null;
}

export interface AssessmentReport {
  kind: 'assessment';
  origin: IntensityReport['origin'];
  plan: PlanRef;
  plan_note: string | null;
  /** The organization's id (its rows' scope). */
  organization: string;
  /** The end year and the base year, both whole calendar years. */
  year: number;
  base_year: number;
  basis_text: string;
  rows: AssessmentRow[];
  /** The organization over its four indicators: 完成 only when all four with targets are. */
  result: AssessmentResult;
  result_text: string;
  notes: string[];
}
