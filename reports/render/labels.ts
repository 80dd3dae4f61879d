import type { EnergyType, Scope, Status, TargetIndicator, TypeTotal } from '../../core/reports/report.ts';

/** Indicator names and units as printed (zh-CN, GB/T 2589 and 十四五 terms). */
export const indicatorNames: Record<
  TargetIndicator | 'electricity_per_area_kwh_m2',
  { name: string; unit: string; digits: number }
> = {
  energy_per_area_kgce_m2: { name: '单位建筑面积能耗', unit: 'kgce/m²', digits: 3 },
  energy_per_capita_kgce: { name: '人均综合能耗', unit: 'kgce/人', digits: 2 },
  water_per_capita_m3: { name: '人均用水量', unit: 'm³/人', digits: 2 },
  carbon_per_area_kgco2_m2: { name: '单位建筑面积碳排放', unit: 'kgCO₂/m²', digits: 3 },
  electricity_per_area_kwh_m2: { name: '单位建筑面积电耗', unit: 'kWh/m²', digits: 2 },
};

/** Status in the words an officer files; the PDF also colours it, but the words carry it. */
export const statusNames: Record<Status, string> = {
  on_track: '达标进度内',
  at_risk: '有风险',
  incomplete: '数据不完整',
  no_target: '无目标',
};

export const energyNames: Record<EnergyType, string> = {
  electricity: '电力',
  water: '水',
  natural_gas: '天然气',
  gasoline: '汽油',
  diesel: '柴油',
  lpg: '液化石油气',
  heat: '外购热力',
  coal: '原煤',
  other_kgce: '其他能源（折标）',
};

/** 分项 (sub-items) of electricity, GB/T 51161 / 公共建筑分项计量 names. */
export const subitemNames: Record<string, string> = {
  lighting_socket: '照明插座用电',
  hvac: '空调用电',
  power: '动力用电',
  special: '特殊用电',
  other: '其他（未分项计量）',
};

export const coverageNames: Record<Scope['coverage'], string> = {
  complete: '完整',
  partial: '部分缺失',
  missing: '缺数据',
};

export const energyName = (t: EnergyType | string): string => energyNames[t as EnergyType] ?? t;

/** The coverage of one scope × energy type in words: "完整", "部分 (91.51%)", "缺数据". */
export function coverageWords(t: TypeTotal): string {
  if (t.coverage.state === 'complete') return '完整';
  if (t.coverage.state === 'missing') return '缺数据';
  return `部分 (${(t.coverage.share * 100).toFixed(2)}%)`;
}

/** A scope's name with its id when they differ: "服务楼 (annex)". */
export const scopeName = (s: { id: string; name: string }): string =>
  s.name && s.name !== s.id ? `${s.name} (${s.id})` : s.id;
