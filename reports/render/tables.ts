import { levelName } from '../../core/reports/plans.ts';
import type { IntensityReport, Scope } from '../../core/reports/report.ts';
import {
  coverageNames,
  coverageWords,
  energyName,
  indicatorNames,
  madeAt,
  planNoteText,
  reportStatusWord,
  scopeName,
  storeName,
  zh,
} from './labels.ts';
import { coverageNote } from './missing.ts';
import { absent, type Cell, fig, MISSING, share, type Table } from './model.ts';

/** Every scope of the report: the buildings, then the organization. */
export const scopesOf = (r: IntensityReport): Scope[] => [...r.buildings, r.organization];

const yesNo = (verified: boolean) => (verified ? '已核对' : '未核对');

/**
 * The 摘要 rows that say which site file, data directory and store the figures come from: in CSV
 * and XLSX with the rest, in the PDF in the 数据来源 block at its end (page 1 is the officer's).
 */
export const ORIGIN_ROWS = ['站点文件', '数据目录', '数据存储'];

/**
 * The plan a report measures against, its years and base year, who set it and whether its figures
 * were checked: "十四五公共机构节约能源资源工作规划（2021–2025 年，基准年 2020，未核对）".
 */
export function planWords(p: NonNullable<IntensityReport['plan']>): string {
  const years = `${p.base_year + 1}–${p.end_year} 年，基准年 ${p.base_year}`;
  if (p.published === false) return `${p.name}（${years}，目标未发布）`;
  const who = p.origin === 'site' ? `，${levelName(p.level ?? 'organization')}设定` : '';
  return `${p.name}（${years}${who}，${yesNo(p.verified)}）`;
}

/** The overall status and why: "数据不完整：…"; a status said by its text alone is said once. */
function overallWords(r: IntensityReport): string {
  const word = reportStatusWord(r, r.status, r.status_text);
  return word === r.status_text || r.status_text.startsWith(word)
    ? r.status_text
    : `${word}：${r.status_text}`;
}

/**
 * The period as requested, both days included; a report ending today says up to which day it
 * counts (the engine's counted_to: today's day has not ended), so 共 N 天 matches the figures.
 */
function periodWords(r: IntensityReport): string {
  if (!r.counted_to) return `${r.from} 至 ${r.to}（含首尾，共 ${r.days} 天）`;
  const why = r.counted_text ?? `统计至 ${r.counted_to}`;
  return `${r.from} 至 ${r.to}（含首尾；${why}，计 ${r.days} 天）`;
}

/** 摘要: the title block — who, which period (both days included), on what basis, from which data. */
export function summaryTable(r: IntensityReport): Table {
  const o = r.origin;
  const rows: [string, string][] = [
    ['单位', r.organization.name],
    ['报告期', periodWords(r)],
    ['总体状态', overallWords(r)],
    ['折标方法', r.basis_text],
  ];
  if (r.coal_rate) rows.push(['等价值煤耗', r.coal_rate.text]);
  rows.push(['基准年', r.baseline_year === null ? '未设基准年' : String(r.baseline_year)]);
  if (r.baseline_basis) rows.push(['基准比较', r.baseline_basis.text]);
  if (r.plan) rows.push(['对照规划', planWords(r.plan)], ['规划来源', r.plan.source]);
  else rows.push(['对照规划', '无']);
  const planNote = planNoteText(r);
  if (planNote) rows.push(['规划说明', planNote]);
  rows.push(
    ['编制时间', madeAt(o.made_at) || '未记录'],
    ['站点文件', o.site_file || '未记录'],
    ['数据目录', o.data_dir || '未记录'],
    ['数据存储', storeName(o.store) || '未记录'],
  );
  return {
    name: '摘要',
    title: '报告信息',
    columns: [
      { header: '项目', kind: 'text' },
      { header: '内容', kind: 'text' },
    ],
    rows,
    notes: [],
  };
}

/** 指标: each scope's indicators against the baseline and the plan's target, with status in words. */
export function indicatorTable(r: IntensityReport): Table {
  const names = new Map(scopesOf(r).map((s) => [s.id, s.name]));
  const base = r.baseline_year === null ? '基准' : `基准 ${r.baseline_year}`;
  // a year of an unpublished plan: the target cells say so (十五五目标未发布), not just 无目标
  const noTarget = reportStatusWord(r, 'no_target', '无目标');
  const rows: Cell[][] = r.comparisons.map((c) => {
    const ind = indicatorNames[c.indicator];
    const noBase = c.baseline === null ? (r.baseline_year === null ? '无基准' : MISSING) : MISSING;
    // The engine gives no change for a partly covered side: said as 数据不全, never left blank.
    const noChange = c.value === null ? MISSING : c.baseline === null ? noBase : '数据不全';
    const cover = c.status === 'incomplete' ? coverageNote(r, c.scope, c.indicator) : '';
    const status = reportStatusWord(r, c.status, c.status_text);
    return [
      names.get(c.scope) ?? c.scope,
      ind.name,
      ind.unit,
      fig(c.value),
      fig(c.baseline, noBase),
      fig(c.change, noChange),
      fig(c.target, noTarget),
      fig(c.target_by_now, noTarget),
      cover ? `${status}（${cover}）` : status,
      c.status_text,
      fig(c.national_base, '无'),
    ];
  });
  return {
    name: '指标',
    title: '主要指标与目标',
    columns: [
      { header: '范围', kind: 'text' },
      { header: '指标', kind: 'text' },
      { header: '单位', kind: 'text' },
      { header: '本期', kind: 'number', digits: 3 },
      { header: base, kind: 'number', digits: 3 },
      { header: '变化', kind: 'percent' },
      { header: '规划目标', kind: 'percent' },
      { header: '本年目标', kind: 'percent' },
      { header: '状态', kind: 'text' },
      // In the PDF the reasons that the columns do not already show are notes, each said once.
      { header: '说明', kind: 'text', pdf: false },
      // The same for every scope: in the PDF a note under the table says it once.
      { header: `全国${r.plan?.base_year ?? ''}年`, kind: 'number', digits: 2, pdf: false },
    ],
    rows,
    notes: [
      '变化 = 本期 ÷ 基准 − 1；本年目标为规划目标按年线性分摊到报告年的部分。数据不完整时不判定达标。',
      ...(r.baseline_basis ? [r.baseline_basis.text] : []),
      // which grid CO₂ factor each year's 单位建筑面积碳排放 is on (absent in older reports)
      ...(r.grid_co2 ? [zh(r.grid_co2.text)] : []),
      ...nationalNote(r),
      ...new Set(
        r.comparisons
          .filter((c) => c.status === 'incomplete' || c.status === 'no_target')
          .map((c) => c.status_text),
      ),
    ],
  };
}

/** The national 2020 levels the plan quotes, once: "全国 2020 年水平：单位建筑面积能耗 18.48 kgce/m²，…". */
function nationalNote(r: IntensityReport): string[] {
  const levels = new Map<string, string>();
  for (const c of r.comparisons)
    if (c.national_base !== null) {
      const ind = indicatorNames[c.indicator];
      levels.set(c.indicator, `${ind.name} ${c.national_base} ${ind.unit}`);
    }
  const year = r.plan ? ` ${r.plan.base_year} 年` : '';
  return levels.size > 0 ? [`全国${year}水平（规划所列）：${[...levels.values()].join('，')}。`] : [];
}

/** Indicator names broken between their words where a narrow PDF column breaks them. */
const pdfHeaders: Record<string, string> = {
  人均用水量: '人均\n用水量',
  单位建筑面积碳排放: '单位建筑面积\n碳排放',
};

/** A headcount: whole people without decimals (560, 1,200), a time-weighted 350.4 with its one. */
function headcountCell(v: number | null): Cell {
  if (v === null || !Number.isFinite(v)) return absent(MISSING);
  const whole = Math.abs(v - Math.round(v)) < 0.05;
  return { n: v, kind: 'number', digits: whole ? 0 : 1 };
}

/** 建筑: per building and the organization — area, time-weighted headcount, totals, indicators. */
export function buildingTable(r: IntensityReport): Table {
  const keys = Object.keys(indicatorNames) as (keyof typeof indicatorNames)[];
  const rows: Cell[][] = scopesOf(r).map((s) => [
    scopeName(s),
    fig(s.floor_area_m2),
    headcountCell(s.headcount),
    fig(s.energy_kgce),
    fig(s.carbon_kgco2),
    ...keys.map((k) => fig(s.indicators[k])),
    coverageNames[s.coverage],
    s.facts_text,
  ]);
  return {
    name: '建筑',
    title: '分建筑指标',
    columns: [
      { header: '建筑', kind: 'text' },
      { header: '建筑面积', unit: 'm²', kind: 'number', digits: 0 },
      { header: '用能人数', unit: '人', kind: 'number', digits: 1 },
      { header: '综合能耗', unit: 'kgce', kind: 'number' },
      { header: '碳排放', unit: 'kgCO₂', kind: 'number' },
      ...keys.map((k) => ({
        header: indicatorNames[k].name,
        pdfHeader: pdfHeaders[indicatorNames[k].name],
        unit: indicatorNames[k].unit,
        kind: 'number' as const,
        digits: indicatorNames[k].digits,
      })),
      { header: '数据完整性', kind: 'text' },
      { header: '面积与人数', kind: 'text', pdf: false },
    ],
    rows,
    notes: [
      '建筑面积与用能人数按天加权：每个数值自其生效日起计，至下一个数值生效前一天止。',
      ...scopesOf(r).map((s) => `${s.name}：${s.facts_text}`),
    ],
  };
}

/** 分类: per scope and energy type — quantity, unit, kgce, share of the scope's total, coverage. */
export function energyTypeTable(r: IntensityReport): Table {
  const rows: Cell[][] = scopesOf(r).flatMap((s) =>
    s.totals.map((t) => {
      // No quantity (none at all, or a building's part missing from the organization's): 缺数据 throughout.
      const missing = t.coverage.state === 'missing' || t.quantity === null;
      const notConverted = t.energy_type === 'water' ? '不折标' : MISSING;
      const kgce = missing ? absent(MISSING) : fig(t.kgce, notConverted);
      const shareOf =
        missing || t.kgce === null
          ? absent(missing ? MISSING : notConverted)
          : s.energy_kgce === null || s.energy_kgce === 0
            ? absent('总量缺数据')
            : share(t.kgce / s.energy_kgce);
      return [
        s.name,
        energyName(t.energy_type),
        missing ? absent(MISSING) : fig(t.quantity),
        t.unit,
        kgce,
        shareOf,
        missing ? absent(MISSING) : fig(t.kgco2, '不计'),
        t.coverage.state === 'missing' ? absent(MISSING) : share(t.coverage.share),
      ];
    }),
  );
  return {
    name: '分类',
    title: '分类能耗（按能源品种）',
    columns: [
      { header: '范围', kind: 'text' },
      { header: '能源', kind: 'text' },
      { header: '用量', kind: 'number' },
      { header: '单位', kind: 'text' },
      { header: '折标准煤', unit: 'kgce', kind: 'number' },
      { header: '占综合能耗', kind: 'percent' },
      { header: '碳排放', unit: 'kgCO₂', kind: 'number' },
      { header: '覆盖率', kind: 'percent' },
    ],
    rows,
    notes: ['水以 m³ 计，不折标准煤，不计入综合能耗。'],
  };
}

/** 覆盖率: per building × energy type, the share of days backed by data; 缺数据 where none. */
export function coverageTable(r: IntensityReport): Table {
  const rows: Cell[][] = r.buildings.flatMap((s) =>
    s.totals.map((t) => {
      const c = t.coverage;
      return [
        s.name,
        energyName(t.energy_type),
        c.days,
        c.metered_days,
        c.entered_days,
        c.state === 'missing' ? absent(MISSING) : c.share,
        c.state === 'missing' ? absent(MISSING) : c.estimated_share,
        coverageWords(t),
      ];
    }),
  );
  const missing = scopesOf(r).flatMap((s) => s.missing.map((m) => m.text));
  return {
    name: '覆盖率',
    title: '数据覆盖率',
    columns: [
      { header: '建筑', kind: 'text' },
      { header: '能源', kind: 'text' },
      { header: '天数', kind: 'number', digits: 0 },
      { header: '计量天数', kind: 'number', digits: 0 },
      { header: '填报天数', kind: 'number', digits: 0 },
      { header: '覆盖率', kind: 'percent' },
      { header: '估算占比', kind: 'percent' },
      { header: '状态', kind: 'text' },
    ],
    rows,
    notes: [
      '覆盖率 = (计量天数 + 填报覆盖天数) ÷ 天数；估算占比为插补、冻结或复位期间估算的用量所占比例。',
      ...[...new Set(missing)],
    ],
  };
}
