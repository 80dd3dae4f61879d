import { JnError } from '../../core/errors.ts';
import type { AssessmentReport, AssessmentResult, AssessmentRow } from '../../core/reports/assessment.ts';
import type {
  IntensityReport,
  PlanRef,
  Scope,
  TargetIndicator,
  TypeTotal,
} from '../../core/reports/report.ts';

export type { AssessmentReport, AssessmentResult, AssessmentRow };

import { hasKgce } from './convert.ts';
import { type IntensityInput, intensityReport } from './intensity.ts';

/**
 * The final assessment of a plan (终期考核, issue 18): its end year against its base year, whole
 * calendar years, all four indicators, per building and for the organization, judged against the
 * plan's full target (not a share of it). `jieneng assessment --plan 十四五` is 2025 against 2020.
 * Made from the intensity report of the end year (same figures, same coverage), so the two never
 * disagree.
 */

export const resultNames: Record<AssessmentResult, string> = {
  achieved: '完成',
  not_achieved: '未完成',
  incomplete: '数据不全，未评价',
  no_target: '无目标',
};

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
const restsOn = (indicator: TargetIndicator, t: TypeTotal) =>
  indicator === 'water_per_capita_m3' ? t.energy_type === 'water' : hasKgce(t.energy_type);

/** The weight of a type in an indicator: kgce for energy, kgCO₂ for carbon, m³ for water. */
function weight(indicator: TargetIndicator, t: TypeTotal): number {
  if (indicator === 'water_per_capita_m3') return t.quantity ?? 0;
  return (indicator === 'carbon_per_area_kgco2_m2' ? t.kgco2 : t.kgce) ?? 0;
}

/** Coverage, estimated and entered shares of one indicator of one scope. */
function quality(indicator: TargetIndicator, scope: Scope | undefined) {
  const types = (scope?.totals ?? []).filter((t) => restsOn(indicator, t));
  if (types.length === 0) return { coverage: 0, estimated: 0, entered: 0 };
  const total = types.reduce((a, t) => a + weight(indicator, t), 0);
  const part = (f: (t: TypeTotal) => number) =>
    ratio(
      types.reduce((a, t) => a + weight(indicator, t) * ratio(f(t), t.quantity ?? 0), 0),
      total,
    );
  return {
    coverage: Math.min(...types.map((t) => t.coverage.share)),
    estimated: part((t) => t.estimated),
    entered: part((t) => t.entered),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

function resultOf(c: IntensityReport['comparisons'][number]): [AssessmentResult, string] {
  if (c.status === 'incomplete') return ['incomplete', c.status_text];
  if (c.status === 'no_target' || c.target === null || c.change === null) return ['no_target', c.status_text];
  const what = `变化 ${pct(c.change)}，目标 ${pct(c.target)}`;
  return c.change <= c.target ? ['achieved', `${what}：完成`] : ['not_achieved', `${what}：未完成`];
}

/** The assessment from the intensity report of the plan's end year against its base year. */
export function assessmentOf(r: IntensityReport): AssessmentReport {
  if (!r.plan) throw new Error('assessmentOf: the report has no plan');
  const scopes = [...r.buildings, r.organization];
  const base = r.baseline ? [...r.baseline.buildings, r.baseline.organization] : [];
  const rows = r.comparisons.map((c): AssessmentRow => {
    const now = quality(
      c.indicator,
      scopes.find((s) => s.id === c.scope),
    );
    const then = quality(
      c.indicator,
      base.find((s) => s.id === c.scope),
    );
    const [result, result_text] = resultOf(c);
    return {
      scope: c.scope,
      scope_name: scopes.find((s) => s.id === c.scope)?.name ?? c.scope,
      indicator: c.indicator,
      base_value: c.baseline,
      value: c.value,
      change: c.change,
      target: c.target,
      result,
      result_text,
      coverage: now.coverage,
      base_coverage: then.coverage,
      estimated_share: now.estimated,
      entered_share: now.entered,
      national_base: c.national_base,
    };
  });
  const org = rows.filter((x) => x.scope === r.organization.id);
  const judged = org.filter((x) => x.result !== 'no_target');
  const missed = org.filter((x) => x.result === 'not_achieved');
  const [result, result_text]: [AssessmentResult, string] = org.some((x) => x.result === 'incomplete')
    ? ['incomplete', `数据不全，未评价：${r.status_text.replace(/^数据不全，未评价达标：/, '')}`]
    : judged.length === 0
      ? ['no_target', r.plan_note ?? '无目标']
      : missed.length > 0
        ? ['not_achieved', `未完成 ${missed.length} 项（共 ${judged.length} 项有目标）`]
        : ['achieved', `${judged.length} 项有目标的指标均完成`];
  const estimated = rows.filter((x) => x.estimated_share > 0);
  return {
    kind: 'assessment',
    origin: r.origin,
    plan: r.plan,
    plan_note: r.plan_note,
    organization: r.organization.id,
    year: r.plan.end_year,
    base_year: r.plan.base_year,
    basis_text: r.basis_text,
    rows,
    result,
    result_text,
    notes: [
      `${r.plan.name}终期考核：${r.plan.end_year} 年全年与基准年 ${r.plan.base_year} 全年比较，按规划目标全额（非按进度）评价；数据不全的指标不评价，不计为完成。`,
      ...(r.grid_co2 ? [r.grid_co2.text] : []),
      ...(estimated.length > 0
        ? ['估算占比为插补、冻结或复位期间估算的用量所占比例；填报占比为账单、加油卡等填报数据所占比例。']
        : []),
    ],
  };
}

/**
 * The intensity input of a plan's final assessment: its end year, whole, against its base year,
 * on that plan. A plan without published figures, or whose end year has not ended, is refused.
 */
export function assessmentInput(
  input: Omit<IntensityInput, 'from' | 'to' | 'baselineYear' | 'plan'>,
  plan: PlanRef,
): IntensityInput {
  if (plan.published === false)
    throw new JnError(
      'bad_request',
      `${plan.short ?? plan.name}目标未发布，无法终期考核；站点文件可配置省、市或本单位目标（reports.targets，plan: ${plan.id}）`,
      { context: { plan: plan.id } },
    );
  const end = `${plan.end_year}-12-31`;
  if (input.today !== undefined && input.today <= end)
    throw new JnError(
      'bad_request',
      `${plan.short ?? plan.name}的期末年 ${plan.end_year} 尚未结束（今天 ${input.today}），终期考核需 ${plan.end_year} 全年数据；年内进度见 jieneng report --from ${plan.end_year}-01-01 --to ${input.today}`,
      { context: { plan: plan.id, today: input.today } },
    );
  return {
    ...input,
    from: `${plan.end_year}-01-01`,
    to: end,
    baselineYear: plan.base_year,
    plan: plan.id,
  };
}

/** The final assessment of the plan named `plan` (id or short name: 十四五) from intensity inputs. */
export function assessment(
  input: Omit<IntensityInput, 'from' | 'to' | 'baselineYear' | 'plan'>,
  plan: PlanRef,
): AssessmentReport {
  return assessmentOf(intensityReport(assessmentInput(input, plan)));
}
