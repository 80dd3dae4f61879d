import type { EnergyType, IntensityReport, Scope } from '../../core/reports/report.ts';
import { buildingsOf, compare, organizationOf, sampleFactors, scopeOf, total } from './sampleScopes.ts';

const ORG = { id: 'city-agency', name: '某市机关事务管理局' };

function scopes(missingBill: boolean, year: 'now' | 'base'): { buildings: Scope[]; organization: Scope } {
  const days = year === 'now' ? 365 : 366;
  const buildings = buildingsOf(missingBill).map((b) => {
    const supplies =
      year === 'now'
        ? b.year
        : Object.fromEntries(Object.entries(b.base).map(([t, q]) => [t, { q, how: 'e' as const }]));
    const totals = Object.entries(supplies).map(([t, s]) => total(t as EnergyType, s ?? null, days));
    const people = year === 'now' ? b.headcount : b.id === 'hq' ? 300 : b.headcount;
    const facts =
      year === 'now'
        ? b.factsText
        : `${Math.round(people)} 人、${b.area.toLocaleString('en-US')} m² 全年不变`;
    return { ...scopeOf(b.id, b.name, b.area, people, totals, facts), notes: year === 'now' ? b.notes : [] };
  });
  const people = buildings.reduce((a, s) => a + (s.headcount ?? 0), 0);
  const facts = `各建筑之和：22,000 m²，按天加权 ${people.toFixed(1)} 人`;
  return { buildings, organization: organizationOf(ORG.id, ORG.name, buildings, facts) };
}

const entry = (
  building: string,
  energy_type: EnergyType,
  from: string,
  to: string,
  quantity: number,
  source: string,
  given?: { q: number; unit: string; conversion: string },
) => ({
  building,
  energy_type,
  period_start: from,
  period_end: to,
  quantity,
  source,
  ...(given ? { quantity_given: given.q, unit_given: given.unit, conversion: given.conversion } : {}),
  counted_quantity: quantity,
  counted_from: from,
  counted_to: to,
});

function entriesUsed(missingBill: boolean): IntensityReport['entries_used'] {
  const q = (n: number, from: string, to: string, qty: number, type: EnergyType = 'electricity') =>
    entry(
      n === 0 ? 'annex' : 'hq',
      type,
      from,
      to,
      qty,
      type === 'natural_gas' ? '燃气公司账单' : '国网电费账单',
    );
  const fuel = (from: string, to: string, litres: number) =>
    entry('annex', 'gasoline', from, to, litres * 0.725, '公务用车加油记录', {
      q: litres,
      unit: 'L',
      conversion: `${litres.toLocaleString('en-US')} L × 0.725 kg/L（GB 17930-2016，未核对）`,
    });
  return [
    q(0, '2025-01-01', '2025-03-31', 78_000),
    q(0, '2025-04-01', '2025-06-30', 72_000),
    q(0, '2025-07-01', '2025-09-30', 86_000),
    q(0, '2025-10-01', '2025-12-31', 74_000),
    entry('annex', 'water', '2025-01-01', '2025-12-31', 2_600, '自来水公司账单'),
    fuel('2025-01-01', '2025-06-30', 560),
    fuel('2025-07-01', '2025-12-31', 640),
    q(1, '2025-01-01', '2025-03-31', 12_000, 'natural_gas'),
    q(1, '2025-04-01', '2025-06-30', 6_000, 'natural_gas'),
    q(1, '2025-07-01', '2025-09-30', 5_000, 'natural_gas'),
    q(1, '2025-10-01', '2025-12-31', 13_000, 'natural_gas'),
    ...(missingBill
      ? []
      : [entry('archive', 'electricity', '2025-01-01', '2025-12-31', 260_000, '国网电费账单（年度）')]),
  ];
}

function periodComparisons(org: Scope): IntensityReport['period_comparisons'] {
  const q = (t: EnergyType) => org.totals.find((x) => x.energy_type === t)?.quantity ?? null;
  const row = (name: string, unit: string, value: number | null, base: number | null) => ({
    name,
    unit,
    value,
    base,
    change: value === null || base === null ? null : value / base - 1,
    coverage: value === null ? 0 : 1,
    base_coverage: base === null ? 0 : 1,
  });
  const base = { base_from: '2024-01-01', base_to: '2024-12-31' };
  return [
    {
      kind: 'year_on_year',
      label: '同比',
      ...base,
      base_text: '同比：与上年同期 2024-01-01 至 2024-12-31 比较',
      figures: [
        row('综合能耗', 'kgce', org.energy_kgce, 246_800),
        row('用电量', 'kWh', q('electricity'), 1_640_000),
        row('用水量', 'm³', q('water'), 13_500),
        row('天然气', 'm³', q('natural_gas'), null),
      ],
    },
    {
      kind: 'previous_period',
      label: '环比',
      ...base,
      base_text: '环比：与上一期（上年）2024-01-01 至 2024-12-31 比较，即同比',
      same_as: 'year_on_year',
      figures: [],
    },
  ];
}

/** The sample report: 2025 against 2020; `missingBill`: 档案楼's 2025 electricity bill is missing. */
export function sampleReport(opts: { missingBill?: boolean } = {}): IntensityReport {
  const missingBill = opts.missingBill ?? false;
  const now = scopes(missingBill, 'now');
  const base = scopes(missingBill, 'base');
  const all = [...now.buildings, now.organization];
  const comparisons = all.flatMap((s) =>
    compare(s, [...base.buildings, base.organization].find((b) => b.id === s.id) ?? s),
  );
  const incomplete = comparisons.some((c) => c.status === 'incomplete');
  const atRisk = comparisons.filter((c) => c.status === 'at_risk');
  const status = incomplete ? 'incomplete' : atRisk.length > 0 ? 'at_risk' : 'on_track';
  const ranked = now.buildings
    .filter((b) => b.indicators.energy_per_area_kgce_m2 !== null)
    .sort(
      (a, b) => (a.indicators.energy_per_area_kgce_m2 ?? 0) - (b.indicators.energy_per_area_kgce_m2 ?? 0),
    );
  const byWater = [...now.buildings].sort(
    (a, b) => (a.indicators.water_per_capita_m3 ?? 0) - (b.indicators.water_per_capita_m3 ?? 0),
  );
  return {
    kind: 'intensity',
    origin: {
      site_file: '/etc/jieneng/site.yaml',
      organization: ORG.name,
      data_dir: '/var/lib/jieneng',
      store: '内置存储 /var/lib/jieneng/jieneng.db',
      made_at: '2026-01-15T09:30:00+08:00',
    },
    from: '2025-01-01',
    to: '2025-12-31',
    days: 365,
    basis: 'equivalent',
    basis_text: '电力按当量值折标（0.1229 kgce/kWh，GB/T 2589-2020）',
    coal_rate: null,
    baseline_year: 2020,
    baseline_basis: {
      method: 'full_year',
      base_from: '2020-01-01',
      base_to: '2020-12-31',
      text: '整年与基准年全年 2020-01-01 至 2020-12-31 比较',
    },
    plan: {
      id: 'shisiwu',
      name: '“十四五”公共机构节约能源资源工作规划',
      source: '国管局、国家发展改革委 国管节能〔2021〕195 号',
      verified: true,
      base_year: 2020,
      end_year: 2025,
      origin: 'standard',
    },
    plan_note: null,
    factors: sampleFactors,
    buildings: now.buildings,
    organization: now.organization,
    baseline: base,
    comparisons,
    status,
    status_text: incomplete
      ? '数据不完整：档案楼 电力 2025 年无数据，不判定达标'
      : atRisk.length > 0
        ? `${atRisk.length} 项指标有风险：${atRisk.map((c) => `${c.scope} ${c.indicator}`).join('，')}`
        : '各项指标均在规划进度内',
    period_comparisons: periodComparisons(now.organization),
    subitems: [
      { key: 'lighting_socket', value: 356_000, estimated: 0 },
      { key: 'hvac', value: 428_000, estimated: 2_400 },
      { key: 'power', value: 118_000, estimated: 0 },
      { key: 'special', value: 52_000, estimated: 0, note: '信息机房' },
      { key: 'other', value: 66_000, estimated: 0, virtual: true },
    ],
    ranking: {
      energy_per_area_kgce_m2: ranked.map((b, i) => ({
        building: b.id,
        name: b.name,
        value: b.indicators.energy_per_area_kgce_m2 ?? 0,
        rank: i + 1,
      })),
      water_per_capita_m3: byWater.map((b, i) => ({
        building: b.id,
        name: b.name,
        value: b.indicators.water_per_capita_m3 ?? 0,
        rank: i + 1,
      })),
      unranked: missingBill
        ? [
            {
              building: 'archive',
              name: '档案楼',
              indicator: 'energy_per_area_kgce_m2',
              reason: '电力 2025 年缺数据',
            },
          ]
        : [],
    },
    areas: [
      {
        building: 'hq',
        area: 'f1',
        name: '一层办事大厅',
        floor_area_m2: 2_000,
        electricity_kwh: 198_000,
        estimated_kwh: 0,
        electricity_per_area_kwh_m2: 99,
      },
    ],
    projection: null,
    entries_used: entriesUsed(missingBill),
    entries_superseded: [
      {
        building: 'hq',
        energy_type: 'electricity',
        period: '2025-01-01 至 2025-01-31',
        quantity: 88_000,
        reason: '与计量数据重叠，以计量为准',
      },
    ],
  };
}
