/**
 * The report's quota tables on the page (issue 18): 能耗定额 — indicator, quota and its basis, the
 * year to date, the prorated share, the projection, the status in words, the source and whether it
 * was verified — and GB/T 51161-2016 办公建筑基准. Pure: unit-tested in quotas.test.ts.
 */
import { num, pct, type Table, type Translate, text } from './model';
import type { IntensityReport } from './report';

export function quotaTables(r: IntensityReport, t: Translate): Table[] {
  const q = r.quotas;
  if (!q) return [];
  const verified = (v: boolean) => text(v ? t('reports.verified') : t('reports.unverified'));
  const tables: Table[] = [
    {
      id: 'quotas',
      title: t('reports.quota.title', { year: q.year, to: q.to }),
      note: q.notes.filter((n) => !n.startsWith('GB/T 51161')).join(' '),
      columns: [
        { key: 'building', label: t('reports.col.scope') },
        { key: 'indicator', label: t('reports.col.indicator') },
        { key: 'unit', label: t('reports.col.unit') },
        { key: 'quota', label: t('reports.quota.quota'), numeric: true },
        { key: 'basis', label: t('reports.quota.basis'), wide: true },
        { key: 'ytd', label: t('reports.quota.ytd'), numeric: true },
        { key: 'share', label: t('reports.quota.share'), numeric: true },
        { key: 'prorated', label: t('reports.quota.prorated'), numeric: true },
        { key: 'projection', label: t('reports.quota.projection'), numeric: true },
        { key: 'ratio', label: t('reports.quota.ratio'), numeric: true },
        { key: 'status', label: t('reports.col.status') },
        { key: 'method', label: t('reports.quota.method'), wide: true },
        { key: 'source', label: t('reports.quota.source'), wide: true },
        { key: 'verified', label: t('reports.quota.verified') },
      ],
      rows: q.rows.map((x) => ({
        building: text(x.name),
        indicator: text(x.indicator_name),
        unit: text(x.unit),
        quota: num(x.quota),
        basis: text(x.standard ? `${x.standard} ${x.category ?? ''} ${x.level_name}` : x.level_name),
        ytd: num(x.ytd),
        share: pct(x.share),
        prorated: num(x.prorated),
        projection: num(x.projection),
        ratio: pct(x.ratio),
        status: text(x.rating ? `${x.status_zh}（${x.rating}）` : x.status_zh),
        method: text(x.method_text),
        source: text(x.source),
        verified: verified(x.verified),
      })),
    },
  ];
  if (q.benchmarks.length > 0)
    tables.push({
      id: 'office-benchmarks',
      title: t('reports.quota.benchmarkTitle'),
      note: q.notes.filter((n) => n.startsWith('GB/T 51161')).join(' '),
      columns: [
        { key: 'building', label: t('reports.col.scope') },
        { key: 'kind', label: t('reports.quota.kind') },
        { key: 'limit', label: t('reports.quota.limit'), numeric: true },
        { key: 'guide', label: t('reports.quota.guide'), numeric: true },
        { key: 'value', label: t('reports.quota.electricity'), numeric: true },
        { key: 'status', label: t('reports.col.status') },
        { key: 'source', label: t('reports.quota.source'), wide: true },
        { key: 'verified', label: t('reports.quota.verified') },
      ],
      rows: q.benchmarks.map((b) => ({
        building: text(b.name),
        kind: text(`${t(`reports.quota.type.${b.type}`)} ${b.class} · ${t(`reports.quota.zone.${b.zone}`)}`),
        limit: num(b.limit, 0),
        guide: num(b.guide, 0),
        value: num(b.value, 1),
        status: text(b.status_zh),
        source: text(b.note ? `${b.source}（${b.note}）` : b.source),
        verified: verified(b.verified),
      })),
    });
  return tables;
}
