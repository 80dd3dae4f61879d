import { judgeQuota, quotaStatusZh } from '../../core/reports/quotaJudge.ts';
import {
  loadQuotaStandards,
  quotaIndicatorInfo,
  type ResolvedQuota,
  resolveQuotas,
} from '../../core/reports/quotas.ts';
import {
  addDays,
  buildingName,
  fmt,
  iso,
  type Judged,
  localDate,
  midnight,
  pct,
  type RuleContext,
  rollupsOf,
  sumWhereAll,
  totalMeters,
} from './common.ts';

/**
 * 能耗定额预警 (issue 18): each quota of the site file (`reports.quotas`, core/reports/quotas.ts) —
 * the building's year to date against the year's quota prorated by its own months of last year
 * (by days when last year is missing, marked) — judged once a day by core/reports/quotaJudge.ts,
 * the same function the report's quota table uses. Two subjects per quota: `<building>/<indicator>/warning`
 * holds from `warning_at` (预警, default 80 %, the rule's severity) and `…/exceeded` from
 * `exceeded_at` (超定额, default 100 %, `exceeded_severity`); both clear when the share falls back.
 *
 * Stored daily rollups of the building's main meters only: electricity (at the quota's kgce/kWh —
 * DB37/T 2672-2019's 0.31 等价值, else 0.1229 当量值), gas (1.2143 kgce/m³ or the site's
 * `reports.factor_overrides.natural_gas`) and water. Officers' entries (fuel, bills) are in the
 * reports' ledger, which the alarm service does not open: the report's table counts them. Not
 * judged (said once): before `min_days` of the year, a year to date covered < 90 %.
 */

const THRESHOLD = 0.9;
const GAS_KGCE = 1.2143;

/** Sums per local month (1–12) of one category's daily totals, with the days that had data. */
interface Monthly {
  value: number[];
  days: number[];
}

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const valueOn = (values: readonly { from: string; value: number }[], date: string) => {
  let v = values[0]?.value ?? 0;
  for (const x of values) if (x.from <= date) v = x.value;
  return v;
};

async function monthlyOf(
  ctx: RuleContext,
  building: string,
  category: 'electricity' | 'gas' | 'water',
  from: string,
  last: string,
): Promise<Map<number, Monthly> | null> {
  const meters = totalMeters(ctx.site, building, category);
  if (meters.length === 0) return null;
  const tz = ctx.timeZone;
  const rows = await rollupsOf(
    ctx.store,
    'day',
    meters.map((m) => m.id),
    midnight(from, tz),
    midnight(addDays(last, 1), tz),
  );
  const out = new Map<number, Monthly>();
  for (const [start, d] of sumWhereAll(rows)) {
    const date = localDate(start, tz);
    const year = Number(date.slice(0, 4));
    const month = Number(date.slice(5, 7));
    const m = out.get(year) ?? { value: Array(12).fill(0), days: Array(12).fill(0) };
    m.value[month - 1] += d.value;
    m.days[month - 1] += 1;
    out.set(year, m);
  }
  return out;
}

/** The quantity a quota adds up, per month of a year, from its categories (null: a category has no meter). */
function combine(
  quota: ResolvedQuota,
  byCategory: Record<'electricity' | 'gas' | 'water', Map<number, Monthly> | null>,
  gasKgce: number,
): ((year: number) => Monthly) | null {
  const q = quotaIndicatorInfo[quota.indicator].quantity;
  const parts: [Map<number, Monthly> | null, number][] =
    q === 'water'
      ? [[byCategory.water, 1]]
      : q === 'electricity'
        ? [[byCategory.electricity, 1]]
        : [
            [byCategory.electricity, quota.electricity_kgce_per_kwh ?? 0],
            ...(byCategory.gas ? ([[byCategory.gas, gasKgce]] as [Map<number, Monthly>, number][]) : []),
          ];
  if (parts.some(([m]) => m === null)) return null;
  return (year) => {
    const out: Monthly = { value: Array(12).fill(0), days: Array(12).fill(Number.POSITIVE_INFINITY) };
    for (const [m, factor] of parts) {
      const y = m?.get(year);
      for (let i = 0; i < 12; i++) {
        out.value[i] = (out.value[i] ?? 0) + (y?.value[i] ?? 0) * factor;
        out.days[i] = Math.min(out.days[i] ?? 0, y?.days[i] ?? 0);
      }
    }
    return out;
  };
}

export async function judgeQuotas(ctx: RuleContext, now: number): Promise<Judged[]> {
  const { site, timeZone: tz } = ctx;
  const settings = ctx.rules.quota;
  const quotas = resolveQuotas(site.config.reports.quotas, loadQuotaStandards());
  if (quotas.length === 0) {
    ctx.note(
      'quota:none',
      'quota：站点文件未配置能耗定额（reports.quotas），不判断 / no quotas in the site file (reports.quotas): nothing judged',
    );
    return [];
  }
  const last = addDays(localDate(now, tz), -1);
  const year = Number(last.slice(0, 4));
  const month = Number(last.slice(5, 7));
  const elapsed = Math.round((Date.parse(last) - Date.parse(`${year}-01-01`)) / 86_400_000) + 1;
  if (elapsed < settings.min_days) {
    ctx.note(
      `quota:short:${year}`,
      `quota：${year} 年仅过 ${elapsed} 天（少于 min_days ${settings.min_days}），不判断定额 / only ${elapsed} days of ${year} (< min_days ${settings.min_days}): quotas not judged`,
    );
    return [];
  }
  const gasKgce = site.config.reports.factor_overrides.natural_gas?.value ?? GAS_KGCE;
  const out: Judged[] = [];
  const cache = new Map<string, Record<'electricity' | 'gas' | 'water', Map<number, Monthly> | null>>();
  for (const quota of quotas) {
    const b = site.config.organization.buildings.find((x) => x.id === quota.building);
    if (!b) continue;
    let byCategory = cache.get(b.id);
    if (!byCategory) {
      const from = `${year - 1}-01-01`;
      byCategory = {
        electricity: await monthlyOf(ctx, b.id, 'electricity', from, last),
        gas: await monthlyOf(ctx, b.id, 'gas', from, last),
        water: await monthlyOf(ctx, b.id, 'water', from, last),
      };
      cache.set(b.id, byCategory);
    }
    const info = quotaIndicatorInfo[quota.indicator];
    const of = combine(quota, byCategory, gasKgce);
    const subject = `${b.id}/${quota.indicator}`;
    if (!of) {
      ctx.note(
        `quota:${subject}:meters`,
        `quota ${subject}：建筑无${info.quantity === 'water' ? '水' : '电'}总表，不判断 / the building has no ${info.quantity === 'water' ? 'water' : 'electricity'} meter: not judged`,
      );
      continue;
    }
    const cur = of(year);
    const prev = of(year - 1);
    const metered = cur.days.slice(0, month).reduce((a, d) => a + d, 0);
    if (metered / elapsed < THRESHOLD) {
      ctx.note(
        `quota:${subject}:coverage:${last}`,
        `quota ${subject}：${year} 年至今数据覆盖 ${pct(metered / elapsed)}（需 ≥ 90 %），不判断 / year to date covered ${pct(metered / elapsed)} (need ≥ 90 %): not judged`,
      );
      continue;
    }
    const gap = prev.days.findIndex((d, i) => d / daysInMonth(year - 1, i + 1) < THRESHOLD);
    let area = 0;
    let people = 0;
    for (let d = `${year}-01-01`; d <= last; d = addDays(d, 1)) {
      area += valueOn(b.floor_area, d);
      people += valueOn(b.headcount, d);
    }
    const j = judgeQuota({
      quota,
      to: last,
      divisor: info.per === 'area' ? area / elapsed : info.per === 'people' ? people / elapsed : null,
      ytd: cur.value.slice(0, month).reduce((a, v) => a + v, 0),
      previous: gap < 0 ? prev.value : null,
      ...(gap < 0 ? {} : { previous_missing: `上年（${year - 1} 年）${gap + 1} 月数据不全` }),
      warningAt: settings.warning_at,
      exceededAt: settings.exceeded_at,
    });
    if (j.ratio === null || j.projection === null || j.ytd === null) continue;
    const name = buildingName(site, b.id);
    const src = `${quota.standard ? `${quota.standard} ${quota.category ?? ''} ${quota.level_name}` : quota.level_name}，${quota.source}${quota.verified ? '' : '，未核实'}`;
    const figsZh = `${year} 年至今 ${fmt(j.ytd, 2)} ${info.unit}，为按进度应用定额 ${fmt(j.prorated, 2)}（定额 ${fmt(quota.value, 2)} ${info.unit} × ${pct(j.share)}）的 ${pct(j.ratio)}，预计全年 ${fmt(j.projection, 2)} ${info.unit}（${src}）；${j.method_text}`;
    const figs = `${year} to date ${fmt(j.ytd, 2)} ${info.unit}, ${pct(j.ratio)} of the quota due by ${last} (${fmt(quota.value, 2)} ${info.unit} × ${pct(j.share)} = ${fmt(j.prorated, 2)}), projected ${fmt(j.projection, 2)} for the year (${quota.standard ?? 'own quota'}: ${quota.source}${quota.verified ? '' : ', unverified'}); prorated ${j.method === 'days' ? 'by days (no monthly data of last year)' : "by last year's months"}`;
    const at = iso(midnight(addDays(last, 1), tz), tz);
    for (const level of ['warning', 'exceeded'] as const) {
      const threshold = level === 'warning' ? settings.warning_at : settings.exceeded_at;
      const active = j.ratio >= threshold;
      const zh = level === 'warning' ? quotaStatusZh.warning : quotaStatusZh.exceeded;
      out.push({
        key: `${subject}/${level}`,
        active,
        at,
        building: b.id,
        value: j.ratio,
        ...(level === 'exceeded' ? { severity: settings.exceeded_severity } : {}),
        message: active
          ? `${name} ${info.zh} ${level === 'warning' ? 'quota warning' : 'over its quota'} (≥ ${pct(threshold, 0)}): ${figs}`
          : `${name} ${info.zh} below ${pct(threshold, 0)} of its quota: ${figs}`,
        message_zh: active
          ? `${name} ${info.zh}${zh}（≥ ${pct(threshold, 0)}）：${figsZh}`
          : `${name} ${info.zh}低于定额 ${pct(threshold, 0)}：${figsZh}`,
      });
    }
  }
  return out;
}
