import { loadStandardPlans, planForYear, unpublishedText } from '../../core/reports/plans.ts';
import type { TargetIndicator } from '../../core/reports/report.ts';
import {
  addDays,
  fmt,
  iso,
  type Judged,
  localDate,
  midnight,
  type RuleContext,
  rollupsOf,
  signedPct,
  sumWhereAll,
  totalMeters,
} from './common.ts';

/**
 * 能耗强度趋势超目标: a building's and the organization's year-to-date intensity projected to the
 * year end, against the change the plan's target asks by this year (linear over the plan's years,
 * as the report judges it). The report's projection lives in reports/ (a service the alarm service
 * may not import) and core/ offers only its types, so this is the same method re-stated on the
 * stored daily rollups, as the report page states it:
 *
 * - previous-year shape: 本年至今 × 上年全年 / 上年同期 by daily rates, when last year's same period
 *   and whole year are covered ≥ 90 % for every building × type; else linear (× days in year /
 *   days elapsed);
 * - not judged with fewer than 90 days elapsed, a year to date covered < 90 %, or a baseline
 *   year covered < 90 % (the report calls those indicative only, never at risk).
 *
 * Metered energy only: electricity (当量值 0.1229 kgce/kWh, GB/T 2589-2020 附录A — the report's
 * default basis), gas (天然气 1.2143 kgce/m³, or the site's `reports.factor_overrides.natural_gas`)
 * and water (m³). Officers' entries (fuel, bills) and imported building facts are in the reports'
 * ledger, which the alarm service does not open; carbon is not judged (the grid factors are the
 * reports' data). Targets: the plan the year falls in, as the report chooses it
 * (core/reports/plans.ts) — a site `reports.targets` set covering the year (provincial, municipal
 * or the institution's), else the standard plan (十四五 for 2021–2025). A year of an unpublished
 * plan (十五五, 2026–2030, until its figures are known) with no site set raises nothing and says
 * why once, in the log and the rule's status in the service's health.
 */

const PROJECTION_MIN_DAYS = 90;
const THRESHOLD = 0.9;
const ELECTRICITY_KGCE = 0.1229;
const GAS_KGCE = 1.2143;

const judged: TargetIndicator[] = [
  'energy_per_area_kgce_m2',
  'energy_per_capita_kgce',
  'water_per_capita_m3',
];
const label: Record<string, { en: string; zh: string; unit: string }> = {
  energy_per_area_kgce_m2: { en: 'energy per floor area', zh: '单位建筑面积能耗', unit: 'kgce/m²' },
  energy_per_capita_kgce: { en: 'energy per person', zh: '人均综合能耗', unit: 'kgce/人' },
  water_per_capita_m3: { en: 'water per person', zh: '人均用水量', unit: 'm³/人' },
};

interface Period {
  from: string;
  /** Inclusive. */
  to: string;
}
const daysOf = (p: Period) => Math.round((Date.parse(p.to) - Date.parse(p.from)) / 86_400_000) + 1;

/** Energy (kgce) and water (m³) of one scope over one period, and the lowest coverage of its types. */
interface Figures {
  kgce: number;
  water: number;
  coverage: number;
  area: number;
  people: number;
}

const valueOn = (values: readonly { from: string; value: number }[], date: string) => {
  let v = values[0]?.value ?? 0;
  for (const x of values) if (x.from <= date) v = x.value;
  return v;
};

export async function judgeTargetTrend(ctx: RuleContext, now: number): Promise<Judged[]> {
  const { site, timeZone: tz } = ctx;
  const last = addDays(localDate(now, tz), -1);
  const year = Number(last.slice(0, 4));
  const plan = planForYear(loadStandardPlans(), site.config.reports.targets, year);
  if (!plan) {
    ctx.note(
      `target_trend:plan:${year}`,
      `target_trend：${year} 年不在任何规划期内，站点文件也未配置覆盖该年的目标（reports.targets），未判断 / no plan and no target set in the site file covers ${year}: not judged`,
    );
    return [];
  }
  if (!plan.published) {
    // 十五五 before its figures are known: nothing to judge against, and never 十四五's figures.
    ctx.note(
      `target_trend:unpublished:${year}`,
      `target_trend：${unpublishedText(plan)}，不判断 ${year} 年趋势 / ${year}: the ${plan.id} targets (${plan.base_year + 1}–${plan.end_year}, base ${plan.base_year}) are not published and the site file has no provincial, municipal or own target set for ${year} (reports.targets): not judged`,
    );
    return [];
  }
  const ytd: Period = { from: `${year}-01-01`, to: last };
  const elapsed = daysOf(ytd);
  if (elapsed < PROJECTION_MIN_DAYS) {
    ctx.note(
      `target_trend:short:${year}`,
      `target_trend: only ${elapsed} days of ${year} (< ${PROJECTION_MIN_DAYS}): a projection is indicative only, not judged`,
    );
    return [];
  }
  const prev = year - 1;
  const same: Period = { from: `${prev}-01-01`, to: `${prev}${last.slice(4)}` };
  if (same.to.slice(5) === '02-29') same.to = `${prev}-02-28`;
  const periods = {
    ytd,
    same,
    full: { from: `${prev}-01-01`, to: `${prev}-12-31` },
    base: { from: `${plan.base_year}-01-01`, to: `${plan.base_year}-12-31` },
  };
  const gasKgce = site.config.reports.factor_overrides.natural_gas?.value ?? GAS_KGCE;
  const figures = async (building: string, p: Period): Promise<Figures> => {
    const from = midnight(p.from, tz);
    const to = midnight(addDays(p.to, 1), tz);
    const f: Figures = { kgce: 0, water: 0, coverage: 1, area: 0, people: 0 };
    for (const [category, factor] of [
      ['electricity', ELECTRICITY_KGCE],
      ['gas', gasKgce],
      ['water', 0],
    ] as const) {
      const meters = totalMeters(site, building, category);
      if (meters.length === 0) continue;
      const days = sumWhereAll(
        await rollupsOf(
          ctx.store,
          'day',
          meters.map((m) => m.id),
          from,
          to,
        ),
      );
      const q = [...days.values()].reduce((a, d) => a + d.value, 0);
      f.coverage = Math.min(f.coverage, days.size / daysOf(p));
      if (category === 'water') f.water += q;
      else f.kgce += q * factor;
    }
    const b = site.config.organization.buildings.find((x) => x.id === building);
    if (b) {
      let area = 0;
      let people = 0;
      for (let d = p.from; d <= p.to; d = addDays(d, 1)) {
        area += valueOn(b.floor_area, d);
        people += valueOn(b.headcount, d);
      }
      f.area = area / daysOf(p);
      f.people = people / daysOf(p);
    }
    return f;
  };
  const scopes = new Map<string, Record<keyof typeof periods, Figures>>();
  for (const b of site.config.organization.buildings) {
    const r = {} as Record<keyof typeof periods, Figures>;
    for (const k of Object.keys(periods) as (keyof typeof periods)[]) r[k] = await figures(b.id, periods[k]);
    scopes.set(b.id, r);
  }
  const all = [...scopes.values()];
  const lowest = (k: keyof typeof periods) => Math.min(...all.map((s) => s[k].coverage));
  const shape = lowest('same') >= THRESHOLD && lowest('full') >= THRESHOLD;
  const sum = (k: keyof typeof periods): Figures => ({
    kgce: all.reduce((a, s) => a + s[k].kgce, 0),
    water: all.reduce((a, s) => a + s[k].water, 0),
    coverage: lowest(k),
    area: all.reduce((a, s) => a + s[k].area, 0),
    people: all.reduce((a, s) => a + s[k].people, 0),
  });
  scopes.set(site.config.organization.id, {
    ytd: sum('ytd'),
    same: sum('same'),
    full: sum('full'),
    base: sum('base'),
  });
  const yearDays = daysOf({ from: `${year}-01-01`, to: `${year}-12-31` });
  const lengths = { year: yearDays, previous: daysOf(periods.full), ytd: elapsed, same: daysOf(same) };
  const project = (x: number, s: number, w: number) =>
    shape && s > 0
      ? x +
        (x / lengths.ytd / (s / lengths.same)) *
          ((w - s) / (lengths.previous - lengths.same)) *
          (lengths.year - lengths.ytd)
      : (x * lengths.year) / elapsed;
  const method = shape
    ? `${ytd.from}–${ytd.to} actual × ${prev} full year / ${same.from}–${same.to} (previous year's shape)`
    : `${ytd.from}–${ytd.to} actual × ${yearDays} / ${elapsed} days (linear)`;
  const methodZh = shape
    ? `${ytd.from} 至 ${ytd.to} 实绩 × ${prev} 年全年 / 上年同期 ${same.from} 至 ${same.to}（按上年同期占比推算）`
    : `${ytd.from} 至 ${ytd.to} 实绩 × ${yearDays} / ${elapsed} 天（按天数线性推算）`;
  const share = Math.min(1, Math.max(0, (year - plan.base_year) / (plan.end_year - plan.base_year)));
  const out: Judged[] = [];
  for (const [scope, f] of scopes) {
    const isOrg = scope === site.config.organization.id;
    const name = isOrg
      ? site.config.organization.name
      : (site.config.organization.buildings.find((b) => b.id === scope)?.name ?? scope);
    if (f.ytd.coverage < THRESHOLD || f.base.coverage < THRESHOLD) {
      ctx.note(
        `target_trend:${scope}:coverage:${year}`,
        `target_trend ${scope}: not judged — coverage ${(f.ytd.coverage * 100).toFixed(1)} % of ${year} to date, ${(f.base.coverage * 100).toFixed(1)} % of the base year ${plan.base_year} (need ≥ 90 %) / 数据覆盖不足，未判断`,
      );
      continue;
    }
    const projected = {
      kgce: project(f.ytd.kgce, f.same.kgce, f.full.kgce),
      water: project(f.ytd.water, f.same.water, f.full.water),
    };
    for (const indicator of judged) {
      const target = plan.targets[indicator];
      if (target === undefined) continue;
      const value =
        indicator === 'energy_per_area_kgce_m2'
          ? ratio(projected.kgce, f.ytd.area)
          : indicator === 'energy_per_capita_kgce'
            ? ratio(projected.kgce, f.ytd.people)
            : ratio(projected.water, f.ytd.people);
      const baseline =
        indicator === 'energy_per_area_kgce_m2'
          ? ratio(f.base.kgce, f.base.area)
          : indicator === 'energy_per_capita_kgce'
            ? ratio(f.base.kgce, f.base.people)
            : ratio(f.base.water, f.base.people);
      if (value === null || baseline === null || baseline === 0) continue;
      const change = value / baseline - 1;
      const byNow = target * share;
      const active = change > byNow;
      const l = label[indicator] ?? { en: indicator, zh: indicator, unit: '' };
      const figs = `${year} projected ${fmt(value, 2)} ${l.unit} for the full year, ${signedPct(change)} against ${plan.base_year}'s ${fmt(baseline, 2)} ${l.unit}; due by ${year}: ${signedPct(byNow)} (${plan.name}: ${signedPct(target)} by ${plan.end_year}); ${method}`;
      const figsZh = `${year} 年全年预测 ${fmt(value, 2)} ${l.unit}，较基准年 ${plan.base_year}（${fmt(baseline, 2)} ${l.unit}）${signedPct(change)}；按进度 ${year} 年应达 ${signedPct(byNow)}（${plan.name}：${plan.end_year} 年 ${signedPct(target)}）；${methodZh}`;
      out.push({
        key: `${scope}/${indicator}`,
        active,
        at: iso(midnight(addDays(last, 1), tz), tz),
        ...(isOrg ? {} : { building: scope }),
        value,
        message: active
          ? `${name} ${l.en} is trending past its target: ${figs}`
          : `${name} ${l.en} on track: ${figs}`,
        message_zh: active ? `${name} ${l.zh}趋势超目标：${figsZh}` : `${name} ${l.zh}在进度内：${figsZh}`,
      });
    }
  }
  return out;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
