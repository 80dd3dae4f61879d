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
  pct,
  type RuleContext,
  rollupsOf,
  zhCategory,
} from './common.ts';

/**
 * 总分表平衡: per building and category, the last whole local day's main meter(s) against the sum
 * of the sub-meters of the same category. |main − Σ sub| / main beyond `share` is a condition.
 * A day that is not whole for every meter (an hour missing, or any part estimated — a gap the
 * rollup interpolated) is not judged: a hole must never read as an imbalance. It is said in the log.
 */
export async function judgeBalance(ctx: RuleContext, now: number): Promise<Judged[]> {
  const { site, timeZone: tz } = ctx;
  const settings = ctx.rules.meter_balance;
  const day = addDays(localDate(now - GRACE, tz), -1);
  const from = midnight(day, tz);
  const to = midnight(addDays(day, 1), tz);
  const hours = Math.round((to - from) / HOUR);
  const out: Judged[] = [];
  for (const b of site.config.organization.buildings) {
    const categories = new Set(site.config.meters.filter((m) => m.building === b.id).map((m) => m.category));
    for (const category of categories) {
      const inCat = site.config.meters.filter((m) => m.building === b.id && m.category === category);
      const mains = inCat.filter((m) => m.role === 'main');
      const subs = inCat.filter((m) => m.role === 'sub');
      if (mains.length === 0 || subs.length === 0) continue;
      const key = `${b.id}/${category}`;
      const rows = await rollupsOf(
        ctx.store,
        'hour',
        [...mains, ...subs].map((m) => m.id),
        from,
        to,
      );
      const holes = [...rows].flatMap(([meter, r]) => {
        const estimated = r.reduce((a, x) => a + x.estimated, 0);
        if (r.length < hours) return [`${meter} ${r.length}/${hours} h`];
        return estimated > 0 ? [`${meter} ${fmt(estimated, 3)} estimated`] : [];
      });
      if (holes.length > 0) {
        ctx.note(
          `meter_balance:${key}:${day}`,
          `meter_balance ${key} ${day}: not judged, the day is not whole (${holes.join(', ')}) / 数据不完整，未判断`,
        );
        continue;
      }
      const total = (ids: string[]) =>
        ids.reduce((a, id) => a + (rows.get(id) ?? []).reduce((s, r) => s + r.value, 0), 0);
      const main = total(mains.map((m) => m.id));
      const sub = total(subs.map((m) => m.id));
      const unit = rows.get(mains[0]?.id ?? '')?.[0]?.unit ?? '';
      const share = main > 0 ? Math.abs(main - sub) / main : sub > 0 ? 1 : 0;
      const active = share > settings.share;
      const name = buildingName(site, b.id);
      const figures = `main meter ${fmt(main)} ${unit}, sub-meters Σ ${fmt(sub)} ${unit}, difference ${pct(share)} of the main meter (allowed ${pct(settings.share)})`;
      const figuresZh = `总表 ${fmt(main)} ${unit}，分表合计 ${fmt(sub)} ${unit}，差值占总表 ${pct(share)}（允许 ${pct(settings.share)}）`;
      out.push({
        key,
        active,
        at: iso(to, tz),
        building: b.id,
        value: share,
        message: active
          ? `${name} ${category} on ${day}: main and sub-meters do not balance — ${figures}`
          : `${name} ${category} on ${day}: main and sub-meters balance — ${figures}`,
        message_zh: active
          ? `${name} ${zhCategory(category)} ${day}：总分表不平衡——${figuresZh}`
          : `${name} ${zhCategory(category)} ${day}：总分表平衡——${figuresZh}`,
      });
    }
  }
  return out;
}
