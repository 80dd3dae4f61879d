import { z } from 'zod';
import type { LedgerKind } from '../../core/reports/port.ts';
import type { EnergyType } from '../../core/reports/report.ts';
import {
  energyTypeNames,
  energyTypes,
  energyUnits,
  isVolumeFuel,
  maxCostYuan,
  maxQuantity,
  unitAliases,
  unitsFor,
} from '../energy.ts';
import {
  type Cell,
  figure,
  isBlank,
  normalName,
  type Read,
  readDate,
  readNumber,
  readText,
} from './cells.ts';
import type { Densities } from './densities.ts';

/**
 * One zod schema per row kind — building facts and energy entries — that the CSV, XLSX and JSON
 * (API) paths share: a row is an object of raw cells keyed by column, and the schema reads,
 * checks and converts it. Column names in English or Chinese are data (`headerNames`).
 */

export const FACT_COLUMNS = ['building', 'effective_from', 'floor_area_m2', 'headcount'] as const;
export const ENTRY_COLUMNS = [
  'building',
  'period_start',
  'period_end',
  'energy_type',
  'quantity',
  'unit',
  'source',
  'cost_yuan',
] as const;
/** Columns a file or request may leave out. */
export const OPTIONAL_COLUMNS: readonly string[] = ['cost_yuan'];
export const columnsOf = (kind: LedgerKind): readonly string[] =>
  kind === 'facts' ? FACT_COLUMNS : ENTRY_COLUMNS;

/**
 * Header names accepted for each column besides its English name, as officers title them (the
 * first is what the XLSX template writes). A unit in brackets after the name is ignored when
 * matching ("费用(元)", "建筑面积（m²）").
 */
export const headerNames: Record<string, readonly string[]> = {
  building: ['建筑', '楼栋', '建筑名称', '建筑物'],
  period_start: ['开始日期', '起始日期', '开始'],
  period_end: ['结束日期', '截止日期', '终止日期', '结束'],
  energy_type: ['能源类型', '能源品种', '能源种类', '品种'],
  quantity: ['数量', '用量', '消费量', '实物量'],
  unit: ['单位', '计量单位'],
  source: ['来源', '数据来源'],
  cost_yuan: ['费用(元)', '费用', '金额'],
  effective_from: ['生效日期', '起始日期'],
  floor_area_m2: ['建筑面积(m²)', '建筑面积'],
  headcount: ['用能人数', '人数'],
};

/** The column a header names for `kind`, or undefined. */
export function columnOf(kind: LedgerKind, header: string): string | undefined {
  const h = normalName(header).replace(/\(.*\)$/, '');
  return columnsOf(kind).find(
    (c) => c === h || (headerNames[c] ?? []).some((n) => normalName(n).replace(/\(.*\)$/, '') === h),
  );
}

/** The source the template's example entry carries: importing it unchanged is refused. */
export const EXAMPLE_SOURCE = '示例：导入前删除或改写此行 (example: delete or overwrite this row)';
/** The building of the template's example fact (facts have no source column to mark it by). */
export const EXAMPLE_BUILDING = '示例 example';
const exampleRow = '这是模板的示例行：请删除，或改写为实际数据';

/** A building in the site file: rows may name it by id or by name. */
export interface BuildingRef {
  id: string;
  name: string;
}

/** What the schemas check against: the site's buildings and the fuel densities for litres. */
export interface SchemaContext {
  buildings: BuildingRef[];
  densities: Densities;
}

// An absent key reads as null, so that an optional column left out of the header is a blank cell
// (zod would otherwise refuse a missing key before the reader sees it).
const cell = <T>(read: (v: Cell) => Read<T>) =>
  z.preprocess(
    (v) => (v === undefined ? null : v),
    z.unknown().transform((v, ctx) => {
      const r = read(v);
      if (r.ok) return r.value;
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    }),
  );

const bounded = (what: string, ok: (n: number) => boolean) => (v: Cell) => {
  const r = readNumber(v, what);
  return r.ok && !ok(r.value.n) ? ({ ok: false, message: what } as const) : r;
};

function building(buildings: BuildingRef[]) {
  const list = buildings.map((b) => `${b.id}（${b.name}）`).join('、');
  return cell((v) => {
    const s = readText(v);
    const b = buildings.find((x) => x.id === s || x.name === s);
    if (s === EXAMPLE_BUILDING) return { ok: false, message: exampleRow };
    return b ? { ok: true, value: b.id } : { ok: false, message: `没有这个建筑；可用的建筑：${list}` };
  });
}

const energyType = cell((v): Read<EnergyType> => {
  const s = normalName(readText(v) ?? '');
  const t = energyTypes.find((k) => k === s || energyTypeNames[k].some((n) => normalName(n) === s));
  return t
    ? { ok: true, value: t }
    : {
        ok: false,
        message: `应为 ${energyTypes.join('、')} 之一（或 ${energyTypes.map((k) => energyTypeNames[k][0]).join('、')}）`,
      };
});

const unit = cell((v): Read<string> => {
  const s = (readText(v) ?? '').trim();
  // Own keys only: a cell "constructor" must not find Object's.
  const alias = [s, s.toLowerCase()].find((k) => Object.hasOwn(unitAliases, k));
  return { ok: true, value: alias === undefined ? s : (unitAliases[alias] ?? s) };
});

const source = cell((v): Read<string> => {
  const s = readText(v) ?? '';
  if (s === EXAMPLE_SOURCE) return { ok: false, message: exampleRow };
  return s && s.length <= 500
    ? { ok: true, value: s }
    : {
        ok: false,
        message: '请写明数据来源（账单、已报统计表等），不超过 500 字',
      };
});

const cost = cell((v): Read<number | null> => {
  if (isBlank(v)) return { ok: true, value: null };
  const r = bounded(
    `金额（元），应不小于 0 且不大于 ${maxCostYuan.toExponential()}`,
    (n) => n >= 0 && n <= maxCostYuan,
  )(v);
  if (!r.ok) return r;
  // Yuan to the 分, as a bill states it: a third decimal is a slipped digit or a unit price, not a
  // cost (the statistics return sums these). Float noise of an Excel cell (96000.1 stored as
  // 96000.09999…) is within the tolerance and is stored rounded.
  const fen = r.value.n * 100;
  if (Math.abs(Math.round(fen) - fen) > Math.max(1e-6, fen * 1e-15))
    return { ok: false, message: '金额（元）最多两位小数（到分）；单价请勿填入费用列' };
  return { ok: true, value: Math.round(fen) / 100 };
});

/** A building fact row: 建筑面积 and 用能人数 from a date on. */
export function factSchema(ctx: SchemaContext) {
  return z
    .object({
      building: building(ctx.buildings),
      effective_from: cell(readDate),
      floor_area_m2: cell((v) => {
        const r = bounded(
          '建筑面积（m²），应大于 0 且不大于 1e7（1000 万 m²，已超过任何院区）',
          (n) => n > 0 && n <= 1e7,
        )(v);
        return r.ok ? { ok: true, value: r.value.n } : r;
      }),
      headcount: cell((v) => {
        const r = bounded(
          '用能人数应为 1 至 1e6 的整数（站点文件要求人数为正）',
          (n) => Number.isInteger(n) && n >= 1 && n <= 1e6,
        )(v);
        return r.ok ? { ok: true, value: r.value.n } : r;
      }),
    })
    .strict();
}

/** An energy entry row, its quantity converted to the type's unit (litres by density). */
export function entrySchema(ctx: SchemaContext) {
  return z
    .object({
      building: building(ctx.buildings),
      period_start: cell(readDate),
      period_end: cell(readDate),
      energy_type: energyType,
      quantity: cell(bounded('应为不小于 0 的数', (n) => n >= 0)),
      unit,
      source,
      cost_yuan: cost,
    })
    .strict()
    .transform((r, zc) => {
      if (r.period_end < r.period_start)
        zc.addIssue({
          code: 'custom',
          path: ['period_end'],
          message: `早于 period_start ${r.period_start}`,
        });
      const converted = convert(r.energy_type, r.quantity.n, r.unit, ctx.densities);
      if (!converted.ok)
        zc.addIssue({ code: 'custom', path: [converted.column], message: converted.message });
      if (!converted.ok || r.period_end < r.period_start) return z.NEVER;
      const { quantity: _q, unit: _u, ...rest } = r;
      return { ...rest, ...converted.value, quantity_given: r.quantity.n, unit_given: r.unit };
    });
}

export type FactRow = z.output<ReturnType<typeof factSchema>>;
export type EntryRow = z.output<ReturnType<typeof entrySchema>>;

/** A quantity in `unit` → the type's unit, checked against 0 and the type's bound. */
function convert(
  t: EnergyType,
  given: number,
  unitGiven: string,
  densities: Densities,
):
  | { ok: true; value: { quantity: number; conversion: string | null } }
  | { ok: false; column: string; message: string } {
  const base = energyUnits[t].unit;
  const density = isVolumeFuel(t) && unitGiven === 'L' ? densities[t] : undefined;
  const accepts = energyUnits[t].accepts;
  const factor = density?.value ?? (Object.hasOwn(accepts, unitGiven) ? accepts[unitGiven] : undefined);
  if (factor === undefined)
    return {
      ok: false,
      column: 'unit',
      message: `${energyTypeNames[t][0]}的单位为 ${unitsFor(t).join(' 或 ')}`,
    };
  const quantity = given * factor;
  if (quantity > maxQuantity[t])
    return {
      ok: false,
      column: 'quantity',
      message: `${figure(quantity)} ${base} 超过一条记录的上限 ${maxQuantity[t].toExponential()} ${base}（约为大型院区年用量的 100 倍）；请核对单位和指数`,
    };
  const conversion = density
    ? `${figure(given)} 升 × ${density.value} 千克/升 = ${figure(quantity)} 千克（${energyTypeNames[t][0]}密度：${density.source}${density.verified ? '' : '，未核对'}）`
    : factor === 1
      ? null
      : `${figure(given)} ${unitGiven} × ${factor} = ${figure(quantity)} ${base}`;
  return { ok: true, value: { quantity, conversion } };
}
