import { loadStandardPlans, type Plan } from '../reports/plans.ts';
import type { YamlSource } from './problems.ts';
import type { SiteConfig } from './siteSchema.ts';

/**
 * The site's own target sets (`reports.targets`) against the standard plans: a `plan` names one of
 * them and keeps its base and end years; ids are unique; no year is covered by two site sets (a
 * report could not say which one it measures against). `standard` defaults to
 * reports/data/targets.yaml.
 */
export function checkTargets(
  src: YamlSource,
  config: SiteConfig,
  standard: readonly Plan[] = loadStandardPlans(),
): void {
  const sets = config.reports.targets;
  const at = (i: number, key?: string) => ['reports', 'targets', i, ...(key ? [key] : [])];
  const named = (p: Plan) => `${p.id} (${p.short}, ${p.base_year + 1}–${p.end_year}, base ${p.base_year})`;
  sets.forEach((t, i) => {
    const earlier = sets.findIndex((x) => x.id === t.id);
    if (earlier < i)
      src.problems.push(
        src.problemAt(
          at(i, 'id'),
          `duplicate target set id "${t.id}" (first at reports.targets[${earlier}]); target set ids must be unique`,
        ),
      );
    if (t.plan !== undefined) {
      const plan = standard.find((p) => p.id === t.plan);
      if (!plan)
        src.problems.push(
          src.problemAt(
            at(i, 'plan'),
            `target set "${t.id}": no standard plan "${t.plan}"; plans are: ${standard.map(named).join(', ')}`,
          ),
        );
      else
        for (const key of ['base_year', 'end_year'] as const)
          if (t[key] !== plan[key])
            src.problems.push(
              src.problemAt(
                at(i, key),
                `target set "${t.id}" stands in for ${plan.short} (${plan.id}), whose ${key} is ${plan[key]}; write ${key}: ${plan[key]} (or leave out plan: for a set of other years)`,
              ),
            );
    }
    const clash = sets.findIndex(
      (x, j) => j < i && Math.max(x.base_year, t.base_year) < Math.min(x.end_year, t.end_year),
    );
    const other = sets[clash];
    if (other) {
      const from = Math.max(other.base_year, t.base_year) + 1;
      const to = Math.min(other.end_year, t.end_year);
      src.problems.push(
        src.problemAt(
          at(i),
          `target sets "${other.id}" (reports.targets[${clash}]) and "${t.id}" both cover ${from === to ? from : `${from}–${to}`}; a year is measured against one set: split their years or keep one`,
        ),
      );
    }
  });
}
