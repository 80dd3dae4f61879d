import type { AssessmentQuery, AssessmentReport } from './assessment.ts';
import type { BuildingFact, ElectricityBasis, EnergyEntry, IntensityReport } from './report.ts';
import type { StatisticsReport } from './statistics.ts';

/** The formats every report renders to. */
export type ReportFormat = 'json' | 'csv' | 'xlsx' | 'pdf';

/** What the ledger holds besides its audit: building facts, or energy entries. */
export type LedgerKind = 'facts' | 'entries';

/** Rows that failed validation: nothing of the file or request was stored; each problem names the row and column. */
export class ImportError extends Error {
  constructor(readonly problems: string[]) {
    super(`共 ${problems.length} 处问题，未导入任何数据：\n${problems.join('\n')}`);
  }
}

/** What an entry or import stored. */
export interface LedgerResult {
  imported: number;
  replaced: number;
  identical: number;
  replacements: unknown[];
  notes: string[];
}

/** An intensity report request: local dates, both included. */
export interface IntensityQuery {
  /** YYYY-MM-DD, the first day (local). */
  from: string;
  /** YYYY-MM-DD, the last day (local), included. */
  to: string;
  /** Default: the base year of the plan the report year falls in. */
  baselineYear?: number | undefined;
  basis: ElectricityBasis;
  /** 等价值 across years: one coal rate for both years (default) or each year's own. */
  coalRate?: 'one_rate' | 'each_year' | undefined;
}

/**
 * What the API asks of the reports service (reports/). `jieneng start` and `jieneng api` pass the
 * service in; the API never opens the ledger or computes a figure itself.
 */
export interface ReportPort {
  intensity(q: IntensityQuery): Promise<IntensityReport>;
  /**
   * A plan's final assessment (终期考核): its end year against its base year, all four indicators.
   * An unknown or unpublished plan, or an end year not over, is refused (JnError bad_request).
   */
  assessment(q: AssessmentQuery): Promise<AssessmentReport>;
  /** The assessment as a zip of CSV tables or XLSX (JSON is the assessment itself). */
  renderAssessment(
    report: AssessmentReport,
    format: 'csv' | 'xlsx',
  ): Promise<{ body: Buffer; contentType: string; extension: string }>;
  /** The annual statistics return (公共机构能源资源消费统计 基层表) of a calendar year. */
  statistics(q: { year: number }): Promise<StatisticsReport>;
  /** The return as XLSX laid out as the form (JSON is the report itself). */
  renderStatistics(
    report: StatisticsReport,
  ): Promise<{ body: Buffer; contentType: string; extension: string }>;
  render(
    report: IntensityReport,
    format: ReportFormat,
  ): Promise<{
    body: Buffer;
    contentType: string /** With the dot: `.csv.zip` for the zip of CSV tables. */;
    extension: string;
  }>;
  /**
   * Facts or entries from the API (objects with the CSV's columns): all or none, audited as `who`.
   * Rows overlapping stored ones are refused unless `replace` (then the audit keeps what they replaced).
   */
  enter(kind: LedgerKind, items: unknown[], who: string, options?: { replace?: boolean }): LedgerResult;
  /**
   * A CSV (UTF-8 or GBK) or XLSX file of facts or entries, read as `jieneng import` reads it: all
   * rows or none (ImportError naming each bad row by its row number), audited as `who`.
   */
  enterFile(
    kind: LedgerKind,
    file: { name: string; bytes: Uint8Array },
    who: string,
    options?: { replace?: boolean },
  ): Promise<LedgerResult & { encoding?: string }>;
  facts(): BuildingFact[];
  entries(): EnergyEntry[];
  audit(): { at: string; action: string; detail: unknown }[];
}
