import type { BaselineBasis } from '../../core/reports/report.ts';
import {
  dateOf,
  dayNumber,
  isCalendarYear,
  lastDay,
  type Period,
  periodText,
  shiftYears,
  yearOf,
  yearPeriod,
} from './dates.ts';

/**
 * Whether a period is a year to date: from 1 January to a day before 31 December of the same year,
 * ending today or yesterday (`today` local YYYY-MM-DD).
 */
export function isYearToDate(p: Period, today: string | undefined): boolean {
  const from = dateOf(p.from);
  const to = lastDay(p);
  if (!from.endsWith('-01-01') || yearOf(to) !== yearOf(from) || to.endsWith('-12-31') || !today)
    return false;
  const last = p.to - 1;
  return last === dayNumber(today) || last === dayNumber(today) - 1;
}

/**
 * Which baseline period a report period is compared with (issue 14 §1): a whole calendar year
 * with the whole baseline year; a year to date by its full-year projection with the whole
 * baseline year; any other range with the same calendar dates of the baseline year.
 */
export function baselineBasis(
  p: Period,
  baselineYear: number,
  today: string | undefined,
): BaselineBasis & { period: Period; noTarget: string | null } {
  const whole = yearPeriod(baselineYear);
  const wholeText = `基准年 ${baselineYear} 全年 ${periodText(whole)}`;
  const base = (method: BaselineBasis['method'], period: Period, text: string) => ({
    method,
    base_from: dateOf(period.from),
    base_to: lastDay(period),
    text,
    period,
    noTarget: null as string | null,
  });
  if (isCalendarYear(p)) return base('full_year', whole, `全年与${wholeText} 比较`);
  if (isYearToDate(p, today))
    return base('projection', whole, `本年至今 ${periodText(p)} 推算全年，与${wholeText} 比较（见全年推算）`);
  const same = shiftYears(p, baselineYear - yearOf(dateOf(p.from)));
  const days = (q: Period) => q.to - q.from;
  const counts = days(p) === days(same) ? '' : `（本期 ${days(p)} 天，基准期 ${days(same)} 天）`;
  if (yearOf(dateOf(p.from)) !== yearOf(lastDay(p))) {
    // Defect 8: a range across two calendar years has no base year's same dates, and the plan's
    // targets are per year: the change is shown, no target judged.
    const why = `本期 ${periodText(p)} 跨两个年度，规划目标按年度计，未对照目标（变化照列）`;
    const text = `与基准期 ${periodText(same)}（基准年 ${baselineYear} 起的相同日期，跨 ${baselineYear}、${baselineYear + 1} 两年）比较${counts}；${why}`;
    return { ...base('same_period', same, text), noTarget: why };
  }
  return base('same_period', same, `与基准年同期 ${periodText(same)} 比较${counts}`);
}
