import type { SiteConfig } from '../../core/config/siteSchema.ts';
import {
  judgeQuota,
  type OfficeBenchmarkRow,
  PRORATE_NOTE,
  type QuotaRow,
  type QuotaSection,
} from '../../core/reports/quotaJudge.ts';
import {
  EQUIVALENT_KGCE_PER_KWH,
  loadQuotaStandards,
  officeBenchmarkFor,
  quotaIndicatorInfo,
  type ResolvedQuota,
  resolveQuotas,
} from '../../core/reports/quotas.ts';
import type { BuildingFact, EnergyEntry, Scope } from '../../core/reports/report.ts';
import type { Factors } from '../factors.ts';
import type { Conversion, Overrides } from './convert.ts';
import { lastDay, type Period, periodOf, yearOf, yearPeriod } from './dates.ts';
import { expectedTypes, indexData, type MeteredDay } from './quantities.ts';
import { type PeriodInput, scopesOver } from './scope.ts';

/**
 * The report's quota table (issue 18): each site quota (`reports.quotas`) over the year of the
 * report's last counted day, 1 January to that day — its year to date, the quota prorated by the
 * building's months of last year (by days when last year is missing, marked), the projection and
 * 正常 / 预警 / 超定额, by core/reports/quotaJudge.ts as the alarm service's quota rule judges it.
 * Energy is converted at the quota's electricity factor (DB37/T 2672-2019: 0.31 等价值), not the
 * report's basis, and counts the ledger's entries as the report does. GB/T 51161-2016's office
 * values are the second benchmark: the year's electricity per m² against the zone's 约束值 and
 * 引导值, uncorrected (its corrections are not verified).
 */

const COVERED = 0.9;
const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const mm = (m: number) => String(m).padStart(2, '0');

/** The quota's quantity in a scope (kgce, kWh, m³) with the lowest coverage of what it adds up; null when missing. */
function quantityOf(
  scope: Scope,
  q: 'energy' | 'electricity' | 'water',
): { value: number | null; share: number } {
  if (q === 'energy') {
    const withKgce = scope.totals.filter((t) => t.energy_type !== 'water');
    const share = Math.min(1, ...withKgce.map((t) => t.coverage.share));
    return { value: withKgce.length === 0 ? null : scope.energy_kgce, share };
  }
  const t = scope.totals.find((x) => x.energy_type === q);
  return { value: t?.quantity ?? null, share: t?.coverage.share ?? 0 };
}

/** What the quota table reads of the intensity report's input (reports/figures/intensity.ts). */
export interface QuotaInput {
  site: SiteConfig;
  factors: Factors;
  today?: string | undefined;
  region?: string | undefined;
  overrides?: Overrides | undefined;
  metered: MeteredDay[];
  entries: EnergyEntry[];
  facts: BuildingFact[];
}

export function quotaSection(input: QuotaInput, p: Period): QuotaSection | null {
  const site = input.site;
  if (site.reports.quotas.length === 0 && site.reports.office_benchmarks.length === 0) return null;
  const data = loadQuotaStandards();
  const to = lastDay(p);
  const year = yearOf(to);
  const ytdPeriod = periodOf(`${year}-01-01`, to);
  const index = indexData(input.metered, input.entries, input.today);
  const buildings = site.organization.buildings;
  const pin: PeriodInput = {
    site,
    index,
    facts: input.facts,
    expected: new Map(
      buildings.map((b) => [b.id, expectedTypes(site, index, b.id, [ytdPeriod, yearPeriod(year - 1)])]),
    ),
  };
  const months = Array.from({ length: 12 }, (_, i) =>
    periodOf(`${year - 1}-${mm(i + 1)}-01`, `${year - 1}-${mm(i + 1)}-${daysInMonth(year - 1, i + 1)}`),
  );
  const cache = new Map<number, { ytd: Map<string, Scope>; months: Map<string, Scope>[] }>();
  const scopes = (kgce: number) => {
    let s = cache.get(kgce);
    if (!s) {
      const conv: Conversion = {
        factors: input.factors,
        electricityKgce: { value: kgce, unit: 'kgce/kWh', source: '定额折算', verified: false, what: '电力' },
        year,
        region: input.region ?? site.reports.grid_region,
        overrides: input.overrides ?? site.reports.factor_overrides,
        used: new Map(),
      };
      const byId = (q: Period) =>
        new Map(scopesOver(pin, q, conv).buildings.map((b) => [b.scope.id, b.scope]));
      s = { ytd: byId(ytdPeriod), months: months.map(byId) };
      cache.set(kgce, s);
    }
    return s;
  };
  const rows = resolveQuotas(site.reports.quotas, data).map((q) => rowOf(q, scopes, year, to));
  const benchmarks = site.reports.office_benchmarks.flatMap((o): OfficeBenchmarkRow[] => {
    const b = buildings.find((x) => x.id === o.building);
    if (!b) return [];
    const row = officeBenchmarkFor(data, b.climate_zone, o.type, o.class);
    if ('problem' in row) return [];
    const electricity: ResolvedQuota = {
      building: b.id,
      indicator: 'electricity_per_area_kwh_m2',
      unit: row.unit,
      value: row.limit,
      level: 'limit',
      level_name: '约束值',
      standard: row.standard,
      category: null,
      source: row.source,
      verified: row.verified,
      note: row.note,
      electricity_kgce_per_kwh: null,
      basis_text: null,
      levels: { limit: row.limit, guide: row.guide },
    };
    const j = rowOf(electricity, scopes, year, to);
    const v = j.projection;
    return [
      {
        building: b.id,
        name: b.name,
        standard: row.standard,
        type: row.type,
        class: row.class,
        zone: row.zone,
        unit: row.unit,
        limit: row.limit,
        guide: row.guide,
        value: v,
        status_zh:
          v === null ? j.status_zh : v <= row.guide ? '≤ 引导值' : v <= row.limit ? '≤ 约束值' : '超约束值',
        source: row.source,
        verified: row.verified,
        note: row.note,
        corrections_verified: row.corrections_verified,
        corrections_text: row.corrections_text,
      },
    ];
  });
  const unverified = rows.filter((r) => !r.verified).length + benchmarks.filter((b) => !b.verified).length;
  const notes = [
    `定额按统计年度考核：${year} 年 1 月 1 日至 ${to} 的实绩与按进度应用定额比较，预计全年 = 本年至今 ÷ 分摊比例；占比 ≥ 80 % 为预警，≥ 100 % 为超定额。${PRORATE_NOTE}。`,
    ...(unverified > 0 ? [`${unverified} 项定额或基准值未核对标准原文（verified: false），仅供参考。`] : []),
    ...(benchmarks.length > 0
      ? [
          `GB/T 51161-2016 办公建筑非供暖能耗指标为第二基准，按用电量（kWh/m²）比较；${benchmarks[0]?.corrections_text ?? ''}。`,
        ]
      : []),
  ];
  return { year, to, rows, benchmarks, notes };
}

function rowOf(
  q: ResolvedQuota,
  scopes: (kgce: number) => { ytd: Map<string, Scope>; months: Map<string, Scope>[] },
  year: number,
  to: string,
): QuotaRow {
  const info = quotaIndicatorInfo[q.indicator];
  const s = scopes(q.electricity_kgce_per_kwh ?? EQUIVALENT_KGCE_PER_KWH);
  const ytdScope = s.ytd.get(q.building);
  const ytd = ytdScope ? quantityOf(ytdScope, info.quantity) : { value: null, share: 0 };
  const prev = s.months.map((m) => {
    const scope = m.get(q.building);
    return scope ? quantityOf(scope, info.quantity) : { value: null, share: 0 };
  });
  const gap = prev.findIndex((x) => x.value === null || x.share < COVERED);
  const covered = ytd.value !== null && ytd.share >= COVERED;
  const j = judgeQuota({
    quota: q,
    to,
    divisor:
      info.per === 'area'
        ? (ytdScope?.floor_area_m2 ?? null)
        : info.per === 'people'
          ? (ytdScope?.headcount ?? null)
          : null,
    ytd: covered ? ytd.value : null,
    ...(covered
      ? {}
      : { ytd_missing: `${year}-01-01 至 ${to} 数据覆盖 ${(ytd.share * 100).toFixed(1)} %（需 ≥ 90 %）` }),
    previous: gap < 0 ? prev.map((x) => x.value ?? 0) : null,
    ...(gap < 0
      ? {}
      : {
          previous_missing: `上年（${year - 1} 年）${gap + 1} 月数据${prev[gap]?.value === null ? '缺失' : '不全'}`,
        }),
  });
  return {
    ...j,
    building: q.building,
    name: ytdScope?.name ?? q.building,
    indicator: q.indicator,
    indicator_name: info.zh,
    unit: info.unit,
    quota: q.value,
    level_name: q.level_name,
    standard: q.standard,
    category: q.category,
    source: q.source,
    verified: q.verified,
    note: q.note,
    basis_text: q.basis_text,
  };
}
