import type { Projection, Scope } from '../../core/reports/report.ts';
import { type Period, periodText } from './dates.ts';
import type { PairFigures } from './quantities.ts';
import type { ScopeCalc } from './scope.ts';

/**
 * The coverage last year's same period and whole year must each have, for every building × expected
 * energy type, before their shape is trusted; and the year to date's own, below which the
 * projection cannot be trusted.
 */
export const projectionThreshold = 0.9;

/** Fewer elapsed days than this and a projection is only indicative: it is not judged on track or at risk. */
export const projectionMinDays = 90;

/** Day counts: the report year, last year, the year to date and last year's same period. */
interface Lengths {
  year: number;
  previous: number;
  ytd: number;
  same: number;
}

type Projected = Pick<Projection, 'energy_kgce' | 'carbon_kgco2' | 'water_m3' | 'indicators'>;

/** The scopes of the year to date, of last year's same dates and of last year as a whole. */
export interface ProjectionInput {
  year: number;
  ytd: Period;
  /** Today's day number: days from today on have not ended and are not elapsed (+∞: all have). */
  today: number;
  previousSame: Period;
  daysInYear: number;
  /** Last year's length: its whole-year shape is scaled to the report year's (366 → 365 days). */
  daysInPreviousYear: number;
  now: { buildings: ScopeCalc[]; organization: ScopeCalc };
  same: { buildings: ScopeCalc[]; organization: ScopeCalc };
  full: { buildings: ScopeCalc[]; organization: ScopeCalc };
}

const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
const water = (s: Scope) => s.totals.find((t) => t.energy_type === 'water')?.quantity ?? null;
/** The lowest coverage of any building × type (1 when there is none). */
const lowest = (pairs: PairFigures[]) => pairs.reduce((m, x) => Math.min(m, x.coverage.share), 1);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function projectScope(
  now: Scope,
  same: Scope,
  full: Scope,
  shape: boolean,
  days: Lengths,
  elapsed: number,
): Projected {
  // Second review, defect 8: by daily rates, so years of different lengths (29 February in the
  // year to date's part or in the rest) neither add nor drop a day: the rest of the year is last
  // year's rest per day × this year's rate against last year's same period × this year's rest days.
  const f = (x: number | null, s: number | null, w: number | null) => {
    if (x === null) return null;
    if (!(shape && s !== null && w !== null && s > 0)) return (x * days.year) / elapsed;
    const rate = x / days.ytd / (s / days.same);
    return x + rate * ((w - s) / (days.previous - days.same)) * (days.year - days.ytd);
  };
  const energy = f(now.energy_kgce, same.energy_kgce, full.energy_kgce);
  const carbon = f(now.carbon_kgco2, same.carbon_kgco2, full.carbon_kgco2);
  const waterM3 = f(water(now), water(same), water(full));
  return {
    energy_kgce: energy,
    carbon_kgco2: carbon,
    water_m3: waterM3,
    indicators: {
      energy_per_area_kgce_m2: ratio(energy, now.floor_area_m2),
      energy_per_capita_kgce: ratio(energy, now.headcount),
      water_per_capita_m3: ratio(waterM3, now.headcount),
      carbon_per_area_kgco2_m2: ratio(carbon, now.floor_area_m2),
    },
  };
}

/**
 * Full-year projection of a year to date (issue 14 §1). By last year's whole-year / same-period
 * ratio (the seasons kept) only when both are covered ≥ 90 % for every building × expected type;
 * else linearly by days, with a warning saying why; a thin year to date makes it untrustworthy.
 * Each building is projected from its own last year; `distrust` is set when the status must be
 * incomplete.
 */
export function project(i: ProjectionInput): {
  projection: Projection;
  buildings: Map<string, Projected>;
  distrust: string | null;
} {
  const elapsed = Math.max(1, Math.min(i.ytd.to, i.today) - i.ytd.from);
  const coverage = {
    ytd: lowest(i.now.organization.pairs),
    previous_same: lowest(i.same.organization.pairs),
    previous_full: lowest(i.full.organization.pairs),
  };
  const shape =
    coverage.previous_same >= projectionThreshold && coverage.previous_full >= projectionThreshold;
  const prev = i.year - 1;
  const actual = `${periodText(i.ytd)} 实绩`;
  const lengths: Lengths = {
    year: i.daysInYear,
    previous: i.daysInPreviousYear,
    ytd: i.ytd.to - i.ytd.from,
    same: i.previousSame.to - i.previousSame.from,
  };
  const scaled =
    lengths.year === lengths.previous && lengths.ytd === lengths.same
      ? ''
      : `，按日均折算（本年 ${lengths.year} 天、至今 ${lengths.ytd} 天；上年 ${lengths.previous} 天、同期 ${lengths.same} 天）`;
  const method_text = shape
    ? `${actual} × ${prev} 年全年 / 上年同期 ${periodText(i.previousSame)}${scaled}（按上年同期占比推算；上年同期与全年每个建筑、每种能源的数据覆盖均 ≥ ${pct(projectionThreshold)}）`
    : `${actual} × ${i.daysInYear} / ${elapsed} 天（按天数线性推算）`;
  const warnings: string[] = [];
  if (!shape)
    warnings.push(
      `上年数据覆盖不足（同期最低 ${pct(coverage.previous_same)}，全年最低 ${pct(coverage.previous_full)}，需 ≥ ${pct(projectionThreshold)}）：未按上年占比，按天数线性推算，季节差异未计入`,
    );
  // Defect 4: a linear fallback or a short year to date is indicative only — never on track or at risk.
  const why = [
    coverage.ytd < projectionThreshold
      ? `本年至今数据覆盖最低 ${pct(coverage.ytd)}（< ${pct(projectionThreshold)}）：全年推算不可信`
      : null,
    shape ? null : '上年数据不足，按天数线性推算：全年推算仅供参考',
    elapsed < projectionMinDays
      ? `本年至今仅 ${elapsed} 天（< ${projectionMinDays} 天）：全年推算仅供参考`
      : null,
  ].filter((x): x is string => x !== null);
  const distrust = why.length > 0 ? `${why.join('，')}，未评价达标` : null;
  if (coverage.ytd < projectionThreshold || elapsed < projectionMinDays)
    warnings.push(why.filter((w) => !w.startsWith('上年')).join('，'));
  const buildings = new Map<string, Projected>();
  i.now.buildings.forEach((b, k) => {
    const same = i.same.buildings[k];
    const full = i.full.buildings[k];
    if (same && full)
      buildings.set(b.scope.id, projectScope(b.scope, same.scope, full.scope, shape, lengths, elapsed));
  });
  const org = projectScope(
    i.now.organization.scope,
    i.same.organization.scope,
    i.full.organization.scope,
    shape,
    lengths,
    elapsed,
  );
  return {
    projection: {
      year: i.year,
      days_elapsed: elapsed,
      days_in_year: i.daysInYear,
      method: shape ? 'previous_year_shape' : 'linear',
      method_text,
      coverage,
      warning: warnings.length > 0 ? warnings.join('；') : null,
      ...org,
    },
    buildings,
    distrust,
  };
}
