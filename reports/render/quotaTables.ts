import type { IntensityReport } from '../../core/reports/report.ts';
import { type Cell, fig, share, type Table } from './model.ts';

const zoneZh: Record<string, string> = {
  severe_cold: '严寒',
  cold: '寒冷',
  hot_summer_cold_winter: '夏热冬冷',
  hot_summer_warm_winter: '夏热冬暖',
  mild: '温和',
};

/**
 * 定额 and 办公建筑基准 (issue 18): the report's quota rows (indicator, quota, year to date, prorated
 * share, projection, status, source, verified) and the GB/T 51161-2016 office comparison, in the
 * same model every format draws; none when the site sets no quota.
 */
export function quotaTables(r: IntensityReport): Table[] {
  const q = r.quotas;
  if (!q) return [];
  const quotaRows = q.rows.map((x): Cell[] => [
    x.name,
    x.indicator_name,
    x.unit,
    x.quota,
    x.standard ? `${x.standard} ${x.category ?? ''} ${x.level_name}` : x.level_name,
    fig(x.ytd),
    share(x.share),
    x.prorated,
    fig(x.projection),
    share(x.ratio),
    x.rating ? `${x.status_zh}（${x.rating}）` : x.status_zh,
    x.method === 'days' ? '按天数（上年缺数据）' : '按上年逐月',
    x.source,
    x.verified ? '已核对' : '未核对',
  ]);
  const tables: Table[] = [
    {
      name: '定额',
      title: `${q.year} 年能耗定额（1 月 1 日至 ${q.to}）`,
      columns: [
        { header: '建筑', kind: 'text' },
        { header: '指标', kind: 'text' },
        { header: '单位', kind: 'text' },
        { header: '定额', kind: 'number' },
        { header: '定额依据', kind: 'text' },
        { header: '本年至今', kind: 'number' },
        { header: '分摊比例', kind: 'percent' },
        { header: '按进度应用定额', kind: 'number', pdfHeader: '按进度\n应用定额' },
        { header: '预计全年', kind: 'number' },
        { header: '占按进度定额', kind: 'percent', pdfHeader: '占按进度\n定额' },
        { header: '状态（预计全年评级）', kind: 'text', pdfHeader: '状态\n（评级）' },
        { header: '分摊方法', kind: 'text' },
        { header: '来源', kind: 'text' },
        { header: '核对', kind: 'text' },
      ],
      rows: quotaRows,
      notes: [
        ...q.notes.filter((n) => !n.startsWith('GB/T 51161')),
        ...new Set(
          q.rows.flatMap((x) => [
            x.method_text,
            ...(x.basis_text ? [`${x.indicator_name}：${x.basis_text}`] : []),
          ]),
        ),
      ],
    },
  ];
  if (q.benchmarks.length > 0)
    tables.push({
      name: '办公建筑基准',
      title: 'GB/T 51161-2016 办公建筑非供暖能耗指标（第二基准）',
      columns: [
        { header: '建筑', kind: 'text' },
        { header: '类型', kind: 'text' },
        { header: '气候区', kind: 'text' },
        { header: '约束值', kind: 'number', unit: 'kWh/m²' },
        { header: '引导值', kind: 'number', unit: 'kWh/m²' },
        { header: '预计全年用电', kind: 'number', unit: 'kWh/m²' },
        { header: '结论', kind: 'text' },
        { header: '来源', kind: 'text' },
        { header: '核对', kind: 'text' },
      ],
      rows: q.benchmarks.map((b): Cell[] => [
        b.name,
        `${b.type === 'government' ? '党政机关办公' : '商业办公'} ${b.class} 类`,
        zoneZh[b.zone] ?? b.zone,
        b.limit,
        b.guide,
        fig(b.value),
        b.status_zh,
        b.note ? `${b.source}（${b.note}）` : b.source,
        b.verified ? '已核对' : '未核对',
      ]),
      notes: q.notes.filter((n) => n.startsWith('GB/T 51161')),
    });
  return tables;
}
