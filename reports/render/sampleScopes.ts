import type {
  Comparison,
  EnergyType,
  Scope,
  Status,
  TargetIndicator,
  TypeTotal,
  UsedFactor,
} from '../../core/reports/report.ts';
import { energyName } from './labels.ts';

/*
 * The scopes of a hand-made intensity report of the new contract (core/reports/report.ts) for the renderers'
 * tests and the committed sample PDF: 某市机关事务管理局, three buildings, 2025 against 2020,
 * 当量值. With `missingBill`, 档案楼's 2025 electricity bill was never entered. Every figure is
 * derived here from the quantities below with the factors below, so the fixture is consistent.
 */

const factor = (
  what: string,
  value: number,
  unit: string,
  source: string,
  verified: boolean,
  note?: string,
) => ({ what, value, unit, source, verified, ...(note ? { note } : {}) }) satisfies UsedFactor;

/** kgce and kgCO₂ per unit of each type used here (water is not converted). */
const KGCE: Partial<Record<EnergyType, number>> = {
  electricity: 0.1229,
  natural_gas: 1.2143,
  gasoline: 1.4714,
};
const KGCO2: Partial<Record<EnergyType, number>> = {
  electricity: 0.5306,
  natural_gas: 2.1622,
  gasoline: 2.9251,
};
const UNIT: Partial<Record<EnergyType, string>> = {
  electricity: 'kWh',
  water: 'm³',
  natural_gas: 'm³',
  gasoline: 'kg',
};

/** A quantity for a year, metered (m) or from entries (e); null: none at all (缺数据). */
export type Supply = { q: number; how: 'm' | 'e' } | null;
export interface SampleBuilding {
  id: string;
  name: string;
  area: number;
  headcount: number;
  factsText: string;
  year: Partial<Record<EnergyType, Supply>>;
  base: Partial<Record<EnergyType, number>>;
  notes: string[];
}

export function total(type: EnergyType, s: Supply, days: number): TypeTotal {
  const coverage = {
    days,
    metered_days: s?.how === 'm' ? days : 0,
    entered_days: s?.how === 'e' ? days : 0,
    share: s ? 1 : 0,
    estimated_share: 0,
    state: s ? ('complete' as const) : ('missing' as const),
  };
  const q = s?.q ?? null;
  const per = (f: number | undefined) => (q === null || f === undefined ? null : q * f);
  return {
    energy_type: type,
    quantity: q,
    unit: UNIT[type] ?? '',
    kgce: per(KGCE[type]),
    kgco2: per(KGCO2[type]),
    metered: s?.how === 'm' ? s.q : 0,
    entered: s?.how === 'e' ? s.q : 0,
    estimated: 0,
    coverage,
  };
}

const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
const sumOrNull = (xs: (number | null)[]) =>
  xs.some((x) => x === null) ? null : xs.reduce<number>((a, x) => a + (x ?? 0), 0);

export function scopeOf(
  id: string,
  name: string,
  area: number,
  people: number,
  totals: TypeTotal[],
  factsText: string,
): Scope {
  const energy = sumOrNull(totals.filter((t) => t.energy_type !== 'water').map((t) => t.kgce));
  const carbon = sumOrNull(totals.filter((t) => t.energy_type !== 'water').map((t) => t.kgco2));
  const q = (type: EnergyType) => totals.find((t) => t.energy_type === type)?.quantity ?? null;
  const states = totals.map((t) => t.coverage.state);
  return {
    id,
    name,
    floor_area_m2: area,
    headcount: people,
    facts_text: factsText,
    totals,
    energy_kgce: energy,
    carbon_kgco2: carbon,
    indicators: {
      energy_per_area_kgce_m2: ratio(energy, area),
      energy_per_capita_kgce: ratio(energy, people),
      water_per_capita_m3: ratio(q('water'), people),
      carbon_per_area_kgco2_m2: ratio(carbon, area),
      electricity_per_area_kwh_m2: ratio(q('electricity'), area),
    },
    coverage: states.every((s) => s === 'complete')
      ? 'complete'
      : states.every((s) => s === 'missing')
        ? 'missing'
        : 'partial',
    missing: totals
      .filter((t) => t.coverage.state === 'missing')
      .map((t) => ({
        building: id,
        energy_type: t.energy_type,
        from: '2025-01-01',
        to: '2025-12-31',
        share: 0,
        text: `${name}：${energyName(t.energy_type)} 2025-01-01 至 2025-12-31 无数据（未填报账单，也无计量）`,
      })),
    notes: [],
  };
}

/** 十四五 targets by 2025 against 2020, and the national 2020 levels (十四五公共机构节约能源资源工作规划). */
const TARGETS: Record<TargetIndicator, { target: number; national: number | null }> = {
  energy_per_area_kgce_m2: { target: -0.05, national: 18.48 },
  energy_per_capita_kgce: { target: -0.06, national: 329.56 },
  water_per_capita_m3: { target: -0.06, national: 21.53 },
  carbon_per_area_kgco2_m2: { target: -0.07, national: null },
};

export function compare(now: Scope, base: Scope): Comparison[] {
  return (Object.keys(TARGETS) as TargetIndicator[]).map((indicator) => {
    const value = now.indicators[indicator];
    const baseline = base.indicators[indicator];
    const change = value === null || baseline === null ? null : value / baseline - 1;
    const { target, national } = TARGETS[indicator];
    const status: Status =
      change === null || now.coverage !== 'complete'
        ? 'incomplete'
        : change <= target
          ? 'on_track'
          : 'at_risk';
    const text =
      status === 'incomplete'
        ? `缺数据：${now.missing.map((m) => m.text).join('；') || '本期数据不完整'}`
        : `变化 ${((change ?? 0) * 100).toFixed(2)}%，至本年目标 ${(target * 100).toFixed(2)}%`;
    return {
      scope: now.id,
      indicator,
      value,
      baseline,
      change,
      target,
      target_by_now: target,
      status,
      status_text: text,
      national_base: national,
    };
  });
}

const hqFacts =
  '300 人 2025-01-01 至 2025-06-30，400 人 2025-07-01 起，按天加权 350.4 人；建筑面积 12,000 m² 全年不变';
export const buildingsOf = (missingBill: boolean): SampleBuilding[] => [
  {
    id: 'hq',
    name: '综合楼',
    area: 12_000,
    headcount: 127_900 / 365,
    factsText: hqFacts,
    year: {
      electricity: { q: 1_020_000, how: 'm' },
      water: { q: 9_800, how: 'm' },
      natural_gas: { q: 36_000, how: 'e' },
    },
    base: { electricity: 1_100_000, water: 10_600, natural_gas: 39_000 },
    notes: ['电力 2025-03-02 至 2025-03-04 计量中断，按前后日均插补（估算 8,400 kWh）'],
  },
  {
    id: 'annex',
    name: '服务楼',
    area: 4_000,
    headcount: 120,
    factsText: '120 人、4,000 m² 全年不变',
    year: {
      electricity: { q: 310_000, how: 'e' },
      water: { q: 2_600, how: 'e' },
      gasoline: { q: 870, how: 'e' },
    },
    base: { electricity: 330_000, water: 2_900, gasoline: 900 },
    notes: [],
  },
  {
    id: 'archive',
    name: '档案楼',
    area: 6_000,
    headcount: 50,
    factsText: '50 人、6,000 m² 全年不变',
    year: { electricity: missingBill ? null : { q: 260_000, how: 'e' }, water: { q: 700, how: 'm' } },
    base: { electricity: 280_000, water: 760 },
    notes: missingBill ? ['电力 2025 年账单未填报：本期综合能耗与单位面积能耗为缺数据，不参与排名'] : [],
  },
];

export function organizationOf(id: string, name: string, scopes: Scope[], facts: string): Scope {
  const types = [...new Set(scopes.flatMap((s) => s.totals.map((t) => t.energy_type)))];
  const days = scopes[0]?.totals[0]?.coverage.days ?? 365;
  const totals = types.map((type) => {
    const parts = scopes.flatMap((s) => s.totals.filter((t) => t.energy_type === type));
    const q = sumOrNull(parts.map((t) => t.quantity));
    const t = total(type, q === null ? null : { q, how: 'm' }, days);
    const metered = parts.reduce((a, p) => a + p.metered, 0);
    return { ...t, metered, entered: q === null ? 0 : q - metered };
  });
  const area = scopes.reduce((a, s) => a + (s.floor_area_m2 ?? 0), 0);
  const people = scopes.reduce((a, s) => a + (s.headcount ?? 0), 0);
  const org = scopeOf(id, name, area, people, totals, facts);
  return { ...org, missing: scopes.flatMap((s) => s.missing) };
}

export const sampleFactors: UsedFactor[] = [
  factor('电力 折标准煤（当量值）', 0.1229, 'kgce/kWh', 'GB/T 2589-2020 附录 A', true),
  factor('天然气 折标准煤（气田）', 1.2143, 'kgce/m³', 'GB/T 2589-2020 附录 A', true),
  factor('汽油 折标准煤', 1.4714, 'kgce/kg', 'GB/T 2589-2020 附录 A', true),
  factor(
    '电网排放因子 全国 2023',
    0.5306,
    'kgCO₂/kWh',
    '生态环境部、国家统计局 2023 年电力二氧化碳排放因子',
    false,
    '2025 年无发布值，用 2023 年',
  ),
  factor('天然气 CO₂', 2.1622, 'kgCO₂/m³', 'GB/T 32150-2015 附录 B', false),
  factor('汽油 CO₂', 2.9251, 'kgCO₂/kg', 'GB/T 32150-2015 附录 B', false),
  factor('汽油密度', 0.725, 'kg/L', 'GB 17930-2016 车用汽油 20 ℃ 密度范围中值', false),
];
