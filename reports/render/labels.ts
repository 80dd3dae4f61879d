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

/**
 * A status in words; a status this renderer does not know (the engine may add one, e.g.
 * `indicative`) is said by its status_text rather than left blank or shown as its key.
 */
export const statusWord = (status: string, text: string): string =>
  statusNames[status as Status] ?? (text || status);

/**
 * A status as the report prints it: for a year of an unpublished plan with no site targets,
 * 十五五目标未发布 — never 无目标 alone, which could read as a plan without that indicator.
 */
export function reportStatusWord(
  r: { plan: { short?: string; name: string; published?: boolean } | null },
  status: string,
  text: string,
): string {
  if (status === 'no_target' && r.plan && r.plan.published === false)
    return `${r.plan.short ?? r.plan.name}目标未发布`;
  return statusWord(status, text);
}

/** What the PDF says when the plan's targets were not checked against the published plan. */
export const PLAN_UNVERIFIED = '规划目标值尚未与正式文件逐项核对，达标评价仅供参考。';

/**
 * The plan's note as an officer reads it: the engine's note only when no plan applies; with a plan,
 * our own sentence when it is not verified (the engine's names files and flags) and whatever else
 * the engine says (e.g. that the baseline is not the plan's base year), without its unverified part.
 */
export function planNoteText(r: {
  plan: { verified: boolean; published?: boolean } | null;
  plan_note: string | null;
}): string | null {
  // an unpublished plan has no figures to verify: its note (目标未发布) is the whole story
  if (!r.plan || r.plan.published === false) return r.plan_note;
  const rest = (r.plan_note ?? '')
    .split('；')
    .map((p) => p.trim())
    .filter((p) => p && !/未经核对|未核对|verified|targets\.yaml/.test(p))
    .map((p) => (/[。！]$/.test(p) ? p : `${p}。`));
  const all = [...(r.plan.verified ? [] : [PLAN_UNVERIFIED]), ...rest];
  return all.length > 0 ? all.join('') : null;
}

/** Energy types (分类) as printed (GB/T 2589 names). */
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

/** A scope's coverage in words: 完整, 部分缺失, 缺数据. */
export const coverageNames: Record<Scope['coverage'], string> = {
  complete: '完整',
  partial: '部分缺失',
  missing: '缺数据',
};

/** An energy type's Chinese name; an unknown key as it is. */
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

const regionNames: Record<string, string> = { national: '全国', fujian: '福建', guangdong: '广东' };
const zhEnergy = (s: string) => s.replace(/\b([a-z_]+)\b/g, (w) => energyNames[w as EnergyType] ?? w);

/*
 * The engine names factors and writes some notes in English (reports/factors.ts, figures/convert.ts:
 * "grid electricity CO₂ national 2023", "no 2025 value; 2023 used"); the report reads Chinese, so
 * the known phrases are said in Chinese here. Anything else passes through unchanged.
 */
const phrases: [RegExp, string | ((...m: string[]) => string)][] = [
  [/^grid electricity CO₂ (\w+) (\d{4})/, (_, r = '', y = '') => `电网排放因子 ${regionNames[r] ?? r} ${y}`],
  [/^electricity 等价值 \((\d{4}) generation coal rate\)/, (_, y = '') => `电力 等价值（${y} 年发电煤耗）`],
  [/ \(organization override\)$/, '（本单位自定）'],
  [/^no value for (\d{4}) or earlier; (\d{4}) used$/, (_, a = '', b = '') => `${a} 年及以前无值，用 ${b} 年`],
  [/^no (\d{4}) value; (\d{4}) used$/, (_, a = '', b = '') => `${a} 年无值，用 ${b} 年`],
  [/^no (\w+) series; national used$/, (_, r = '') => `无${regionNames[r] ?? r}系列，用全国`],
  [/^replaces (.+)$/, (_, x = '') => `替代 ${x}`],
  [
    /^other energy entered in kgce: no CO₂ factor, not in the carbon total$/,
    '其他能源按 kgce 填报：无 CO₂ 系数，不计入碳排放',
  ],
  [
    /^(\w+): no CO₂ factor, not in the carbon total$/,
    (_, t = '') => `${energyName(t)}：无 CO₂ 系数，不计入碳排放`,
  ],
  [
    /^(\w+): ([\d.]+ %) estimated \(gaps, frozen or reset meters interpolated\)$/,
    (_, t = '', x = '') => `${energyName(t)}：${x} 为估算（缺测、冻结或复位期间插补）`,
  ],
  [
    /^metered data from (\S+) wins over the entry \((.*)\)$/,
    (_, d = '', src = '') => `${d} 起已有计量数据，以计量为准（${src}）`,
  ],
  // core/rollup/aggregate.ts's note on the virtual 分项 "other" and on sub-meters above the main meter
  [/main meter − Σ sub-meters \(未计量\/其他\)/, '总表减各分项表（未计量/其他）'],
  [
    /(\S+): sub-meters exceed the main meter by ([\d.]+)\s*(\S*)/g,
    (_, b = '', x = '', u = '') => `${b}：各分项表之和超出总表 ${x}${u ? ` ${u}` : ''}`,
  ],
  [/; /g, '；'],
  [/^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/, (_, a = '', b = '') => `${a} 至 ${b}`],
];

const storeNames: Record<string, string> = { embedded: '内置存储（SQLite）', influxdb: 'InfluxDB' };
/** The store a report's figures come from, in words. */
export const storeName = (kind: string): string => storeNames[kind] ?? kind;

/** "2026-01-15T09:30:00+08:00" as a person reads it: "2026-01-15 09:30 (UTC+08:00)". */
export function madeAt(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(iso);
  if (!m) return iso;
  const zone = m[3] === undefined ? '' : m[3] === 'Z' ? ' (UTC)' : ` (UTC${m[3]})`;
  return `${m[1]} ${m[2]}${zone}`;
}

/** A factor's name or an engine note in Chinese (see above); units with CO₂ written with the subscript. */
export function zh(s: string): string {
  let out = s;
  for (const [re, to] of phrases)
    out = typeof to === 'string' ? out.replace(re, to) : out.replace(re, to as never);
  return zhEnergy(out).replace(/CO2/g, 'CO₂');
}

/** A figure name without the English the engine adds after the Chinese ("综合能耗 energy" → "综合能耗"). */
export const zhName = (s: string): string => s.replace(/\s+[A-Za-z][A-Za-z ]*$/, '') || s;
