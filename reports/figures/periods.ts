import type { EnergyType, PeriodComparison, Scope } from '../../core/reports/report.ts';
import { hasKgce } from './convert.ts';
import {
  dateOf,
  dayNumber,
  isCalendarYear,
  lastDay,
  type Period,
  periodOf,
  periodText,
  shiftMonths,
  shiftYears,
  wholeMonths,
} from './dates.ts';
import type { PairFigures } from './quantities.ts';
import type { ScopeCalc } from './scope.ts';

/** A base period of 同比 or 环比. */
export interface BasePeriod {
  kind: PeriodComparison['kind'];
  label: string;
  /** YYYY-MM-DD, both included. */
  from: string;
  to: string;
  text: string;
  same_as?: 'year_on_year';
}

/**
 * The base periods of 同比 (the same calendar dates a year earlier) and 环比 (the previous
 * calendar month or quarter, or as many months or days before; a month to date against the same
 * days of the month before, a week to date against the same weekdays of the week before, a year to
 * date against the year before) of an inclusive range. For a whole
 * calendar year the previous period is the previous year, the same as 同比: said once.
 */
export function comparisonPeriods(from: string, to: string): BasePeriod[] {
  const p = periodOf(from, to);
  const yoy = shiftYears(p, -1);
  // second review, defect 7: a base of another length says both day counts (a change at the same
  // daily use is then no real change)
  const counts = (q: Period) =>
    q.to - q.from === p.to - p.from ? '' : `（本期 ${p.to - p.from} 天，基期 ${q.to - q.from} 天）`;
  const yearOnYear: BasePeriod = {
    kind: 'year_on_year',
    label: '同比',
    from: dateOf(yoy.from),
    to: lastDay(yoy),
    text: `同比：与上年同期 ${periodText(yoy)} 比较${counts(yoy)}`,
  };
  const months = wholeMonths(p);
  // 12 whole months (a calendar year or not): the previous 12 months are the same dates a year earlier
  if (isCalendarYear(p) || months === 12)
    return [
      yearOnYear,
      {
        kind: 'previous_period',
        label: '环比',
        from: yearOnYear.from,
        to: yearOnYear.to,
        text: isCalendarYear(p)
          ? '环比：全年的上一期即上年，与同比相同，见同比'
          : '环比：12 个月的上一期即上年同期，与同比相同，见同比',
        same_as: 'year_on_year',
      },
    ];
  const days = p.to - p.from;
  // A year to date (1 January to a day of the same year, not whole months): its previous period is
  // the same dates of the year before — 同比 — not the as-many days before (31 Jan … 31 Dec).
  if (months === 0 && from.endsWith('-01-01') && to.slice(0, 4) === from.slice(0, 4) && days > 31)
    return [
      yearOnYear,
      {
        kind: 'previous_period',
        label: '环比',
        from: yearOnYear.from,
        to: yearOnYear.to,
        text: '环比：年初至今的上一期即上年同期，与同比相同，见同比',
        same_as: 'year_on_year',
      },
    ];
  // A month to date (from the 1st, within the month): the same days of the month before (上月同期,
  // clamped at its end), not the days just before; a week to date (from a Monday, under 7 days):
  // the same weekdays of the week before (上周同期), not a weekend against working days.
  // A Monday that is also the 1st: the week rule (the same weekdays, not 1–3 May's holiday against working days).
  const weekToDate = months === 0 && days < 7 && new Date(`${from}T00:00:00Z`).getUTCDay() === 1;
  const monthToDate =
    months === 0 && !weekToDate && from.endsWith('-01') && to.slice(0, 7) === from.slice(0, 7);
  if (monthToDate || weekToDate) {
    const prev: Period = monthToDate
      ? { from: dayNumber(shiftMonths(from, -1)), to: Math.min(dayNumber(shiftMonths(to, -1)) + 1, p.from) }
      : { from: p.from - 7, to: p.to - 7 };
    return [
      yearOnYear,
      {
        kind: 'previous_period',
        label: '环比',
        from: dateOf(prev.from),
        to: lastDay(prev),
        text: `环比：与${monthToDate ? '上月同期' : '上周同期'} ${periodText(prev)} 比较${counts(prev)}`,
      },
    ];
  }
  // 上季度 only for a calendar quarter (starting January, April, July or October)
  const quarter = months === 3 && (Number(from.slice(5, 7)) - 1) % 3 === 0;
  const unit = months === 1 ? '上月' : quarter ? '上季度' : `前${months}个月`;
  const prev: Period =
    months > 0
      ? { from: dayNumber(shiftMonths(from, -months)), to: p.from }
      : { from: p.from - (p.to - p.from), to: p.from };
  return [
    yearOnYear,
    {
      kind: 'previous_period',
      label: '环比',
      from: dateOf(prev.from),
      to: lastDay(prev),
      text: `环比：与${months > 0 ? unit : `前${p.to - p.from}天`} ${periodText(prev)} 比较${counts(prev)}`,
    },
  ];
}

const quantity = (s: Scope, t: EnergyType) => s.totals.find((x) => x.energy_type === t)?.quantity ?? null;

const figureKinds: {
  name: string;
  unit: string;
  of: (s: Scope) => number | null;
  on: (t: EnergyType) => boolean;
}[] = [
  { name: '综合能耗', unit: 'kgce', of: (s) => s.energy_kgce, on: hasKgce },
  {
    name: '电',
    unit: 'kWh',
    of: (s) => quantity(s, 'electricity'),
    on: (t) => t === 'electricity',
  },
  { name: '水', unit: 'm³', of: (s) => quantity(s, 'water'), on: (t) => t === 'water' },
  { name: '碳排放', unit: 'kgCO₂', of: (s) => s.carbon_kgco2, on: hasKgce },
];

/** The share of building-days with data among the pairs a figure rests on (null: it rests on none). */
function share(pairs: PairFigures[], on: (t: EnergyType) => boolean): number | null {
  const mine = pairs.filter((x) => on(x.energy_type));
  const days = mine.reduce((s, x) => s + x.coverage.days, 0);
  if (days === 0) return null;
  return mine.reduce((s, x) => s + x.coverage.metered_days + x.coverage.entered_days, 0) / days;
}

/**
 * 同比/环比 of the organization's figures: a base without data is null (无基期数据), never 0, and
 * gives no change.
 */
export function periodComparison(b: BasePeriod, now: ScopeCalc, base: ScopeCalc | null): PeriodComparison {
  const head = { kind: b.kind, label: b.label, base_from: b.from, base_to: b.to };
  if (b.same_as || !base)
    return { ...head, base_text: b.text, ...(b.same_as ? { same_as: b.same_as } : {}), figures: [] };
  const figures = figureKinds.flatMap((k) => {
    const coverage = share(now.pairs, k.on);
    if (coverage === null) return [];
    const value = k.of(now.scope);
    const baseValue = k.of(base.scope);
    const baseCoverage = share(base.pairs, k.on) ?? 0;
    return [
      {
        name: k.name,
        unit: k.unit,
        value,
        base: baseValue,
        // defect 5: no change unless both sides are fully covered (the values stay)
        change:
          value !== null && baseValue !== null && baseValue > 0 && coverage >= 1 && baseCoverage >= 1
            ? value / baseValue - 1
            : null,
        coverage,
        base_coverage: baseCoverage,
      },
    ];
  });
  const noBase = figures.every((f) => f.base === null);
  const lowest = figures.reduce((m, f) => Math.min(m, f.base_coverage), 1);
  const baseText = noBase
    ? `${b.text}（无基期数据）`
    : lowest < 1
      ? `${b.text}；基期数据不全（覆盖 ${(lowest * 100).toFixed(1)} %），未计算变化`
      : b.text;
  return { ...head, base_text: baseText, figures };
}
