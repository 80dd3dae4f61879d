// chinese-days ships a UMD main without named ESM exports for Node; its default export works under Node and Vite alike.
import chineseDays from 'chinese-days';

/**
 * The Chinese working calendar: weekends, statutory holidays and make-up working days (调休/补班)
 * from the maintained `chinese-days` package, with a local override table for notices published
 * after a release (or a site's own closures).
 */
export type DayType = 'workday' | 'weekend' | 'holiday' | 'makeup_workday';

export interface DayInfo {
  /** YYYY-MM-DD, local. */
  date: string;
  type: DayType;
  /** Whether offices are open: workdays and make-up workdays. */
  working: boolean;
  /** Holiday name as published, e.g. 国庆节; absent on ordinary days. */
  holiday?: string;
  /** Where the answer came from. */
  source: 'chinese-days' | 'override';
  /**
   * The calendar data has no statutory holidays for this year yet (the State Council publishes
   * them each November; chinese-days follows): the day is typed by its weekday alone, so 元旦 or
   * 春节 would read as a working day — set them as overrides, or update chinese-days.
   */
  holidays_unknown?: true;
}

const holidayYears = new Map<number, boolean>();
/** Whether the calendar data knows the statutory holidays of `year`. */
export function holidaysKnown(year: number): boolean {
  let known = holidayYears.get(year);
  if (known === undefined) {
    known = chineseDays.getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0;
    holidayYears.set(year, known);
  }
  return known;
}

export interface CalendarOverride {
  date: string;
  type: DayType;
  note?: string;
}

/** Classifies a local date; `overrides` win over the package data. */
export function dayInfo(date: string, overrides: readonly CalendarOverride[] = []): DayInfo {
  const override = overrides.find((o) => o.date === date);
  if (override) {
    const info: DayInfo = {
      date,
      type: override.type,
      working: override.type === 'workday' || override.type === 'makeup_workday',
      source: 'override',
    };
    if (override.note) info.holiday = override.note;
    return info;
  }
  const detail = chineseDays.getDayDetail(date);
  // getDayDetail names a holiday "English,中文,days"; ordinary days are named by their weekday.
  const holiday = detail.name.includes(',') ? detail.name.split(',')[1] : undefined;
  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
  const weekend = weekday === 0 || weekday === 6;
  let type: DayType;
  if (detail.work) type = weekend ? 'makeup_workday' : 'workday';
  else type = holiday ? 'holiday' : 'weekend';
  const info: DayInfo = { date, type, working: detail.work, source: 'chinese-days' };
  if (holiday && type !== 'workday') info.holiday = holiday;
  if (!holidaysKnown(Number(date.slice(0, 4)))) info.holidays_unknown = true;
  return info;
}
