import { loadQuotaStandards, officeBenchmarkFor, type QuotaData, resolveQuota } from '../reports/quotas.ts';
import type { YamlSource } from './problems.ts';
import type { SiteConfig } from './siteSchema.ts';

/**
 * The site's quotas (`reports.quotas`) and office benchmarks (`reports.office_benchmarks`) against
 * reports/data/quotas.yaml (issue 18): each names a building of the site, a standard and category
 * the data file has (or its own figure and source), one quota per building and indicator, and a
 * GB/T 51161-2016 row for the building's climate zone. Every refusal names the building and what
 * is allowed.
 */
export function checkQuotas(
  src: YamlSource,
  config: SiteConfig,
  data: QuotaData = loadQuotaStandards(),
): void {
  const buildings = config.organization.buildings;
  const ids = buildings.map((b) => b.id).join(', ');
  const quotas = config.reports.quotas;
  quotas.forEach((q, i) => {
    const at = (key?: keyof typeof q) => ['reports', 'quotas', i, ...(key ? [key] : [])];
    if (!buildings.some((b) => b.id === q.building)) {
      src.problems.push(
        src.problemAt(
          at('building'),
          `定额 ${q.indicator}：没有建筑 "${q.building}"；建筑有：${ids} — quota ${q.indicator}: no building "${q.building}"; buildings are: ${ids}`,
        ),
      );
      return;
    }
    const earlier = quotas.findIndex((x) => x.building === q.building && x.indicator === q.indicator);
    if (earlier < i)
      src.problems.push(
        src.problemAt(
          at('indicator'),
          `建筑 "${q.building}" 的 ${q.indicator} 定额重复（首个在 reports.quotas[${earlier}]），每栋建筑每个指标一个定额 — building "${q.building}" has a second ${q.indicator} quota (first at reports.quotas[${earlier}]); one quota per building and indicator`,
        ),
      );
    const r = resolveQuota(q, data);
    if ('problem' in r) src.problems.push(src.problemAt(at(r.key), r.problem));
  });
  config.reports.office_benchmarks.forEach((o, i) => {
    const at = (key?: string) => ['reports', 'office_benchmarks', i, ...(key ? [key] : [])];
    const b = buildings.find((x) => x.id === o.building);
    if (!b) {
      src.problems.push(
        src.problemAt(
          at('building'),
          `办公建筑能耗指标：没有建筑 "${o.building}"；建筑有：${ids} — office benchmark: no building "${o.building}"; buildings are: ${ids}`,
        ),
      );
      return;
    }
    const row = officeBenchmarkFor(data, b.climate_zone, o.type, o.class);
    if ('problem' in row)
      src.problems.push(
        src.problemAt(
          at('class'),
          `建筑 "${o.building}"（${b.climate_zone}）在 GB/T 51161-2016 表中无对应值 — building "${o.building}": ${row.problem}`,
        ),
      );
  });
}
