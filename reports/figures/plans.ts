import type { SiteConfig } from '../../core/config/siteSchema.ts';
import { JnError } from '../../core/errors.ts';
import { type Plan, planForYear, planNamed, sitePlan, unpublishedText } from '../../core/reports/plans.ts';
import type { Comparison, PlanRef, Status, TargetIndicator } from '../../core/reports/report.ts';
import type { Factors } from '../factors.ts';
import { hasKgce } from './convert.ts';
import type { PairFigures } from './quantities.ts';
import { missingItems } from './scope.ts';

/** A plan with where it came from. */
export interface ChosenPlan {
  plan: Plan;
  ref: PlanRef;
}

const span = (p: { name: string; base_year: number; end_year: number }) =>
  `${p.name} ${p.base_year + 1}–${p.end_year}`;

/** What a report says about the plan it measures against. */
export function planRef(plan: Plan): PlanRef {
  return {
    id: plan.id,
    name: plan.name,
    source: plan.source,
    verified: plan.verified,
    base_year: plan.base_year,
    end_year: plan.end_year,
    origin: plan.origin,
    short: plan.short,
    published: plan.published,
    ...(plan.level && plan.origin === 'site' ? { level: plan.level } : {}),
    ...(plan.stands_for ? { stands_for: plan.stands_for } : {}),
  };
}

/** The note a chosen plan carries: unpublished (nothing judged), or its figures not verified. */
function noteOf(plan: Plan): string | null {
  if (!plan.published) return unpublishedText(plan);
  if (plan.verified) return null;
  const where = plan.origin === 'site' ? '站点文件' : 'reports/data/targets.yaml';
  return `${plan.name} 的目标值未经核对（verified: false，${where}）：达标评价仅供参考`;
}

/**
 * The plan whose (base_year, end_year] holds the report year: a site target set first (it wins for
 * the years it covers), then the standard ones (reports/data/targets.yaml) — an unpublished slot
 * (十五五 until its figures are known) included: it is the plan, with its base year, and judges
 * nothing. `name` (the assessment's --plan) picks a plan by id or short name instead. Outside
 * every plan: none, and a note that says so.
 */
export function choosePlan(
  factors: Factors,
  siteTargets: SiteConfig['reports']['targets'],
  year: number,
  name?: string,
): { chosen: ChosenPlan | null; note: string | null } {
  const plan = name
    ? planNamed(factors.plans, siteTargets, name)
    : planForYear(factors.plans, siteTargets, year);
  if (!plan) {
    const all = [...siteTargets.map((t) => sitePlan(t, factors.plans)), ...factors.plans]
      .sort((a, b) => a.base_year - b.base_year)
      .map(span);
    if (name)
      throw new JnError(
        'bad_request',
        `没有名为“${name}”的规划；可选：${[...factors.plans.map((p) => `${p.short}（${p.id}）`), ...siteTargets.map((t) => t.id)].join('、')}`,
        { context: { plan: name } },
      );
    return { chosen: null, note: `${year} 年不在已配置的规划期内（${all.join('，')}）；未评价达标` };
  }
  return { chosen: { plan, ref: planRef(plan) }, note: noteOf(plan) };
}

/**
 * The plan, the baseline year and the note on both. A baseline year on or after the report year is
 * refused (JnError bad_request); one other than the plan's base year is said so, and its
 * comparisons are not judged against the plan's targets (`noTarget`).
 */
export function planAndBaseline(
  input: { factors: Factors; site: SiteConfig; baselineYear?: number | undefined; plan?: string | undefined },
  year: number,
) {
  const { chosen, note } = choosePlan(input.factors, input.site.reports.targets, year, input.plan);
  if (input.baselineYear !== undefined && input.baselineYear >= year)
    throw new JnError(
      'bad_request',
      `基准年 ${input.baselineYear} 不早于报告年 ${year}：基准年须为更早的年份（如 ${chosen?.plan.base_year ?? year - 1}）`,
      { context: { baseline_year: input.baselineYear, report_year: year } },
    );
  const baselineYear = input.baselineYear ?? chosen?.plan.base_year ?? null;
  const notes = [note];
  let noTarget: string | null = null;
  if (chosen && baselineYear !== null && baselineYear !== chosen.plan.base_year) {
    noTarget = `${chosen.plan.name}的目标以其基准年 ${chosen.plan.base_year} 为基准，与基准年 ${baselineYear} 的比较未对照规划目标（变化照列）`;
    notes.push(noTarget);
  }
  const planNote = notes.filter(Boolean).join('；') || null;
  return { chosen, baselineYear, planNote, noTarget };
}

/** The energy types an indicator rests on: water for water, every converted type for the rest. */
export const restsOn = (indicator: TargetIndicator, t: PairFigures['energy_type']) =>
  indicator === 'water_per_capita_m3' ? t === 'water' : hasKgce(t);

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** At most 12 items in a status line; the rest are in each scope's `missing`. */
const listed = (items: string[]) =>
  items.length <= 12
    ? items.join('；')
    : `${items.slice(0, 12).join('；')}；等共 ${items.length} 项（见各建筑缺数据清单）`;

/** One indicator of one scope: its value against the baseline and the target due by the report year. */
export interface CompareInput {
  scope: string;
  indicator: TargetIndicator;
  value: number | null;
  baseline: number | null;
  /** The building × type figures the value and the baseline rest on. */
  current: PairFigures[];
  base: PairFigures[];
  plan: ChosenPlan | null;
  planNote: string | null;
  year: number;
  names: Map<string, string>;
  /** Set when the value is a projection that cannot be trusted (why). */
  distrust: string | null;
  /** Set when the comparison is not one the plan's targets are for (why): status no_target. */
  noTarget: string | null;
}

/** The missing or partial data an indicator rests on (current and baseline), in words. */
function gapsOf(c: CompareInput): string[] | null {
  const relevant = c.current.filter((x) => restsOn(c.indicator, x.energy_type));
  if (relevant.length === 0) return null;
  return missingItems(
    [...relevant, ...c.base.filter((x) => restsOn(c.indicator, x.energy_type))],
    c.names,
  ).map((m) => m.text);
}

/**
 * The status and why. Missing data wins over no_target (defect 9): a year outside every plan with
 * no data says both; a baseline other than the plan's, or a range across calendar years, is not
 * judged against the plan's targets (`noTarget`: why).
 */
function targetStatus(c: CompareInput, change: number | null, byNow: number | null): [Status, string] {
  const gaps = gapsOf(c);
  // An unpublished plan (十五五 before its figures are known) judges nothing: said like no plan.
  const unpublished = c.plan && !c.plan.plan.published ? unpublishedText(c.plan.plan) : null;
  const noPlan = c.plan ? unpublished : (c.planNote ?? '无适用规划，未评价达标');
  if (gaps === null)
    return ['incomplete', ['无用水数据（无水表、无录入）', noPlan].filter(Boolean).join('；')];
  if (gaps.length > 0)
    return ['incomplete', [`数据不全：${listed(gaps)}`, noPlan].filter(Boolean).join('；')];
  if (!c.plan || unpublished) return ['no_target', noPlan ?? ''];
  const target = c.plan.plan.targets[c.indicator];
  if (target === undefined || byNow === null) return ['no_target', `${c.plan.plan.name} 未设此指标目标`];
  if (c.noTarget) return ['no_target', c.noTarget];
  if (c.distrust) return ['incomplete', c.distrust];
  if (c.value === null) return ['incomplete', '本期缺建筑面积或用能人数'];
  if (c.baseline === null) return ['incomplete', '基准期缺建筑面积或用能人数'];
  if (change === null) return ['incomplete', '基准值为 0，无法计算变化'];
  const what = `变化 ${pct(change)}，按进度应达 ${pct(byNow)}（${c.plan.plan.name} ${c.plan.plan.end_year} 年目标 ${pct(target)}）`;
  return change <= byNow ? ['on_track', `${what}：进度内`] : ['at_risk', `${what}：未达进度`];
}

/** A comparison row: change, the target due by now (linear over the plan's years), status and why. */
export function compare(c: CompareInput): Comparison {
  // Defect 5: no change from a partly covered side (the value stays, its coverage says partial).
  const partial = (gapsOf(c) ?? []).length > 0;
  const change =
    !partial && c.value !== null && c.baseline !== null && c.baseline > 0 ? c.value / c.baseline - 1 : null;
  const plan = c.plan?.plan;
  const target = plan?.targets[c.indicator] ?? null;
  const share = plan
    ? Math.min(1, Math.max(0, (c.year - plan.base_year) / (plan.end_year - plan.base_year)))
    : 0;
  const byNow = target === null ? null : target * share;
  const [status, status_text] = targetStatus(c, change, byNow);
  return {
    scope: c.scope,
    indicator: c.indicator,
    value: c.value,
    baseline: c.baseline,
    change,
    target,
    target_by_now: byNow,
    status,
    status_text,
    national_base: plan?.national_base?.[c.indicator] ?? null,
  };
}

const indicatorLabel: Record<TargetIndicator, string> = {
  energy_per_area_kgce_m2: '单位建筑面积能耗',
  energy_per_capita_kgce: '人均综合能耗',
  water_per_capita_m3: '人均用水量',
  carbon_per_area_kgco2_m2: '单位建筑面积碳排放',
};

/** A scope's status over its indicators: incomplete before at risk before on track; no_target when none has a target. */
export function overallStatus(
  rows: Comparison[],
  planNote: string | null,
): { status: Status; status_text: string } {
  const incomplete = rows.filter((r) => r.status === 'incomplete');
  if (incomplete.length > 0) {
    // each row's reasons once: "数据不全：a；b" and "数据不全：a" give "a；b"
    const items = [
      ...new Set(incomplete.flatMap((r) => r.status_text.replace(/^数据不全：/, '').split('；'))),
    ];
    return { status: 'incomplete', status_text: `数据不全，未评价达标：${listed(items)}` };
  }
  const risk = rows.filter((r) => r.status === 'at_risk');
  if (risk.length > 0)
    return {
      status: 'at_risk',
      status_text: `有风险：${risk.map((r) => `${indicatorLabel[r.indicator]} ${r.status_text}`).join('；')}`,
    };
  if (rows.some((r) => r.status === 'on_track'))
    return { status: 'on_track', status_text: '有目标的指标均在进度内' };
  return { status: 'no_target', status_text: planNote ?? '无适用规划目标，未评价达标' };
}
