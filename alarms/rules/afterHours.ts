import type { LoadedSite } from '../../core/config/loadSite.ts';
import {
  buildingName,
  calendarOf,
  DAY,
  fmt,
  HOUR,
  hourOfDay,
  iso,
  type Judged,
  localDate,
  type RuleContext,
  rollupsOf,
  sumWhereAll,
  totalMeters,
} from './common.ts';

/** A building's working hours on a working day, local fractional hours [start, end). */
export interface WorkingHours {
  start: number;
  end: number;
  /** Where they come from, in words. */
  source: string;
}

/**
 * The hour judged at `now`: the last one that ended at least 10 minutes ago, when the collector's
 * rollup job (every minute) has its readings (zones of whole-hour offsets, as Asia/Shanghai).
 */
export const judgedHour = (now: number) => Math.floor((now - 10 * 60_000) / HOUR) * HOUR - HOUR;

const hoursOf = (hhmm: string) => {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  return h + m / 60;
};

/**
 * The building's working hours: the span of its air-conditioning on/off schedules' working-day
 * programs (control.schedules on an `on_off` point of a group of the building: from the first
 * switch-on to the last switch-off), the occupancy the site file already states; 08:00–18:00 when
 * the building has none. Optimal start may switch on earlier: those hours are in the learned
 * baseline, so they do not read as after-hours use.
 */
export function workingHours(site: LoadedSite, building: string): WorkingHours {
  const groups = new Set(
    site.config.control.groups.filter((g) => g.building === building && g.class === 'hvac').map((g) => g.id),
  );
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  const used: string[] = [];
  for (const s of site.config.control.schedules) {
    if (!groups.has(s.group) || s.point !== 'on_off') continue;
    const on = s.week.workday.filter((e) => e.value !== null && e.value > 0).map((e) => hoursOf(e.at));
    const off = s.week.workday.filter((e) => e.value === 0).map((e) => hoursOf(e.at));
    if (on.length === 0) continue;
    start = Math.min(start, ...on);
    end = Math.max(end, ...(off.length > 0 ? off : [24]));
    used.push(s.id);
  }
  if (used.length === 0) return { start: 8, end: 18, source: 'default 08:00–18:00 (no on/off schedule)' };
  return { start, end, source: `control schedules ${used.join(', ')}` };
}

const hhmm = (h: number) =>
  `${String(Math.floor(h)).padStart(2, '0')}:${String(Math.round((h % 1) * 60)).padStart(2, '0')}`;

/**
 * 非工作时间用能异常: per building, electricity in the last whole hour when it is outside working
 * hours (weekends, statutory holidays, and outside the working hours of a working day — 调休
 * make-up days are working days) against the learned baseline of the same hour: the median of
 * that weekday and hour over the last `weeks` weeks' working days, or — for weekends and holidays —
 * of that hour over every rest day in those weeks (a holiday is judged like a weekend). Above
 * `ratio` × baseline and at least `min_kwh` above it is a condition; a working hour or an ordinary
 * rest hour clears it. Until the building has `weeks` weeks of hourly data it is not judged.
 */
export async function judgeAfterHours(ctx: RuleContext, now: number): Promise<Judged[]> {
  const { site, timeZone: tz } = ctx;
  const s = ctx.rules.after_hours;
  const calendar = calendarOf(site);
  const out: Judged[] = [];
  const hour = judgedHour(now);
  const learnFrom = hour - s.weeks * 7 * DAY;
  for (const b of site.config.organization.buildings) {
    const meters = totalMeters(site, b.id, 'electricity');
    if (meters.length === 0) continue;
    const rows = await rollupsOf(
      ctx.store,
      'hour',
      meters.map((m) => m.id),
      learnFrom,
      hour + HOUR,
    );
    const totals = sumWhereAll(rows);
    const first = Math.min(...[...totals.keys()]);
    if (!(first <= learnFrom + DAY)) {
      const since = Number.isFinite(first) ? localDate(first, tz) : 'none';
      ctx.note(
        `after_hours:${b.id}:learning`,
        `after_hours ${b.id}: not judged until ${s.weeks} weeks of hourly electricity are stored (since ${since}) / 学习基线不足 ${s.weeks} 周，暂不判断`,
      );
      continue;
    }
    const current = totals.get(hour);
    if (!current) {
      ctx.note(
        `after_hours:${b.id}:hole:${localDate(hour, tz)}`,
        `after_hours ${b.id}: ${iso(hour, tz)} not judged — no rollup of every meter of the building for that hour (${meters.map((m) => m.id).join(', ')}) / 该小时数据不完整，未判断`,
      );
      continue;
    }
    const wh = workingHours(site, b.id);
    // Optimal start switches the air-conditioning on up to max_lead before the schedule, earlier
    // on a cold or hot morning than on a mild one: those hours belong to the working day (judged
    // against a median of mild mornings they read as after-hours use on every cold one).
    const o = site.config.control.optimal_start;
    const lead = o.enabled ? o.max_lead / HOUR : 0;
    const kind = (t: number) => {
      const day = calendar(localDate(t, tz));
      const h = hourOfDay(t, tz);
      const working = day.working && h + 1 > wh.start - lead && h < wh.end;
      return { day, h, working, weekday: new Date(`${day.date}T12:00:00Z`).getUTCDay() };
    };
    const k = kind(hour);
    if (k.day.holidays_unknown)
      ctx.note(
        `after_hours:holidays:${k.day.date.slice(0, 4)}`,
        `after_hours: the calendar data has no statutory holidays for ${k.day.date.slice(0, 4)}: its holidays read as working days until they are set (control.calendar_overrides) or chinese-days is updated / 日历数据缺少 ${k.day.date.slice(0, 4)} 年法定节假日`,
      );
    const name = buildingName(site, b.id);
    const when = `${iso(hour, tz).slice(0, 16).replace('T', ' ')}–${hhmm(k.h + 1)}`;
    if (k.working) {
      out.push({
        key: b.id,
        active: false,
        at: iso(hour + HOUR, tz),
        building: b.id,
        message: `${name}: ${when} is a working hour (${hhmm(wh.start)}–${hhmm(wh.end)})`,
        message_zh: `${name}：${when} 为工作时间（${hhmm(wh.start)}–${hhmm(wh.end)}）`,
      });
      continue;
    }
    const sampleOf = (sameWeekday: boolean) => {
      const sample: number[] = [];
      for (const [t, v] of totals) {
        if (t >= hour) continue;
        const o = kind(t);
        if (o.working || o.h !== k.h) continue;
        // Working days' evenings by weekday; rest days (weekends, holidays) by hour of day alone.
        const like = k.day.working
          ? o.day.working && (!sameWeekday || o.weekday === k.weekday)
          : !o.day.working;
        if (like) sample.push(v.value);
      }
      return sample;
    };
    let sample = sampleOf(true);
    // A 补班 Saturday has no working Saturdays to learn from: every working day's same hour.
    if (sample.length < 2 && k.day.working) sample = sampleOf(false);
    if (sample.length < 2) {
      ctx.note(
        `after_hours:${b.id}:${k.day.working}:${k.h}`,
        `after_hours ${b.id}: too few comparable hours (${sample.length}) for ${when}: not judged`,
      );
      continue;
    }
    const baseline = median(sample);
    const value = current.value;
    const active = value > s.ratio * baseline && value - baseline >= s.min_kwh;
    const dayWords = k.day.working
      ? 'a working day'
      : k.day.type === 'holiday'
        ? `a holiday (${k.day.holiday ?? ''})`
        : 'a weekend';
    const dayZh = k.day.working
      ? '工作日'
      : k.day.type === 'holiday'
        ? `节假日（${k.day.holiday ?? ''}）`
        : '周末';
    const figures = `${fmt(value)} kWh against a baseline of ${fmt(baseline)} kWh (median of ${sample.length} comparable hours of the last ${s.weeks} weeks; raised above ${s.ratio} × and ${s.min_kwh} kWh more)`;
    const figuresZh = `${fmt(value)} kWh，基线 ${fmt(baseline)} kWh（近 ${s.weeks} 周 ${sample.length} 个同类时段的中位数；超过 ${s.ratio} 倍且多 ${s.min_kwh} kWh 即告警）`;
    out.push({
      key: b.id,
      active,
      at: iso(hour + HOUR, tz),
      building: b.id,
      value,
      message: active
        ? `${name}: electricity outside working hours, ${when} on ${dayWords}: ${figures}`
        : `${name}: ${when} on ${dayWords} uses ${figures}: normal`,
      message_zh: active
        ? `${name}：非工作时间用电异常，${when}（${dayZh}）${figuresZh}`
        : `${name}：${when}（${dayZh}）用电 ${figuresZh}，正常`,
    });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
