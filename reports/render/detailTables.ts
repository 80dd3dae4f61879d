import type { IntensityReport } from '../../core/reports/report.ts';
import { energyName, indicatorNames, planNoteText, subitemNames, zh, zhName } from './labels.ts';
import { absent, type Cell, fig, MISSING, share, type Table } from './model.ts';
import { scopesOf } from './tables.ts';

const NO_BASE = '无基期数据';
/** A base the engine left out (null) although some of it is covered: not 无基期数据. */
const PARTIAL_BASE = '基期数据不全';

/**
 * 同比环比: each comparison names its base period; 无基期数据 where the base has none, 基期数据不全
 * where the engine left a partly covered base out; 环比 said once.
 */
export function periodTable(r: IntensityReport): Table {
  const rows: Cell[][] = [];
  const notes: string[] = [];
  for (const pc of r.period_comparisons) {
    if (pc.same_as) {
      // A whole year's 环比 is its 同比: said once, in the engine's words, with no rows of its own.
      notes.push(pc.base_text);
      continue;
    }
    notes.push(pc.base_text);
    for (const f of pc.figures) {
      const noBase = f.base_coverage > 0 ? PARTIAL_BASE : NO_BASE;
      rows.push([
        pc.label,
        `${pc.base_from} 至 ${pc.base_to}`,
        zhName(f.name),
        f.unit,
        fig(f.value),
        fig(f.base, noBase),
        // no change for a partly covered side (the engine's null): 数据不全, never blank
        fig(f.change, f.base === null ? noBase : f.value === null ? MISSING : '数据不全'),
        f.coverage > 0 ? f.coverage : absent(MISSING),
        f.base_coverage > 0 ? f.base_coverage : absent(NO_BASE),
      ]);
    }
  }
  return {
    name: '同比环比',
    title: '同比与环比',
    columns: [
      { header: '比较', kind: 'text' },
      { header: '基期', kind: 'text' },
      { header: '项目', kind: 'text' },
      { header: '单位', kind: 'text' },
      { header: '本期', kind: 'number' },
      { header: '基期值', kind: 'number' },
      { header: '变化', kind: 'percent' },
      { header: '本期覆盖率', kind: 'percent' },
      { header: '基期覆盖率', kind: 'percent' },
    ],
    rows,
    notes,
  };
}

/** 分项: electricity by sub-item, with the virtual remainder so they add up to the main meters. */
export function subitemTable(r: IntensityReport): Table {
  const total = r.subitems.reduce((a, x) => a + (x.value ?? 0), 0);
  return {
    name: '分项',
    title: '用电分项',
    columns: [
      { header: '分项', kind: 'text' },
      { header: '分项编码', kind: 'text' },
      { header: '电量', kind: 'number' },
      { header: '单位', kind: 'text' },
      { header: '其中估算', kind: 'number' },
      { header: '占比', kind: 'percent' },
      { header: '覆盖率', kind: 'percent' },
      { header: '说明', kind: 'text' },
    ],
    rows: r.subitems.map((x) => [
      subitemNames[x.key] ?? x.key,
      x.item_code ?? '',
      x.value ?? absent(MISSING),
      x.unit ?? 'kWh',
      x.value === null ? absent(MISSING) : x.estimated,
      total > 0 && x.value !== null ? x.value / total : absent(MISSING),
      x.coverage ?? '', // not known for rows made before coverage was kept
      subitemNote(x),
    ]),
    notes: r.subitems.length === 0 ? ['本期无分项计量数据。'] : [],
  };
}

/**
 * 分项编码: electricity by national item code (2008 导则) when the site codes a meter below the
 * sub-item (01B1C 冷机 …); the codes of a sub-item add up to its row of 分项. Undefined otherwise:
 * the 分项 table already shows each sub-item's code.
 */
export function itemCodeTable(r: IntensityReport): Table | undefined {
  const sub = new Set(r.subitems.map((x) => x.item_code).filter(Boolean));
  if (r.item_codes.every((x) => x.code === 'other' || sub.has(x.code))) return undefined;
  const total = r.item_codes.reduce((a, x) => a + (x.value ?? 0), 0);
  return {
    name: '分项编码',
    title: '用电分项（按分项编码）',
    columns: [
      { header: '分项编码', kind: 'text' },
      { header: '名称', kind: 'text' },
      { header: '上级编码', kind: 'text' },
      { header: '分项', kind: 'text' },
      { header: '电量', kind: 'number' },
      { header: '单位', kind: 'text' },
      { header: '其中估算', kind: 'number' },
      { header: '占比', kind: 'percent' },
      { header: '覆盖率', kind: 'percent' },
      { header: '说明', kind: 'text' },
    ],
    rows: r.item_codes.map((x) => [
      x.code === 'other' ? '' : x.code,
      x.name,
      x.parent ?? '',
      x.subitem ? (subitemNames[x.subitem] ?? x.subitem) : '',
      x.value ?? absent(MISSING),
      x.unit ?? 'kWh',
      x.value === null ? absent(MISSING) : x.estimated,
      total > 0 && x.value !== null ? x.value / total : absent(MISSING),
      x.coverage ?? '',
      subitemNote({ ...x, key: x.code }),
    ]),
    notes: [
      '编码依 2008《分项能耗数据采集技术导则》；分项以下的一级、二级子项各厂家编号不一，仅供本单位内部对比。',
    ],
  };
}

/** A 分项's note in Chinese (core's aggregate writes the virtual other's in English), said once. */
function subitemNote(x: IntensityReport['subitems'][number]): string {
  const note = x.note ? zh(x.note) : '';
  const virtual = x.virtual && !note.startsWith('总表减各分项表') ? '总表减各分项表' : '';
  return [virtual, note].filter(Boolean).join('；');
}

/** 排名: lowest first (能效/水效领跑者); a building whose figure is not complete is not ranked. */
export function rankingTable(r: IntensityReport): Table {
  const rows: Cell[][] = [];
  for (const key of ['energy_per_area_kgce_m2', 'water_per_capita_m3'] as const)
    for (const x of r.ranking[key])
      rows.push([indicatorNames[key].name, indicatorNames[key].unit, x.rank, x.name, x.value, '']);
  for (const u of r.ranking.unranked) {
    const ind = indicatorNames[u.indicator as keyof typeof indicatorNames];
    rows.push([
      ind?.name ?? u.indicator,
      ind?.unit ?? '',
      absent('不排名'),
      u.name,
      absent(MISSING),
      u.reason,
    ]);
  }
  return {
    name: '排名',
    title: '建筑排名（低者为优）',
    columns: [
      { header: '指标', kind: 'text' },
      { header: '单位', kind: 'text' },
      { header: '名次', kind: 'number', digits: 0 },
      { header: '建筑', kind: 'text' },
      { header: '数值', kind: 'number', digits: 3 },
      { header: '说明', kind: 'text' },
    ],
    rows,
    notes: [],
  };
}

/** 分区: the areas (floors, zones) with their own meters, reported apart from their building. */
export function areaTable(r: IntensityReport): Table {
  return {
    name: '分区',
    title: '分区用电',
    columns: [
      { header: '建筑', kind: 'text' },
      { header: '分区', kind: 'text' },
      { header: '面积', unit: 'm²', kind: 'number', digits: 0 },
      { header: '电量', unit: 'kWh', kind: 'number' },
      { header: '其中估算', unit: 'kWh', kind: 'number' },
      { header: '单位面积电耗', unit: 'kWh/m²', kind: 'number' },
    ],
    rows: r.areas.map((a) => [
      nameOf(r, a.building),
      a.name,
      a.floor_area_m2,
      a.electricity_kwh,
      a.estimated_kwh,
      a.electricity_per_area_kwh_m2,
    ]),
    notes: [],
  };
}

/** 预测: the full-year projection of a year to date, its method, the coverage it rests on and its warning. */
export function projectionTable(r: IntensityReport): Table {
  const p = r.projection;
  const columns = [
    { header: '项目', kind: 'text' as const },
    { header: '数值', kind: 'number' as const },
    { header: '单位', kind: 'text' as const },
  ];
  if (!p)
    return {
      name: '预测',
      title: '全年预测',
      columns,
      rows: [],
      notes: ['报告期不是年初至今，无全年预测。'],
    };
  const rows: Cell[][] = [
    ['年份', String(p.year), ''],
    ['已过天数', p.days_elapsed, `天（全年 ${p.days_in_year} 天）`],
    ['本年至今覆盖率', share(p.coverage.ytd), ''],
    ['上年同期覆盖率', share(p.coverage.previous_same), ''],
    ['上年全年覆盖率', share(p.coverage.previous_full), ''],
    ['预测综合能耗', fig(p.energy_kgce), 'kgce'],
    ['预测碳排放', fig(p.carbon_kgco2), 'kgCO₂'],
    ['预测用水量', fig(p.water_m3), 'm³'],
    ...(Object.keys(p.indicators) as (keyof typeof p.indicators)[]).map((k): Cell[] => [
      `预测${indicatorNames[k].name}`,
      fig(p.indicators[k]),
      indicatorNames[k].unit,
    ]),
  ];
  const method = p.method === 'linear' ? '按天线性外推' : '按上年同期占全年比例';
  return {
    name: '预测',
    title: `${p.year} 年全年预测`,
    columns,
    rows,
    notes: [`方法：${method}。${p.method_text}`, ...(p.warning ? [`注意：${p.warning}`] : [])],
  };
}

/** 系数: every factor used, with its source and whether it was checked against the published figure. */
export function factorTable(r: IntensityReport): Table {
  return {
    name: '系数',
    title: '折标及排放系数',
    columns: [
      { header: '用途', kind: 'text' },
      { header: '数值', kind: 'number', digits: 4 },
      { header: '单位', kind: 'text' },
      { header: '来源', kind: 'text' },
      { header: '核对', kind: 'text' },
      { header: '说明', kind: 'text' },
    ],
    rows: r.factors.map((f) => [
      zh(f.what),
      f.value,
      zh(f.unit),
      f.source,
      f.verified ? '已核对' : '未核对',
      f.note ? zh(f.note) : '',
    ]),
    notes: r.coal_rate ? [r.coal_rate.text] : [],
  };
}

/** 填报数据: the entries that went into the figures, as entered and as counted, with their sources. */
export function entryTable(r: IntensityReport): Table {
  return {
    name: '填报数据',
    title: '计入的填报数据',
    columns: [
      { header: '建筑', kind: 'text' },
      { header: '能源', kind: 'text' },
      { header: '账期', kind: 'text' },
      { header: '填报量', kind: 'text' },
      { header: '折算量', kind: 'number' },
      { header: '计入量', kind: 'number' },
      { header: '单位', kind: 'text' },
      { header: '计入期间', kind: 'text' },
      { header: '来源与换算', kind: 'text' },
    ],
    rows: r.entries_used.map((e) => [
      nameOf(r, e.building),
      energyName(e.energy_type),
      `${e.period_start} 至 ${e.period_end}`,
      e.quantity_given === undefined
        ? ''
        : `${e.quantity_given.toLocaleString('en-US')} ${e.unit_given ?? ''}`.trim(),
      e.quantity,
      e.counted_quantity,
      unitOf(r, e.building, e.energy_type),
      e.counted_from === e.period_start && e.counted_to === e.period_end
        ? '全部'
        : `${e.counted_from} 至 ${e.counted_to}`,
      [e.source, e.conversion ?? ''].filter(Boolean).join('；'),
    ]),
    notes: r.entries_used.length === 0 ? ['本期没有计入填报数据。'] : [],
  };
}

const nameOf = (r: IntensityReport, id: string) => r.buildings.find((b) => b.id === id)?.name ?? id;

function unitOf(r: IntensityReport, building: string, type: string): string {
  const scope = r.buildings.find((b) => b.id === building) ?? r.organization;
  return scope.totals.find((t) => t.energy_type === type)?.unit ?? '';
}

/** 说明: every note of every table and scope, the missing items, and the superseded entries. */
export function notesTable(r: IntensityReport, tables: Table[]): Table {
  const rows: Cell[][] = [];
  const planNote = planNoteText(r);
  if (planNote) rows.push(['规划', planNote]);
  for (const t of tables) for (const n of t.notes) rows.push([t.name, n]);
  for (const s of scopesOf(r)) for (const n of s.notes) rows.push([s.name, zh(n)]);
  for (const e of r.entries_superseded)
    rows.push([
      nameOf(r, e.building),
      `${energyName(e.energy_type)} ${zh(e.period)}：${e.quantity.toLocaleString('en-US')} ${unitOf(r, e.building, e.energy_type)} 未计入，${zh(e.reason)}`,
    ]);
  return {
    name: '说明',
    title: '数据质量与说明',
    columns: [
      { header: '范围', kind: 'text' },
      { header: '说明', kind: 'text' },
    ],
    rows,
    notes: [],
  };
}
