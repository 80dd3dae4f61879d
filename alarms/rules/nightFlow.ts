import type { MeterConfig } from '../../core/config/siteSchema.ts';
import {
  addDays,
  buildingName,
  fmt,
  GRACE,
  HOUR,
  iso,
  type Judged,
  localDate,
  midnight,
  type RuleContext,
} from './common.ts';

/** One night of one meter: its window and the lowest hourly flow in it, or why it is not whole. */
interface Night {
  /** The local date the window ends on. */
  date: string;
  from: number;
  to: number;
  min: number | null;
  hole?: string;
}

/** [from, to) of the night window ending on `date`; a window like 22:00-05:00 starts the day before. */
export function nightWindow(window: string, date: string, tz: string): { from: number; to: number } {
  const [start = '01:00', end = '05:00'] = window.split('-');
  const at = (d: string, hhmm: string) => {
    const [h = 0, m = 0] = hhmm.split(':').map(Number);
    return midnight(d, tz) + (h * 60 + m) * 60_000;
  };
  const to = at(date, end);
  const from = start < end ? at(date, start) : at(addDays(date, -1), start);
  return { from, to };
}

/**
 * 夜间用水（疑似漏水）: per water meter, the lowest hourly flow in the night window (m³ in an hour =
 * m³/h) above `threshold_m3h` on each of the last `nights` whole nights. A building that uses no
 * water at night still shows a leak's constant flow in its quietest hour. Cleared by a night below.
 * A night with an hour missing is not judged: it neither raises nor clears.
 */
export async function judgeNightFlow(ctx: RuleContext, now: number): Promise<Judged[]> {
  const { site, timeZone: tz } = ctx;
  const s = ctx.rules.night_flow;
  const meters = site.config.meters.filter((m) => m.category === 'water');
  if (meters.length === 0) return [];
  // The newest night whose window has ended.
  let last = localDate(now, tz);
  if (nightWindow(s.window, last, tz).to + GRACE > now) last = addDays(last, -1);
  const out: Judged[] = [];
  for (const meter of meters) {
    const nights = await lastNights(ctx, meter, last, s.nights);
    const newest = nights[0];
    if (!newest || newest.min === null) {
      ctx.note(
        `night_flow:${meter.id}:${newest?.date}`,
        `night_flow ${meter.id} night to ${newest?.date}: not judged (${newest?.hole}) / 夜间数据不完整，未判断`,
      );
      continue;
    }
    const above = (n: Night) => n.min !== null && n.min > s.threshold_m3h;
    const active = nights.length === s.nights && nights.every(above);
    if (!active && above(newest)) {
      // Above tonight but not yet for `nights` nights (or an earlier one is not whole): not judged yet.
      const run = nights.findIndex((n) => !above(n));
      const count = run === -1 ? nights.length : run;
      ctx.note(
        `night_flow:${meter.id}:${newest.date}`,
        `night_flow ${meter.id}: night flow ${fmt(newest.min, 3)} m³/h above ${s.threshold_m3h} for ${count} of ${s.nights} nights`,
      );
      // Not raised yet, and no clear either: a raised alarm stays until a night below.
      continue;
    }
    const name = meter.name ?? meter.id;
    const where = buildingName(site, meter.building);
    const mins = nights.map((n) => `${n.date} ${fmt(n.min ?? 0, 3)}`).join(', ');
    const minsZh = nights.map((n) => `${n.date} ${fmt(n.min ?? 0, 3)}`).join('，');
    const window = s.window;
    out.push({
      key: meter.id,
      active,
      at: iso(newest.to, tz),
      building: meter.building,
      device: meter.device,
      value: newest.min,
      message: active
        ? `${name} (${where}): water flows all night — the lowest hourly flow in ${window} was above ${s.threshold_m3h} m³/h on ${s.nights} nights running (${mins} m³/h): suspected leak`
        : `${name} (${where}): the night to ${newest.date} had a lowest hourly flow of ${fmt(newest.min, 3)} m³/h in ${window}, at or below ${s.threshold_m3h} m³/h`,
      message_zh: active
        ? `${name}（${where}）：连续 ${s.nights} 晚 ${window} 最小小时流量超过 ${s.threshold_m3h} m³/h（${minsZh} m³/h），疑似漏水`
        : `${name}（${where}）：${newest.date} 夜间 ${window} 最小小时流量 ${fmt(newest.min, 3)} m³/h，不高于 ${s.threshold_m3h} m³/h`,
    });
  }
  return out;
}

/** The last `count` nights ending with the one on `last`, newest first. */
async function lastNights(
  ctx: RuleContext,
  meter: MeterConfig,
  last: string,
  count: number,
): Promise<Night[]> {
  const tz = ctx.timeZone;
  const window = ctx.rules.night_flow.window;
  const oldest = nightWindow(window, addDays(last, -(count - 1)), tz);
  const newest = nightWindow(window, last, tz);
  const rows = await ctx.store.queryRollups({
    period: 'hour',
    meter: meter.id,
    from: oldest.from,
    to: newest.to,
  });
  const byStart = new Map(rows.map((r) => [r.start, r]));
  const nights: Night[] = [];
  for (let i = 0; i < count; i++) {
    const date = addDays(last, -i);
    const { from, to } = nightWindow(window, date, tz);
    // Whole hours inside the window (a window of 01:00-05:00 is the hours starting 01–04).
    const starts: number[] = [];
    for (let t = Math.ceil(from / HOUR) * HOUR; t + HOUR <= to; t += HOUR) starts.push(t);
    // An estimated hour is a gap spread evenly: it would show flow where the meter saw none.
    const values = starts.map((t) => {
      const r = byStart.get(t);
      return r && r.estimated === 0 ? r.value : undefined;
    });
    const missing = values.filter((v) => v === undefined).length;
    if (starts.length === 0 || missing > 0)
      nights.push({
        date,
        from,
        to,
        min: null,
        hole: `${missing}/${starts.length} night hours missing or estimated`,
      });
    else nights.push({ date, from, to, min: Math.min(...(values as number[])) });
  }
  return nights;
}
