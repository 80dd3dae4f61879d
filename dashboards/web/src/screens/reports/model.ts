/**
 * The report's tables as rows for the page (pure, unit-tested): every figure with its coverage,
 * missing ones as null (the table writes 缺数据, never 0), estimated shares kept beside the figure.
 * Labels come through `t` (the page's vue-i18n), keys under `reports.`.
 */

import { quotaTables } from './quotas';
import { type IndicatorKey, type IntensityReport, indicatorKeys, type Scope, type Status } from './report';

export type Cell =
  | { t: 'text'; v: string }
  /** A figure; `estimated` the share of it that is estimated (0–1), shown as 估算 x% beside it. */
  | { t: 'num'; v: number | null; digits?: number; estimated?: number }
  /** A share 0–1 (coverage, a target's change). */
  | { t: 'pct'; v: number | null }
  /** A change against a base: ▲ / ▼ and words beside the number, never colour alone. */
  | { t: 'change'; v: number | null }
  | { t: 'status'; v: Status };

export type Row = Record<string, Cell>;
export interface Column {
  key: string;
  label: string;
  numeric?: boolean;
  /** Wider columns for sentences. */
  wide?: boolean;
}
export interface Table {
  id: string;
  title: string;
  /** A sentence under the title (the base period in words, the method). */
  note?: string;
  columns: Column[];
  rows: Row[];
}

export type Translate = (key: string, named?: Record<string, unknown>) => string;

export const text = (v: string | null | undefined): Cell => ({ t: 'text', v: v ?? '' });
export const num = (v: number | null | undefined, digits = 2, estimated?: number): Cell => ({
  t: 'num',
  v: v ?? null,
  digits,
  ...(estimated !== undefined && estimated > 0 ? { estimated } : {}),
});
export const pct = (v: number | null | undefined): Cell => ({ t: 'pct', v: v ?? null });
export const change = (v: number | null | undefined): Cell => ({ t: 'change', v: v ?? null });

/** The unit of an indicator in the page's language (kgce/人, kgce/person). */
export const indicatorUnit = (t: Translate, k: IndicatorKey): string => t(`reports.indicatorUnit.${k}`);

/**
 * How much of a scope's period its figures rest on: the covered days (metered or entered) over all
 * the days of its expected energy types; the estimated share by quantity. Null without any type.
 */
export function scopeCoverage(s: Scope): { share: number | null; estimated: number } {
  const days = s.totals.reduce((a, x) => a + x.coverage.days, 0);
  if (days === 0) return { share: null, estimated: 0 };
  const covered = s.totals.reduce((a, x) => a + x.coverage.metered_days + x.coverage.entered_days, 0);
  const estimated = Math.max(0, ...s.totals.map((x) => x.coverage.estimated_share));
  return { share: covered / days, estimated };
}

/** Every scope of the report by id: the buildings, then the organization. */
export function scopesOf(r: IntensityReport): Scope[] {
  return [...r.buildings, r.organization];
}

/** The report's tables, in the order of its XLSX: indicators first (the first figure is the first indicator's). */
export function reportTables(r: IntensityReport, t: Translate): Table[] {
  const scopes = new Map(scopesOf(r).map((s) => [s.id, s]));
  const scopeName = (id: string) => scopes.get(id)?.name ?? id;
  const energy = (type: string) => t(`reports.energy.${type}`);
  const tables: Table[] = [];

  // A year to date compares the full-year projection (comparisons[].value): the table says so, with
  // the period's own figure beside it. A figure that does not apply is said in words, not 缺数据.
  const projected = r.projection ? r.projection : null;
  const notApplicable = text(t('reports.notApplicable'));
  const notes = [r.baseline_basis?.text, projected?.method_text].filter((x): x is string => !!x);
  tables.push({
    id: 'indicators',
    title: t('reports.table.indicators'),
    ...(notes.length ? { note: notes.join(' · ') } : {}),
    columns: [
      { key: 'scope', label: t('reports.col.scope') },
      { key: 'indicator', label: t('reports.col.indicator') },
      { key: 'unit', label: t('reports.col.unit') },
      {
        key: 'value',
        label: projected ? t('reports.col.valueToDate') : t('reports.col.value'),
        numeric: true,
      },
      ...(projected
        ? [{ key: 'projected', label: t('reports.col.projected', { year: projected.year }), numeric: true }]
        : []),
      {
        key: 'baseline',
        label: r.baseline_year
          ? t('reports.col.baselineYear', { year: r.baseline_year })
          : t('reports.col.baseline'),
        numeric: true,
      },
      { key: 'change', label: t('reports.col.change'), numeric: true },
      { key: 'target', label: t('reports.col.target'), numeric: true },
      { key: 'target_by_now', label: t('reports.col.targetByNow'), numeric: true },
      { key: 'status', label: t('reports.col.status') },
      { key: 'coverage', label: t('reports.col.coverage'), numeric: true },
      { key: 'why', label: t('reports.col.why'), wide: true },
    ],
    rows: r.comparisons.map((c) => {
      const s = scopes.get(c.scope);
      const cov = s ? scopeCoverage(s) : { share: null, estimated: 0 };
      const noBaseline = r.baseline_year === null && c.baseline === null;
      return {
        scope: text(scopeName(c.scope)),
        indicator: text(t(`reports.indicator.${c.indicator}`)),
        unit: text(indicatorUnit(t, c.indicator)),
        value: projected
          ? num(s?.indicators[c.indicator] ?? null, 2, cov.estimated)
          : num(c.value, 2, cov.estimated),
        ...(projected ? { projected: num(c.value, 2, cov.estimated) } : {}),
        baseline: noBaseline ? text(t('reports.noBaselineYear')) : num(c.baseline),
        change: noBaseline && c.change === null ? notApplicable : change(c.change),
        // No plan or no target for the indicator is 无目标, not missing data.
        target:
          c.target === null && c.status === 'no_target' ? text(t('reports.status.no_target')) : pct(c.target),
        target_by_now:
          c.target_by_now === null && c.status === 'no_target'
            ? text(t('reports.status.no_target'))
            : pct(c.target_by_now),
        status: { t: 'status', v: c.status },
        coverage: pct(cov.share),
        why: text(c.status_text),
      };
    }),
  });

  tables.push({
    id: 'scopes',
    title: t('reports.table.scopes'),
    columns: [
      { key: 'scope', label: t('reports.col.scope') },
      { key: 'area', label: t('reports.col.area'), numeric: true },
      { key: 'headcount', label: t('reports.col.headcount'), numeric: true },
      { key: 'kgce', label: t('reports.col.kgce'), numeric: true },
      { key: 'kgco2', label: t('reports.col.kgco2'), numeric: true },
      ...indicatorKeys.map((k) => ({
        key: k,
        label: `${t(`reports.indicator.${k}`)} (${indicatorUnit(t, k)})`,
        numeric: true,
      })),
      { key: 'coverage', label: t('reports.col.coverage'), numeric: true },
      { key: 'facts', label: t('reports.col.facts'), wide: true },
    ],
    rows: scopesOf(r).map((s) => {
      const cov = scopeCoverage(s);
      return {
        scope: text(s.name),
        area: num(s.floor_area_m2, 0),
        headcount: num(s.headcount, 1),
        kgce: num(s.energy_kgce, 1, cov.estimated),
        kgco2: num(s.carbon_kgco2, 1, cov.estimated),
        ...Object.fromEntries(indicatorKeys.map((k) => [k, num(s.indicators[k], 2, cov.estimated)])),
        coverage: pct(cov.share),
        facts: text(s.facts_text),
      };
    }),
  });

  tables.push({
    id: 'totals',
    title: t('reports.table.totals'),
    columns: [
      { key: 'scope', label: t('reports.col.scope') },
      { key: 'energy', label: t('reports.col.energy') },
      { key: 'quantity', label: t('reports.col.quantity'), numeric: true },
      { key: 'unit', label: t('reports.col.unit') },
      { key: 'kgce', label: t('reports.col.kgce'), numeric: true },
      { key: 'kgco2', label: t('reports.col.kgco2'), numeric: true },
      { key: 'metered_days', label: t('reports.col.meteredDays'), numeric: true },
      { key: 'entered_days', label: t('reports.col.enteredDays'), numeric: true },
      { key: 'coverage', label: t('reports.col.coverage'), numeric: true },
    ],
    rows: scopesOf(r).flatMap((s) =>
      s.totals.map((x) => ({
        scope: text(s.name),
        energy: text(energy(x.energy_type)),
        quantity: num(x.quantity, 1, x.coverage.estimated_share),
        unit: text(x.unit),
        // Water has no kgce or kgCO₂: not applicable, not missing.
        kgce:
          x.energy_type === 'water' && x.kgce === null
            ? notApplicable
            : num(x.kgce, 1, x.coverage.estimated_share),
        kgco2:
          x.energy_type === 'water' && x.kgco2 === null
            ? notApplicable
            : num(x.kgco2, 1, x.coverage.estimated_share),
        metered_days: num(x.coverage.metered_days, 0),
        entered_days: num(x.coverage.entered_days, 0),
        coverage: pct(x.coverage.share),
      })),
    ),
  });

  tables.push({
    id: 'missing',
    title: t('reports.table.missing'),
    columns: [
      { key: 'what', label: t('reports.col.what'), wide: true },
      { key: 'coverage', label: t('reports.col.coverage'), numeric: true },
    ],
    // Said once: the organization lists what each building misses.
    rows: r.organization.missing.map((m) => ({ what: text(m.text), coverage: pct(m.share) })),
  });

  for (const p of r.period_comparisons) {
    if (p.same_as) continue;
    tables.push({
      id: `period-${p.kind}`,
      title: p.label,
      note: p.base_text,
      columns: [
        { key: 'name', label: t('reports.col.item') },
        { key: 'unit', label: t('reports.col.unit') },
        { key: 'value', label: t('reports.col.value'), numeric: true },
        { key: 'base', label: t('reports.col.base', { from: p.base_from, to: p.base_to }), numeric: true },
        { key: 'change', label: t('reports.col.change'), numeric: true },
        { key: 'coverage', label: t('reports.col.coverage'), numeric: true },
        { key: 'base_coverage', label: t('reports.col.baseCoverage'), numeric: true },
      ],
      rows: p.figures.map((f) => ({
        name: text(f.name),
        unit: text(f.unit),
        value: num(f.value, 1),
        base: num(f.base, 1),
        change: change(f.change),
        coverage: pct(f.coverage),
        base_coverage: pct(f.base_coverage),
      })),
    });
  }

  tables.push({
    id: 'subitems',
    title: t('reports.table.subitems'),
    columns: [
      { key: 'name', label: t('reports.col.subitem') },
      { key: 'value', label: t('reports.col.quantity'), numeric: true },
      { key: 'unit', label: t('reports.col.unit') },
      { key: 'coverage', label: t('reports.col.coverage'), numeric: true },
      { key: 'note', label: t('reports.col.note'), wide: true },
    ],
    rows: r.subitems.map((s) => ({
      name: text(t(`reports.subitem.${s.key}`)),
      value: num(s.value, 1, s.value ? s.estimated / s.value : 0),
      unit: text(s.unit ?? 'kWh'),
      coverage: pct(s.coverage),
      note: text(s.note),
    })),
  });

  const ranked = (['energy_per_area_kgce_m2', 'water_per_capita_m3'] as const).flatMap((k) =>
    r.ranking[k].map((x) => ({
      indicator: text(t(`reports.indicator.${k}`)),
      rank: num(x.rank, 0),
      name: text(x.name),
      value: num(x.value, 2),
      unit: text(indicatorUnit(t, k)),
      why: text(''),
    })),
  );
  const unranked = r.ranking.unranked.map((x) => ({
    indicator: text(t(`reports.indicator.${x.indicator}`)),
    rank: text(t('reports.unranked')),
    name: text(x.name),
    value: num(null),
    unit: text(
      (indicatorKeys as readonly string[]).includes(x.indicator)
        ? indicatorUnit(t, x.indicator as IndicatorKey)
        : '',
    ),
    why: text(x.reason),
  }));
  tables.push({
    id: 'ranking',
    title: t('reports.table.ranking'),
    note: t('reports.rankingNote'),
    columns: [
      { key: 'indicator', label: t('reports.col.indicator') },
      { key: 'rank', label: t('reports.col.rank'), numeric: true },
      { key: 'name', label: t('reports.col.scope') },
      { key: 'value', label: t('reports.col.value'), numeric: true },
      { key: 'unit', label: t('reports.col.unit') },
      { key: 'why', label: t('reports.col.why'), wide: true },
    ],
    rows: [...ranked, ...unranked],
  });

  tables.push({
    id: 'entries',
    title: t('reports.table.entriesUsed'),
    columns: [
      { key: 'scope', label: t('reports.col.scope') },
      { key: 'energy', label: t('reports.col.energy') },
      { key: 'period', label: t('reports.col.period') },
      { key: 'given', label: t('reports.col.given') },
      { key: 'counted', label: t('reports.col.counted'), numeric: true },
      { key: 'counted_period', label: t('reports.col.countedPeriod') },
      { key: 'source', label: t('reports.col.source'), wide: true },
    ],
    rows: r.entries_used.map((e) => ({
      scope: text(scopeName(e.building)),
      energy: text(energy(e.energy_type)),
      period: text(`${e.period_start} ${t('period.joiner')} ${e.period_end}`),
      given: text(
        e.quantity_given !== undefined
          ? `${e.quantity_given} ${e.unit_given ?? ''}`.trim()
          : String(e.quantity),
      ),
      counted: num(e.counted_quantity, 1),
      counted_period: text(`${e.counted_from} ${t('period.joiner')} ${e.counted_to}`),
      source: text(e.conversion ? `${e.source}（${e.conversion}）` : e.source),
    })),
  });

  tables.push({
    id: 'factors',
    title: t('reports.table.factors'),
    columns: [
      { key: 'what', label: t('reports.col.factor') },
      { key: 'value', label: t('reports.col.value'), numeric: true },
      { key: 'unit', label: t('reports.col.unit') },
      { key: 'verified', label: t('reports.col.verified') },
      { key: 'source', label: t('reports.col.source'), wide: true },
    ],
    rows: r.factors.map((f) => ({
      what: text(f.what),
      value: num(f.value, 4),
      unit: text(f.unit),
      verified: text(f.verified ? t('reports.verified') : t('reports.unverified')),
      source: text(f.note ? `${f.source}；${f.note}` : f.source),
    })),
  });
  tables.push(...quotaTables(r, t));
  return tables;
}

/** The query of the report, as GET /api/v1/reports/intensity takes it (the format added for files). */
export interface ReportRequest {
  from: string;
  to: string;
  baseline?: number | undefined;
  basis: 'equivalent' | 'generation';
  coal_rate: 'one' | 'each';
}

export function reportParams(q: ReportRequest): {
  from: string;
  to: string;
  baseline?: string;
  basis: ReportRequest['basis'];
  coal_rate?: ReportRequest['coal_rate'];
} {
  return {
    from: q.from,
    to: q.to,
    ...(q.baseline !== undefined ? { baseline: String(q.baseline) } : {}),
    basis: q.basis,
    ...(q.basis === 'generation' ? { coal_rate: q.coal_rate } : {}),
  };
}

/** The same query as a URL's search part (the file downloads), with the format. */
export function reportQuery(q: ReportRequest, format?: 'csv' | 'xlsx' | 'pdf'): string {
  const p = new URLSearchParams(reportParams(q));
  if (format) p.set('format', format);
  return p.toString();
}

/** The file name the API gives each format (its Content-Disposition wins when it sends one). */
export function reportFileName(
  q: Pick<ReportRequest, 'from' | 'to'>,
  format: 'csv' | 'xlsx' | 'pdf',
): string {
  return `intensity_${q.from}_${q.to}${format === 'csv' ? '.csv.zip' : `.${format}`}`;
}

/** The bytes of a file as base64 (what POST /entries/upload takes). */
export function base64Of(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(s);
}

/** A refused upload's problems by row (the API groups them: `rows`), the file's own problems first. */
export function uploadProblems(problem: {
  problems?: unknown;
  rows?: unknown;
}): { row: number | null; problems: string[] }[] {
  if (Array.isArray(problem.rows))
    return (problem.rows as { row: number | null; problems: string[] }[]).filter((r) =>
      Array.isArray(r.problems),
    );
  if (Array.isArray(problem.problems)) return [{ row: null, problems: problem.problems.map(String) }];
  return [];
}

/** The ledger's audit, newest first, as rows: when, what, from where (file or api:user), how many rows. */
export function auditRows(
  lines: { at: string; action: string; detail?: unknown }[],
): { at: string; action: string; origin: string; rows: number | string; replaced: number | string }[] {
  return [...lines].reverse().map((l) => {
    const d = (l.detail ?? {}) as { origin?: unknown; rows?: unknown; replaced?: unknown };
    return {
      at: l.at,
      action: l.action,
      origin: typeof d.origin === 'string' ? d.origin : '',
      rows: typeof d.rows === 'number' ? d.rows : '',
      replaced: typeof d.replaced === 'number' ? d.replaced : '',
    };
  });
}
