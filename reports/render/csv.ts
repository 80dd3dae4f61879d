import type { Comparison, IntensityReport, Scope } from '../../core/reports/report.ts';

/** Indicator names as printed: zh-CN first, then the JSON name. */
export const indicatorLabels: Record<string, string> = {
  energy_per_area_kgce_m2: '单位建筑面积能耗 (kgce/m²)',
  energy_per_capita_kgce: '人均综合能耗 (kgce/人)',
  water_per_capita_m3: '人均用水量 (m³/人)',
  carbon_per_area_kgco2_m2: '单位建筑面积碳排放 (kgCO₂/m²)',
  electricity_per_area_kwh_m2: '单位建筑面积电耗 (kWh/m²)',
};

export const statusLabels: Record<Comparison['status'], string> = {
  on_track: '达标进度内 on track',
  at_risk: '有风险 at risk',
  no_data: '无数据 no data',
};

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? String(Math.round(v * 1e6) / 1e6) : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

type Cell = string | number | null | undefined;

/** Header of the table of scopes (buildings, then the organization): the same in CSV and XLSX. */
export const scopeHeader = (): Cell[] => [
  '范围 scope',
  '名称 name',
  '建筑面积 m²',
  '用能人数',
  '综合能耗 kgce',
  '碳排放 kgCO₂',
  ...Object.values(indicatorLabels),
];

export const scopeRow = (s: Scope): Cell[] => [
  s.id,
  s.name,
  s.floor_area_m2,
  s.headcount,
  s.energy_kgce,
  s.carbon_kgco2,
  ...Object.keys(indicatorLabels).map((k) => s.indicators[k as keyof Scope['indicators']]),
];

/** One row per scope and energy type (分类): quantity, kgce, CO₂ and where it came from. */
export const totalsRows = (r: IntensityReport): Cell[][] =>
  [...r.buildings, r.organization].flatMap((s) =>
    s.totals.map((t) => [
      s.id,
      t.energy_type,
      t.quantity,
      t.unit,
      t.kgce,
      t.kgco2,
      t.metered,
      t.entered,
      t.estimated,
    ]),
  );

const line = (cells: Cell[]) => cells.map(cell).join(',');
const pct = (x: number | null) => (x === null ? null : `${(x * 100).toFixed(2)} %`);

/**
 * The report as CSV for Excel: UTF-8 with a BOM (so Excel opens the Chinese intact), CRLF line
 * ends, the electricity basis and the factors' sources on the first lines, then one table per view.
 */
export function reportCsv(r: IntensityReport): string {
  const out: string[] = [];
  out.push(line(['报告期 period', `${r.from} 至 ${r.to} (${r.days} 天)`]));
  out.push(line(['折标方法 basis', r.basis_text]));
  if (r.plan)
    out.push(line(['规划 plan', r.plan.name, r.plan.verified ? '已核对 verified' : '未核对 not verified']));
  for (const f of r.factors)
    out.push(
      line([
        '系数 factor',
        f.what,
        f.value,
        f.unit,
        f.source,
        f.verified ? '已核对 verified' : '未核对 not verified',
        f.note ?? '',
      ]),
    );
  out.push('');
  out.push(
    line([
      '指标 indicator',
      '本期 value',
      `基准年 ${r.baseline_year ?? ''}`,
      '变化 change',
      '目标 target',
      '进度目标 target by now',
      '状态 status',
      '全国2020 national',
    ]),
  );
  for (const c of r.comparisons)
    out.push(
      line([
        indicatorLabels[c.indicator] ?? c.indicator,
        c.value,
        c.baseline,
        pct(c.change),
        pct(c.target),
        pct(c.target_by_now),
        statusLabels[c.status],
        c.national_base,
      ]),
    );
  for (const pc of r.period_comparisons) {
    out.push('');
    out.push(line([pc.label, pc.base_text]));
    out.push(line(['项目 item', '本期 value', '基期 base', '变化 change', '单位 unit']));
    for (const f of pc.figures) out.push(line([f.name, f.value, f.base, pct(f.change), f.unit]));
  }
  out.push('');
  out.push(line(scopeHeader()));
  for (const b of r.buildings) out.push(line(scopeRow(b)));
  out.push(line(scopeRow(r.organization)));
  out.push('');
  out.push(
    line([
      '范围 scope',
      '能源 energy type',
      '用量 quantity',
      '单位 unit',
      '折标 kgce',
      '碳排放 kgCO₂',
      '计量 metered',
      '填报 entered',
      '估算 estimated',
    ]),
  );
  for (const row of totalsRows(r)) out.push(line(row));
  if (r.subitems.some((x) => x.value > 0)) {
    out.push('');
    out.push(line(['分项 sub-item (electricity)', '电量 kWh', '估算 estimated', '说明 note']));
    for (const x of r.subitems) out.push(line([x.key, x.value, x.estimated, x.note ?? '']));
  }
  out.push('');
  out.push(line(['排名 ranking', '建筑 building', '名称 name', '数值 value', '名次 rank']));
  for (const x of r.ranking.energy_per_area_kgce_m2)
    out.push(line([indicatorLabels.energy_per_area_kgce_m2, x.building, x.name, x.value, x.rank]));
  for (const x of r.ranking.water_per_capita_m3)
    out.push(line([indicatorLabels.water_per_capita_m3, x.building, x.name, x.value, x.rank]));
  if (r.areas.length > 0) {
    out.push('');
    out.push(
      line([
        '分区 area',
        '建筑 building',
        '名称 name',
        '面积 m²',
        '电量 kWh',
        '估算 kWh',
        '单位面积电耗 kWh/m²',
      ]),
    );
    for (const a of r.areas)
      out.push(
        line([
          a.area,
          a.building,
          a.name,
          a.floor_area_m2,
          a.electricity_kwh,
          a.estimated_kwh,
          a.electricity_per_area_kwh_m2,
        ]),
      );
  }
  if (r.projection) {
    const p = r.projection;
    out.push('');
    out.push(line(['全年预测 projection', p.year, p.method_text]));
    out.push(line(['综合能耗 kgce', p.energy_kgce]));
    out.push(line(['碳排放 kgCO₂', p.carbon_kgco2]));
    out.push(line(['用水 m³', p.water_m3]));
    for (const [k, v] of Object.entries(p.indicators)) out.push(line([indicatorLabels[k] ?? k, v]));
  }
  const notes = [...r.buildings, r.organization].flatMap((s) => s.notes.map((n) => [s.id, n]));
  if (notes.length > 0 || r.entries_superseded.length > 0) {
    out.push('');
    out.push(line(['说明 notes']));
    for (const [id, n] of notes) out.push(line([id, n]));
    for (const e of r.entries_superseded)
      out.push(line([e.building, `${e.energy_type} ${e.period}: ${e.quantity} ${e.reason}`]));
  }
  return `\uFEFF${out.join('\r\n')}\r\n`;
}
