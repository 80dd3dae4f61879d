import { describe, expect, it } from 'vitest';
import { buildKpis, coverageOf, energyRanking, isProrated, subitemMix, typeMix } from './overviewModel';
import type { Coverage, IntensityReport, Scope, TypeTotal } from './reportTypes';

const cov = (share: number, days = 31, estimated = 0): Coverage => ({
  days,
  metered_days: Math.round(share * days),
  entered_days: 0,
  share,
  estimated_share: estimated,
  state: share >= 1 ? 'complete' : share > 0 ? 'partial' : 'missing',
});
const total = (energy_type: string, quantity: number | null, kgce: number | null, c = cov(1)): TypeTotal => ({
  energy_type,
  quantity,
  unit: energy_type === 'electricity' ? 'kWh' : 'm³',
  kgce,
  kgco2: kgce === null ? null : kgce * 4,
  estimated: 0,
  coverage: c,
});
const scope = (over: Partial<Scope> = {}): Scope => ({
  id: 'org',
  name: '单位',
  floor_area_m2: 40000,
  headcount: 1200,
  facts_text: '',
  totals: [total('electricity', 420000, 51618), total('natural_gas', 4200, 5100), total('water', 4400, null)],
  energy_kgce: 56718,
  carbon_kgco2: 231933,
  indicators: {
    energy_per_area_kgce_m2: 1.41795,
    energy_per_capita_kgce: 47.265,
    water_per_capita_m3: 3.6667,
    carbon_per_area_kgco2_m2: 5.798,
    electricity_per_area_kwh_m2: 10.5,
  },
  coverage: 'complete',
  missing: [],
  ...over,
});
const report = (over: Partial<IntensityReport> = {}): IntensityReport => ({
  kind: 'intensity',
  from: '2025-12-01',
  to: '2025-12-31',
  days: 31,
  basis_text: '',
  baseline_year: 2020,
  baseline_basis: { method: 'same_period', base_from: '2020-12-01', base_to: '2020-12-31', text: '' },
  plan: null,
  plan_note: null,
  buildings: [],
  organization: scope(),
  comparisons: [
    {
      scope: 'org',
      indicator: 'energy_per_area_kgce_m2',
      value: 1.41795,
      baseline: 1.588,
      change: -0.107,
      target: -0.05,
      target_by_now: -0.04,
      status: 'on_track',
      status_text: '进度内',
    },
  ],
  status: 'on_track',
  status_text: '',
  period_comparisons: [
    {
      kind: 'year_on_year',
      label: '同比',
      base_from: '2024-12-01',
      base_to: '2024-12-31',
      base_text: '',
      figures: [
        {
          name: '综合能耗',
          unit: 'kgce',
          value: 56718,
          base: 58986,
          change: -0.0385,
          coverage: 1,
          base_coverage: 1,
        },
        { name: '水', unit: 'm³', value: 4400, base: null, change: null, coverage: 1, base_coverage: 0 },
        {
          name: '碳排放',
          unit: 'kgCO₂',
          value: 231933,
          base: 240000,
          change: null,
          coverage: 1,
          base_coverage: 0.5,
        },
      ],
    },
    {
      kind: 'previous_period',
      label: '环比',
      base_from: '2025-11-01',
      base_to: '2025-11-30',
      base_text: '',
      figures: [],
    },
  ],
  subitems: [
    { key: 'hvac', value: 300, estimated: 0, unit: 'kWh', coverage: 1 },
    { key: 'other', value: 100, estimated: 0, virtual: true, coverage: 1 },
  ],
  ranking: {
    energy_per_area_kgce_m2: [{ building: 'a', name: 'A', value: 1.2, rank: 1 }],
    water_per_capita_m3: [],
    unranked: [
      { building: 'b', name: 'B', indicator: 'energy_per_area_kgce_m2', reason: '数据不全' },
      { building: 'b', name: 'B', indicator: 'water_per_capita_m3', reason: '数据不全' },
    ],
  },
  projection: null,
  ...over,
});

describe('能耗总览 figures from the intensity report', () => {
  it('weights coverage by days and the estimated share by quantity', () => {
    const c = coverageOf([
      total('electricity', 100, 100, cov(1, 62, 0.1)),
      total('natural_gas', 100, 300, cov(0.5, 31, 0)),
    ]);
    expect(c.share).toBeCloseTo((62 + 15.5) / 93);
    expect(c.estimated).toBeCloseTo(0.025);
    expect(c.state).toBe('partial');
    expect(coverageOf([]).state).toBe('missing');
  });

  it('takes totals and their 同比 from the report, and says why a change is missing', () => {
    const kpis = buildKpis(report(), 'last_year');
    const by = Object.fromEntries(kpis.map((k) => [k.key, k]));
    expect(by.energy).toMatchObject({ value: 56718 });
    expect(by.energy?.change).toMatchObject({
      baseFrom: '2024-12-01',
      baseTo: '2024-12-31',
      change: -0.0385,
    });
    expect(by.water).toMatchObject({ value: 4400 });
    expect(by.water?.change).toMatchObject({ change: null, reason: 'no_base' });
    expect(by.carbon?.change).toMatchObject({ change: null, reason: 'partial' });
    expect(by.energy_per_area?.target?.status).toBe('on_track');
    // No base report yet: the base period's floor area is not known, the change is not 0.
    expect(by.energy_per_area?.change).toMatchObject({ change: null, reason: 'no_facts' });
    expect(by.water_per_capita?.change).toMatchObject({ change: null, reason: 'no_base' });
  });

  it('finds the report’s 同比 figures by their unit, not by their Chinese display names', () => {
    const r = report();
    const renamed = {
      ...r,
      period_comparisons: r.period_comparisons.map((pc) => ({
        ...pc,
        figures: pc.figures.map((f) => ({ ...f, name: `renamed ${f.name}` })),
      })),
    };
    const by = Object.fromEntries(buildKpis(renamed, 'last_year').map((k) => [k.key, k]));
    expect(by.energy?.change).toMatchObject({ base: 58986, change: -0.0385 });
    expect(by.water?.change).toMatchObject({ change: null, reason: 'no_base' });
    expect(by.carbon?.change).toMatchObject({ base: 240000, reason: 'partial' });
  });

  it('computes an indicator 同比 from the base figure over the base period’s area, only when both are complete', () => {
    const base = report({ organization: scope({ floor_area_m2: 39000 }) });
    const kpis = buildKpis(report(), 'last_year', base);
    const epa = kpis.find((k) => k.key === 'energy_per_area');
    expect(epa?.change?.base).toBeCloseTo(58986 / 39000);
    expect(epa?.change?.change).toBeCloseTo(1.41795 / (58986 / 39000) - 1);
    // 碳排放's base is only partly covered: its per-m² change is not computed.
    expect(kpis.find((k) => k.key === 'carbon_per_area')?.change).toMatchObject({
      change: null,
      reason: 'partial',
    });
    expect(
      buildKpis(report(), 'previous', base).find((k) => k.key === 'energy_per_area')?.change,
    ).toMatchObject({ kind: 'previous_period', baseFrom: '2025-11-01' });
  });

  it('keeps a missing figure null (缺数据), never 0', () => {
    const org = scope({
      totals: [total('electricity', null, null, cov(0)), total('water', null, null, cov(0))],
      energy_kgce: null,
      carbon_kgco2: null,
      indicators: {
        energy_per_area_kgce_m2: null,
        energy_per_capita_kgce: null,
        water_per_capita_m3: null,
        carbon_per_area_kgco2_m2: null,
        electricity_per_area_kwh_m2: null,
      },
      coverage: 'missing',
    });
    const kpis = buildKpis(report({ organization: org }), 'last_year');
    for (const k of kpis) expect(k.value).toBeNull();
    expect(kpis[0]?.coverage.state).toBe('missing');
    expect(typeMix(org)).toEqual([expect.objectContaining({ key: 'electricity', kgce: null, share: null })]);
  });

  it('mixes 分类 by kgce without water, 分项 with 其他/未计量, and ranks with the unranked after', () => {
    const mix = typeMix(scope());
    expect(mix.map((m) => m.key)).toEqual(['electricity', 'natural_gas']);
    expect(mix[0]?.share).toBeCloseTo(51618 / 56718);
    const sub = subitemMix(report());
    expect(sub.map((s) => [s.key, s.share, s.virtual])).toEqual([
      ['hvac', 0.75, false],
      ['other', 0.25, true],
    ]);
    expect(energyRanking(report())).toEqual([
      { rank: 1, building: 'a', name: 'A', value: 1.2, reason: '' },
      { rank: null, building: 'b', name: 'B', value: null, reason: '数据不全' },
    ]);
  });

  it('takes a whole year’s 环比 from its 同比, and says it is the same', () => {
    const r = report();
    const [yoy, prev] = r.period_comparisons;
    if (!yoy || !prev) throw new Error('fixture');
    r.period_comparisons = [
      yoy,
      { ...prev, base_from: yoy.base_from, base_to: yoy.base_to, same_as: 'year_on_year' },
    ];
    const energy = buildKpis(r, 'previous').find((k) => k.key === 'energy');
    expect(energy?.change).toMatchObject({
      kind: 'previous_period',
      change: -0.0385,
      baseFrom: '2024-12-01',
      sameAsYearOnYear: true,
    });
  });

  it('gives a year to date its full-year projection, and none otherwise', () => {
    expect(buildKpis(report(), 'last_year').every((k) => !('projected' in k))).toBe(true);
    const ytd = report({
      projection: {
        warning: null,
        method_text: '',
        energy_kgce: 211895.7,
        carbon_kgco2: 860932.7,
        water_m3: null,
        indicators: {
          energy_per_area_kgce_m2: 5.297,
          energy_per_capita_kgce: 176.58,
          water_per_capita_m3: null,
          carbon_per_area_kgco2_m2: 21.52,
        },
      },
    });
    const by = Object.fromEntries(buildKpis(ytd, 'last_year').map((k) => [k.key, k.projected]));
    expect(by).toEqual({
      energy: 211895.7,
      water: null,
      carbon: 860932.7,
      energy_per_area: 5.297,
      energy_per_capita: 176.58,
      water_per_capita: null,
      carbon_per_area: 21.52,
    });
  });

  it('says when a target is prorated to the report year', () => {
    const c = report().comparisons[0];
    expect(c && isProrated(c)).toBe(true);
    expect(c && isProrated({ ...c, target_by_now: -0.05 })).toBe(false);
  });
});
