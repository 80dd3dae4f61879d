import { describe, expect, it } from 'vitest';
import { messages as reportMessages } from './messages';
import {
  auditRows,
  base64Of,
  indicatorUnit,
  reportFileName,
  reportQuery,
  reportTables,
  scopeCoverage,
  uploadProblems,
} from './model';
import type { IntensityReport, Scope } from './report';

const coverage = (share: number, estimated = 0) => ({
  days: 31,
  metered_days: 0,
  entered_days: Math.round(31 * share),
  share,
  estimated_share: estimated,
  state: share === 1 ? ('complete' as const) : share === 0 ? ('missing' as const) : ('partial' as const),
});
const scope = (id: string, name: string, share: number, estimated = 0): Scope => ({
  id,
  name,
  floor_area_m2: 1000,
  headcount: 10,
  facts_text: '',
  totals: [
    {
      energy_type: 'electricity',
      quantity: share === 0 ? null : 100,
      unit: 'kWh',
      kgce: share === 0 ? null : 12.29,
      kgco2: null,
      metered: 0,
      entered: 100,
      estimated: 0,
      coverage: coverage(share, estimated),
    },
  ],
  energy_kgce: share === 0 ? null : 12.29,
  carbon_kgco2: null,
  indicators: {
    energy_per_area_kgce_m2: share === 0 ? null : 0.01229,
    energy_per_capita_kgce: null,
    water_per_capita_m3: null,
    carbon_per_area_kgco2_m2: null,
    electricity_per_area_kwh_m2: null,
  },
  coverage: share === 0 ? 'missing' : 'complete',
  missing:
    share === 0
      ? [
          {
            building: id,
            energy_type: 'electricity',
            from: 'a',
            to: 'b',
            share: 0,
            text: `${name} 电 缺数据`,
          },
        ]
      : [],
  notes: [],
});
const report = (): IntensityReport => ({
  kind: 'intensity',
  from: '2025-01-01',
  to: '2025-01-31',
  days: 31,
  basis: 'equivalent',
  basis_text: '当量值',
  coal_rate: null,
  baseline_year: 2020,
  baseline_basis: {
    method: 'same_period',
    base_from: '2020-01-01',
    base_to: '2020-01-31',
    text: '与基准年同期比较',
  },
  plan: null,
  plan_note: null,
  factors: [],
  buildings: [scope('a', '甲楼', 1, 0.25), scope('b', '乙楼', 0)],
  organization: {
    ...scope('org', '单位', 0.5),
    missing: [
      { building: 'b', energy_type: 'electricity', from: 'a', to: 'b', share: 0, text: '乙楼 电 缺数据' },
    ],
  },
  comparisons: [
    {
      scope: 'a',
      indicator: 'energy_per_area_kgce_m2',
      value: 0.01229,
      baseline: null,
      change: -0.0604,
      target: -0.05,
      target_by_now: -0.05,
      status: 'incomplete',
      status_text: '基准缺数据',
    },
  ],
  status: 'incomplete',
  status_text: '',
  period_comparisons: [
    {
      kind: 'year_on_year',
      label: '同比',
      base_from: '2024-01-01',
      base_to: '2024-01-31',
      base_text: '同比：与上年同期 2024-01-01 至 2024-01-31 比较',
      figures: [],
    },
    {
      kind: 'previous_period',
      label: '环比',
      base_from: '2024-12-01',
      base_to: '2024-12-31',
      base_text: '',
      same_as: 'year_on_year',
      figures: [],
    },
  ],
  subitems: [{ key: 'hvac', value: null, estimated: 0, coverage: 0 }],
  ranking: { energy_per_area_kgce_m2: [], water_per_capita_m3: [], unranked: [] },
  entries_used: [],
  entries_superseded: [],
});
const t = (key: string, named?: Record<string, unknown>) => (named ? `${key}${JSON.stringify(named)}` : key);

describe('the report tables on the 报表 page', () => {
  it('writes the indicators’ units in the page’s language (kgce/人, kgce/person), from the catalogue', () => {
    const unit = (lang: 'zh-CN' | 'en') => (key: string) =>
      key.startsWith('reports.indicatorUnit.')
        ? ((reportMessages[lang].indicatorUnit as Record<string, string>)[key.slice(22)] ?? key)
        : key;
    expect(indicatorUnit(unit('zh-CN'), 'energy_per_capita_kgce')).toBe('kgce/人');
    expect(indicatorUnit(unit('en'), 'energy_per_capita_kgce')).toBe('kgce/person');
    expect(indicatorUnit(unit('en'), 'water_per_capita_m3')).toBe('m³/person');
    const [first] = reportTables(report(), unit('en'));
    expect(first?.rows[0]?.unit).toEqual({ t: 'text', v: 'kgce/m²' });
  });

  it('starts with the indicators: the first figure is the first comparison, with its coverage and estimated share', () => {
    const [first] = reportTables(report(), t);
    expect(first?.id).toBe('indicators');
    expect(first?.note).toBe('与基准年同期比较');
    expect(first?.rows[0]?.value).toEqual({ t: 'num', v: 0.01229, digits: 2, estimated: 0.25 });
    expect(first?.rows[0]?.coverage).toEqual({ t: 'pct', v: 1 });
    expect(first?.rows[0]?.scope).toEqual({ t: 'text', v: '甲楼' });
    expect(first?.columns.find((c) => c.key === 'baseline')?.label).toContain('2020');
  });

  it('keeps a missing figure null (缺数据), never 0', () => {
    const tables = reportTables(report(), t);
    const scopes = tables.find((x) => x.id === 'scopes');
    const b = scopes?.rows.find((r) => r.scope?.t === 'text' && r.scope.v === '乙楼');
    expect(b?.kgce).toEqual({ t: 'num', v: null, digits: 1 });
    expect(b?.coverage).toEqual({ t: 'pct', v: 0 });
    expect(tables.find((x) => x.id === 'indicators')?.rows[0]?.baseline).toMatchObject({ v: null });
    expect(tables.find((x) => x.id === 'subitems')?.rows[0]?.value).toMatchObject({ v: null });
  });

  it('says 无目标 where the plan sets no target, and keeps 缺数据 for a target it has but data it lacks', () => {
    const r = report();
    r.comparisons = [
      {
        ...(r.comparisons[0] as IntensityReport['comparisons'][number]),
        target: null,
        target_by_now: null,
        status: 'no_target',
      },
    ];
    const row = reportTables(r, t)[0]?.rows[0];
    expect(row?.target).toEqual({ t: 'text', v: 'reports.status.no_target' });
    expect(reportTables(report(), t)[0]?.rows[0]?.target).toEqual({ t: 'pct', v: -0.05 });
  });

  it('lists what is missing once (the organization), and a 环比 that is the 同比 once', () => {
    const tables = reportTables(report(), t);
    expect(tables.find((x) => x.id === 'missing')?.rows).toEqual([
      { what: { t: 'text', v: '乙楼 电 缺数据' }, coverage: { t: 'pct', v: 0 } },
    ]);
    expect(tables.filter((x) => x.id.startsWith('period-')).map((x) => x.note)).toEqual([
      '同比：与上年同期 2024-01-01 至 2024-01-31 比较',
    ]);
  });

  it('labels a year to date’s comparison figure 全年预测, with the period’s own figure as 本期', () => {
    const r = report();
    r.comparisons = [{ ...(r.comparisons[0] as IntensityReport['comparisons'][number]), value: 0.0133 }];
    r.projection = { year: 2026, method_text: '按上年同期占比推算', warning: null };
    const [first] = reportTables(r, t);
    expect(first?.columns.map((c) => c.key).slice(3, 5)).toEqual(['value', 'projected']);
    expect(first?.columns[3]?.label).toBe('reports.col.valueToDate');
    expect(first?.rows[0]?.value).toMatchObject({ v: 0.01229 });
    expect(first?.rows[0]?.projected).toMatchObject({ v: 0.0133 });
    expect(first?.note).toContain('按上年同期占比推算');
    // No projection: one 本期 column, the comparison's figure.
    expect(reportTables(report(), t)[0]?.columns.some((c) => c.key === 'projected')).toBe(false);
  });

  it('says 未设基准年 and 不适用 where a figure does not apply, not 缺数据', () => {
    const r = report();
    r.baseline_year = null;
    r.comparisons = [{ ...(r.comparisons[0] as IntensityReport['comparisons'][number]), change: null }];
    const row = reportTables(r, t)[0]?.rows[0];
    expect(row?.baseline).toEqual({ t: 'text', v: 'reports.noBaselineYear' });
    expect(row?.change).toEqual({ t: 'text', v: 'reports.notApplicable' });
    const a = r.buildings[0] as Scope;
    a.totals.push({
      ...(a.totals[0] as Scope['totals'][number]),
      energy_type: 'water',
      unit: 'm³',
      kgce: null,
      kgco2: null,
    });
    const water = reportTables(r, t)
      .find((x) => x.id === 'totals')
      ?.rows.find((x) => x.energy?.t === 'text' && x.energy.v === 'reports.energy.water');
    expect(water?.kgce).toEqual({ t: 'text', v: 'reports.notApplicable' });
    expect(water?.kgco2).toEqual({ t: 'text', v: 'reports.notApplicable' });
  });

  it('weighs a scope coverage by days over its energy types', () => {
    expect(scopeCoverage(scope('x', 'x', 1)).share).toBe(1);
    expect(scopeCoverage({ ...scope('x', 'x', 1), totals: [] }).share).toBeNull();
  });
});

describe('the report request and files', () => {
  it('asks for the coal rate only with 等价值, and names files as the API does', () => {
    const q = {
      from: '2025-01-01',
      to: '2025-12-31',
      basis: 'equivalent' as const,
      coal_rate: 'each' as const,
    };
    expect(reportQuery(q, 'xlsx')).toBe('from=2025-01-01&to=2025-12-31&basis=equivalent&format=xlsx');
    expect(reportQuery({ ...q, basis: 'generation', baseline: 2020 })).toBe(
      'from=2025-01-01&to=2025-12-31&baseline=2020&basis=generation&coal_rate=each',
    );
    expect(reportFileName(q, 'csv')).toBe('intensity_2025-01-01_2025-12-31.csv.zip');
    expect(reportFileName(q, 'pdf')).toBe('intensity_2025-01-01_2025-12-31.pdf');
  });
});

describe('the ledger upload and history', () => {
  it('encodes a file as base64, also past one chunk', () => {
    expect(base64Of(new TextEncoder().encode('建筑,数量'))).toBe(Buffer.from('建筑,数量').toString('base64'));
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    expect(base64Of(big)).toBe(Buffer.from(big).toString('base64'));
  });

  it('takes the problems by row from a refused upload, or all of them as the file’s', () => {
    expect(uploadProblems({ rows: [{ row: 3, problems: ['第 3 行'] }] })).toEqual([
      { row: 3, problems: ['第 3 行'] },
    ]);
    expect(uploadProblems({ problems: ['x'] })).toEqual([{ row: null, problems: ['x'] }]);
    expect(uploadProblems({})).toEqual([]);
  });

  it('shows the ledger audit newest first with its origin and counts', () => {
    const rows = auditRows([
      {
        at: '2026-12-01T10:00:00+08:00',
        action: 'enter entries',
        detail: { origin: 'api:李科长', rows: 2, replaced: 0 },
      },
      {
        at: '2026-12-02T10:00:00+08:00',
        action: 'upload entries',
        detail: { origin: 'api:李科长:台账.csv', rows: 1, replaced: 0 },
      },
    ]);
    expect(rows.map((r) => r.origin)).toEqual(['api:李科长:台账.csv', 'api:李科长']);
    expect(auditRows([{ at: 'x', action: 'y', detail: null }])[0]).toMatchObject({ origin: '', rows: '' });
  });
});
