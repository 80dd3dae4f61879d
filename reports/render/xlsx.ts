import ExcelJS from 'exceljs';
import type { IntensityReport } from '../../core/reports/report.ts';
import { indicatorLabels, scopeHeader, scopeRow, statusLabels, totalsRows } from './csv.ts';

/**
 * The report as an Excel workbook (exceljs), one sheet per view: 摘要 (period, basis, plan,
 * factors with sources), 指标 (indicators against baseline and target), 建筑 (per building and
 * organization), 分类 (totals by energy type), 排名与预测 (ranking, metered areas, full-year
 * projection), 说明 (data-quality notes and superseded entries).
 */
export async function reportXlsx(r: IntensityReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'jieneng';
  const bold = (row: ExcelJS.Row) => {
    row.font = { bold: true };
  };

  const summary = wb.addWorksheet('摘要 Summary');
  summary.columns = [
    { width: 22 },
    { width: 60 },
    { width: 14 },
    { width: 14 },
    { width: 70 },
    { width: 16 },
    { width: 30 },
  ];
  summary.addRow(['报告期 period', `${r.from} 至 ${r.to} (${r.days} 天)`]);
  summary.addRow(['折标方法 basis', r.basis_text]);
  if (r.plan)
    summary.addRow(['规划 plan', r.plan.name, r.plan.verified ? '已核对' : '未核对', '', r.plan.source]);
  summary.addRow([]);
  bold(
    summary.addRow([
      '系数 factor',
      '用途 what',
      '数值 value',
      '单位 unit',
      '来源 source',
      '核对 verified',
      '说明 note',
    ]),
  );
  for (const f of r.factors)
    summary.addRow([
      '',
      f.what,
      f.value,
      f.unit,
      f.source,
      f.verified ? '已核对 verified' : '未核对 not verified',
      f.note ?? '',
    ]);

  const ind = wb.addWorksheet('指标 Indicators');
  ind.columns = [
    { width: 34 },
    { width: 14 },
    { width: 14 },
    { width: 12 },
    { width: 12 },
    { width: 14 },
    { width: 20 },
    { width: 14 },
  ];
  bold(
    ind.addRow([
      '指标 indicator',
      '本期 value',
      `基准年 ${r.baseline_year ?? ''}`,
      '变化 change',
      '目标 target',
      '进度目标 by now',
      '状态 status',
      '全国2020 national',
    ]),
  );
  for (const c of r.comparisons) {
    const row = ind.addRow([
      indicatorLabels[c.indicator] ?? c.indicator,
      c.value,
      c.baseline,
      c.change,
      c.target,
      c.target_by_now,
      statusLabels[c.status],
      c.national_base,
    ]);
    for (const k of [4, 5, 6]) row.getCell(k).numFmt = '0.00%';
    for (const k of [2, 3]) row.getCell(k).numFmt = '0.000';
  }

  for (const pc of r.period_comparisons) {
    ind.addRow([]);
    bold(ind.addRow([pc.label, pc.base_text]));
    for (const f of pc.figures) {
      const row = ind.addRow([`${f.name} (${f.unit})`, f.value, f.base, f.change]);
      row.getCell(4).numFmt = '0.00%';
    }
  }

  const b = wb.addWorksheet('建筑 Buildings');
  b.columns = [
    { width: 14 },
    { width: 24 },
    { width: 14 },
    { width: 12 },
    { width: 16 },
    { width: 16 },
    ...Object.keys(indicatorLabels).map(() => ({ width: 22 })),
  ];
  bold(b.addRow(scopeHeader()));
  for (const s of r.buildings) b.addRow(scopeRow(s));
  bold(b.addRow(scopeRow(r.organization)));

  const t = wb.addWorksheet('分类 Energy types');
  t.columns = [
    { width: 14 },
    { width: 14 },
    { width: 16 },
    { width: 8 },
    { width: 14 },
    { width: 14 },
    { width: 14 },
    { width: 14 },
    { width: 14 },
  ];
  bold(
    t.addRow([
      '范围 scope',
      '能源 type',
      '用量 quantity',
      '单位',
      '折标 kgce',
      '碳排放 kgCO₂',
      '计量 metered',
      '填报 entered',
      '估算 estimated',
    ]),
  );
  for (const row of totalsRows(r)) t.addRow(row);

  const k = wb.addWorksheet('排名与预测 Ranking');
  k.columns = [{ width: 34 }, { width: 14 }, { width: 24 }, { width: 16 }, { width: 10 }];
  bold(k.addRow(['排名 ranking', '建筑 building', '名称 name', '数值 value', '名次 rank']));
  for (const [key, list] of Object.entries(r.ranking))
    for (const x of list) k.addRow([indicatorLabels[key] ?? key, x.building, x.name, x.value, x.rank]);
  if (r.areas.length > 0) {
    k.addRow([]);
    bold(k.addRow(['分区 area', '建筑 building', '名称 name', '电量 kWh', '单位面积电耗 kWh/m²']));
    for (const a of r.areas)
      k.addRow([a.area, a.building, a.name, a.electricity_kwh, a.electricity_per_area_kwh_m2]);
  }
  if (r.projection) {
    k.addRow([]);
    bold(k.addRow(['全年预测 projection', r.projection.year, r.projection.method_text]));
    k.addRow(['综合能耗 kgce', r.projection.energy_kgce]);
    k.addRow(['碳排放 kgCO₂', r.projection.carbon_kgco2]);
    k.addRow(['用水 m³', r.projection.water_m3]);
    for (const [key, v] of Object.entries(r.projection.indicators))
      k.addRow([indicatorLabels[key] ?? key, v]);
  }

  const n = wb.addWorksheet('说明 Notes');
  n.columns = [{ width: 14 }, { width: 100 }];
  bold(n.addRow(['范围 scope', '说明 note']));
  for (const s of [...r.buildings, r.organization]) for (const note of s.notes) n.addRow([s.id, note]);
  for (const e of r.entries_superseded)
    n.addRow([e.building, `${e.energy_type} ${e.period}: ${e.quantity.toFixed(3)} ${e.reason}`]);

  return Buffer.from(await wb.xlsx.writeBuffer());
}
