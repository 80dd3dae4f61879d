import { type CalendarOverride, type DayInfo, dayInfo } from '../../core/calendar.ts';
import { localParts } from '../../core/localTime.ts';

/** Linear ramp from 0 at `from` to 1 at `to` (hours). */
function ramp(hour: number, from: number, to: number): number {
  return Math.min(1, Math.max(0, (hour - from) / (to - from)));
}

/**
 * Fraction of a building's headcount present, by the Chinese working calendar: nobody on weekends
 * and statutory holidays; on workdays and make-up workdays (补班) arrivals 07:45–09:00, a lunch dip
 * 12:00–13:30 (40 % go out or rest off-site), departures 17:30–18:30, 5 % overtime until 21:00.
 */
export class OccupancyModel {
  private readonly days = new Map<string, DayInfo>();

  constructor(private readonly options: { timeZone: string; overrides?: readonly CalendarOverride[] }) {}

  day(date: string): DayInfo {
    let info = this.days.get(date);
    if (!info) {
      info = dayInfo(date, this.options.overrides);
      this.days.set(date, info);
    }
    return info;
  }

  /** 0–1 at instant `ms`. */
  fractionAt(ms: number): number {
    const { date, hour } = localParts(ms, this.options.timeZone);
    return this.fraction(date, hour);
  }

  /** 0–1 at local `date` (YYYY-MM-DD) and fractional `hour`. */
  fraction(date: string, hour: number): number {
    if (!this.day(date).working) return 0;
    const arrived = ramp(hour, 7.75, 9);
    const left = ramp(hour, 17.5, 18.5);
    const lunch = hour >= 12 && hour < 13.5 ? 0.4 : 0;
    const overtime = hour >= 18.5 && hour < 21 ? 0.05 : 0;
    return Math.max(arrived * (1 - left) * (1 - lunch), overtime);
  }
}
