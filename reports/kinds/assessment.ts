import { localClock } from '../../core/localTime.ts';
import type { AssessmentQuery } from '../../core/reports/assessment.ts';
import { loadFactors } from '../factors.ts';
import { type AssessmentReport, assessmentInput, assessmentOf } from '../figures/assessment.ts';
import { buildReport } from '../figures/build.ts';
import { choosePlan } from '../figures/plans.ts';
import { renderAssessment } from '../render/assessmentTables.ts';
import type { ReportKind, ReportSources } from './kind.ts';

/**
 * 规划终期考核: a plan's end year against its base year, all four indicators, per building and
 * for the organization (reports/figures/assessment.ts). A plan it does not know, one whose figures
 * are not published, or one whose end year has not ended is refused (JnError bad_request).
 */
async function build(sources: ReportSources, query: AssessmentQuery): Promise<AssessmentReport> {
  const site = sources.site.config;
  const { chosen } = choosePlan(loadFactors(), site.reports.targets, 0, query.plan);
  if (!chosen) throw new Error(`assessment: no plan ${query.plan}`); // choosePlan throws first
  const today = localClock((sources.now ?? Date.now)(), site.site.timezone).date;
  const input = assessmentInput(
    { site, factors: loadFactors(), today, basis: query.basis, metered: [], entries: [], facts: [] },
    chosen.ref,
  );
  const report = await buildReport({
    ...sources,
    from: input.from,
    to: input.to,
    baselineYear: input.baselineYear,
    plan: chosen.ref.id,
    basis: query.basis,
  });
  return assessmentOf(report);
}

export const assessmentKind: ReportKind<AssessmentQuery, AssessmentReport> = {
  id: 'assessment',
  title: '规划终期考核',
  build,
  render: renderAssessment,
};
