import type { SiteConfig } from '../../core/config/siteSchema.ts';
import { JnError } from '../../core/errors.ts';
import type {
  BuildingFact,
  CoalRateChoice,
  Comparison,
  ElectricityBasis,
  EnergyEntry,
  IntensityReport,
  UsedFactor,
} from '../../core/reports/report.ts';
import { targetIndicators } from '../../core/reports/report.ts';
import { type Factors, gridCo2 } from '../factors.ts';
import { baselineBasis, isYearToDate } from './baseline.ts';
import { basisText, eachYearGrid, electricityChoice } from './basis.ts';
import type { Conversion, Overrides } from './convert.ts';
import {
  dateOf,
  dayNumber,
  lastDay,
  type Period,
  periodOf,
  shiftYears,
  yearOf,
  yearPeriod,
} from './dates.ts';
import { comparisonPeriods, periodComparison } from './periods.ts';
import { type ChosenPlan, compare, overallStatus, planAndBaseline } from './plans.ts';
import { project } from './projection.ts';
import { expectedTypes, indexData, type MeteredDay } from './quantities.ts';
import { quotaSection } from './quotas.ts';
import { areaFigures, rank } from './ranking.ts';
import { type PeriodInput, type ScopeCalc, scopesOver } from './scope.ts';

export { comparisonPeriods } from './periods.ts';
export type { MeteredDay } from './quantities.ts';

/** What the intensity report is computed from: the builder feeds it (it reads no file or store). */
export interface IntensityInput {
  site: SiteConfig;
  factors: Factors;
  /** YYYY-MM-DD, the first day (local). */
  from: string;
  /** YYYY-MM-DD, the last day (local), included. */
  to: string;
  /** YYYY-MM-DD local: what a year to date is (a range from 1 January ending today or yesterday). */
  today?: string;
  /** Default: the base year of the plan the report year falls in. */
  baselineYear?: number;
  /** The plan (id or short name, e.g. 十四五) to judge against; default the one the report year falls in. */
  plan?: string;
  basis: ElectricityBasis;
  /** 等价值 across years: one coal rate (default) or each year's own. */
  coalRate?: CoalRateChoice['mode'];
  /** Region of the grid CO₂ factor (default the site's `reports.grid_region`). */
  region?: string;
  /** The organization's own factors (default the site's `reports.factor_overrides`). */
  overrides?: Overrides;
  metered: MeteredDay[];
  entries: EnergyEntry[];
  facts: BuildingFact[];
  /** Where the data comes from (build.ts fills it; empty in pure use). */
  origin?: IntensityReport['origin'];
}

type Scopes = { buildings: ScopeCalc[]; organization: ScopeCalc };

function checkDate(what: string, date: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || dateOf(dayNumber(date)) !== date)
    throw new JnError(
      'bad_request',
      `intensity report: ${what} "${date}" is not a date; write YYYY-MM-DD (e.g. 2025-02-28)`,
    );
}

/** Comparison rows of every building, then the organization, × every target indicator. */
function comparisonsOf(args: {
  now: Scopes;
  baseline: Scopes | null;
  projected: ReturnType<typeof project> | null;
  plan: ChosenPlan | null;
  planNote: string | null;
  noTarget: string | null;
  year: number;
  names: Map<string, string>;
}): Comparison[] {
  const { now, baseline, projected } = args;
  const scopes = [...now.buildings, now.organization];
  const bases = baseline ? [...baseline.buildings, baseline.organization] : [];
  return scopes.flatMap((s, k) =>
    targetIndicators.map((indicator) => {
      const isOrg = k === scopes.length - 1;
      const p = isOrg ? projected?.projection : projected?.buildings.get(s.scope.id);
      return compare({
        scope: s.scope.id,
        indicator,
        value: projected ? (p?.indicators[indicator] ?? null) : s.scope.indicators[indicator],
        baseline: bases[k]?.scope.indicators[indicator] ?? null,
        current: s.pairs,
        base: bases[k]?.pairs ?? [],
        plan: args.plan,
        planNote: args.planNote,
        year: args.year,
        names: args.names,
        distrust: projected?.distrust ?? null,
        noTarget: args.noTarget,
      });
    }),
  );
}

/** The scopes of any period, the factors used in the report's own periods listed. */
function scopeMaker(
  input: IntensityInput,
  p: Period,
  basis: { period: Period } | null,
  baselineYear: number | null,
) {
  const site = input.site;
  const year = yearOf(input.from);
  const index = indexData(input.metered, input.entries, input.today);
  const watched = [p, yearPeriod(year - 1), ...(basis ? [basis.period] : [])];
  const pin: PeriodInput = {
    site,
    index,
    facts: input.facts,
    expected: new Map(
      site.organization.buildings.map((b) => [b.id, expectedTypes(site, index, b.id, watched)]),
    ),
  };
  const electricity = electricityChoice(
    input.factors,
    input.basis,
    input.coalRate ?? 'one_rate',
    year,
    baselineYear,
  );
  const used = new Map<string, UsedFactor>();
  const oneRate = (input.coalRate ?? 'one_rate') === 'one_rate';
  /** Each building and the organization over `q`; `listed`: its factors go in the report's list. */
  const over = (q: Period, listed: boolean): Scopes => {
    const y = yearOf(dateOf(q.from));
    const conv: Conversion = {
      factors: input.factors,
      electricityKgce: electricity.forYear(y),
      // newcomer's point 13: with one_rate the grid CO₂ factor is the report year's in every period
      // too, so the grid's change does not count as the building's (each_year: each year's own)
      year: oneRate ? year : y,
      region: input.region ?? site.reports.grid_region,
      overrides: input.overrides ?? site.reports.factor_overrides,
      used: listed ? used : new Map(),
    };
    return scopesOver(pin, q, conv);
  };
  const grid = gridCo2(input.factors, year, input.region ?? site.reports.grid_region);
  const grid_co2 = {
    mode: oneRate ? ('one_rate' as const) : ('each_year' as const),
    text: oneRate
      ? `碳排放：本期、基准期及各比较期均按报告年 ${year} 的电网 CO₂ 排放因子折算（${grid.what} ${grid.value} ${grid.unit}${grid.note ? `，${grid.note}` : ''}）；各年同一因子，电网排放因子的变化不计为本单位减排`
      : `碳排放：各年按其当年的电网 CO₂ 排放因子折算（${eachYearGrid(input.factors, input.region ?? site.reports.grid_region, [year, year - 1, ...(baselineYear === null ? [] : [baselineYear]), ...(basis ? [yearOf(dateOf(basis.period.from))] : [])])}）；变化中含电网排放因子的变化`,
  };
  return { over, used, coal_rate: electricity.coal_rate, grid_co2 };
}

/** The full-year projection of a year to date (from last year's same dates and whole year), else null. */
function projectionOf(
  input: IntensityInput,
  p: Period,
  now: Scopes,
  over: (q: Period, listed: boolean) => Scopes,
) {
  if (!isYearToDate(p, input.today)) return null;
  const year = yearOf(input.from);
  const previousSame = shiftYears(p, -1);
  return project({
    year,
    ytd: p,
    today: input.today === undefined ? Number.POSITIVE_INFINITY : dayNumber(input.today),
    previousSame,
    daysInYear: yearPeriod(year).to - yearPeriod(year).from,
    daysInPreviousYear: yearPeriod(year - 1).to - yearPeriod(year - 1).from,
    now,
    same: over(previousSame, false),
    full: over(yearPeriod(year - 1), false),
  });
}

/**
 * The days counted (second review, defect 4): a range reaching today or later ends yesterday —
 * today's rollup is still filling and later days have not come, so they are neither covered nor
 * missing. Unchanged when every day has ended (or none has: then the range stays as asked).
 */
function countedPeriod(input: IntensityInput): { p: Period; clipped: boolean } {
  const p = periodOf(input.from, input.to);
  if (input.today === undefined) return { p, clipped: false };
  const today = dayNumber(input.today);
  if (p.to <= today || today <= p.from) return { p, clipped: false };
  return { p: { from: p.from, to: today }, clipped: true };
}

/** What the report is and where it comes from. */
const headOf = (input: IntensityInput, p: Period, clipped: boolean) => ({
  kind: 'intensity' as const,
  origin: input.origin ?? {
    site_file: '',
    organization: input.site.organization.name,
    data_dir: '',
    store: '',
    made_at: '',
  },
  from: input.from,
  to: input.to,
  days: p.to - p.from,
  ...(clipped ? { counted_to: lastDay(p), counted_text: `今日数据未满一天，统计至 ${lastDay(p)}` } : {}),
  basis: input.basis,
  basis_text: basisText(input.basis),
});

/**
 * The intensity report (the contract in core/reports/report.ts): each building and the
 * organization over the range, like for like against the baseline (issue 14 §1), missing data
 * null and named (§2), 等价值 on one footing (§4), the plan the year falls in (§6).
 */
export function intensityReport(input: IntensityInput): IntensityReport {
  checkDate('from', input.from);
  checkDate('to', input.to);
  if (input.to < input.from)
    throw new JnError('bad_request', `intensity report: to ${input.to} is before from ${input.from}`);
  const { p, clipped } = countedPeriod(input);
  const year = yearOf(input.from);
  const site = input.site;
  const { chosen, baselineYear, planNote, noTarget } = planAndBaseline(input, year);
  const basis = baselineYear === null ? null : baselineBasis(p, baselineYear, input.today);
  const unjudged = noTarget ?? basis?.noTarget ?? null;
  const { over, used, coal_rate, grid_co2 } = scopeMaker(input, p, basis, baselineYear);
  const now = over(p, true);
  const baseline = basis ? over(basis.period, true) : null;
  const projected = projectionOf(input, p, now, over);
  const names = new Map(site.organization.buildings.map((b) => [b.id, b.name]));
  const comparisons = comparisonsOf({
    now,
    baseline,
    projected,
    plan: chosen,
    planNote,
    noTarget: unjudged,
    year,
    names,
  });
  const { status, status_text } = overallStatus(
    comparisons.filter((c) => c.scope === site.organization.id),
    planNote,
  );
  return {
    ...headOf(input, p, clipped),
    coal_rate,
    grid_co2,
    baseline_year: baselineYear,
    baseline_basis: basis && {
      method: basis.method,
      base_from: basis.base_from,
      base_to: basis.base_to,
      text: basis.text,
    },
    plan: chosen?.ref ?? null,
    plan_note: planNote,
    factors: [...used.values()],
    buildings: now.buildings.map((b) => b.scope),
    organization: now.organization.scope,
    baseline: baseline && {
      organization: baseline.organization.scope,
      buildings: baseline.buildings.map((b) => b.scope),
    },
    comparisons,
    status,
    status_text,
    period_comparisons: comparisonPeriods(input.from, lastDay(p)).map((b) =>
      periodComparison(
        b,
        now.organization,
        b.same_as ? null : over(periodOf(b.from, b.to), false).organization,
      ),
    ),
    subitems: [],
    item_codes: [],
    ranking: rank(now.buildings, names),
    areas: areaFigures(site, input.metered, p),
    projection: projected?.projection ?? null,
    quotas: quotaSection(input, p),
    entries_used: now.buildings.flatMap((b) => b.pairs.flatMap((x) => x.used)),
    entries_superseded: now.buildings.flatMap((b) => b.pairs.flatMap((x) => x.superseded)),
  };
}

/**
 * The first day a report needs data from (YYYY-MM-DD): its baseline year, last year (同比 and the
 * projection) and the 环比 base — what the builder reads from the store.
 */
export function firstDayNeeded(
  input: Pick<IntensityInput, 'site' | 'factors' | 'from' | 'to' | 'baselineYear'>,
): string {
  const year = yearOf(input.from);
  const { baselineYear } = planAndBaseline(input, year);
  const starts = [
    `${year - 1}-01-01`,
    ...(baselineYear === null ? [] : [`${baselineYear}-01-01`]),
    ...comparisonPeriods(input.from, input.to).map((b) => b.from),
  ];
  return starts.sort()[0] ?? input.from;
}
