import { quotaIndicatorInfo, type ResolvedQuota } from './quotas.ts';

/**
 * A quota's year to date (issue 18): the quota is a year's figure, judged per statistics year; no
 * rule for pro-rating it inside a year was found (domain-facts-2), so this is the product's choice
 * and every row says so. The share of the year's quota due by a day follows the building's own
 * monthly shape of last year — months gone by, plus the running month by its days — and, when
 * last year is missing, the days of the year (marked). The projection to the year end is the year
 * to date over that share, so projection / quota = year to date / prorated quota: one ratio, one
 * status — 正常 below 80 %, 预警 from 80 %, 超定额 from 100 %. Pure: the reports and the alarm
 * service's quota rule feed it the figures they read.
 */

export type QuotaStatus = 'normal' | 'warning' | 'exceeded' | 'incomplete';
export const quotaStatusZh: Record<QuotaStatus, string> = {
  normal: '正常',
  warning: '预警',
  exceeded: '超定额',
  incomplete: '缺数据',
};

/** The shares at which a quota turns 预警 and 超定额 (the quota rule's settings default to these). */
export const QUOTA_WARNING_AT = 0.8;
export const QUOTA_EXCEEDED_AT = 1;

export const PRORATE_NOTE = '年内分摊为本系统的选择（定额按统计年度考核，未见年内分摊规定）';

export interface QuotaInput {
  quota: ResolvedQuota;
  /** YYYY-MM-DD, the last day counted; the year to date runs from 1 January of its year. */
  to: string;
  /** Floor area (m²) or people of the year to date for a per-m² or per-person quota; ignored for a total. */
  divisor: number | null;
  /** The quantity (kgce, kWh or m³) from 1 January to `to`; null when it is missing or incomplete. */
  ytd: number | null;
  /** Why `ytd` is null, in Chinese (缺数据：…). */
  ytd_missing?: string;
  /** Last year's quantity per month (12), or null when last year cannot give the shape. */
  previous: readonly number[] | null;
  /** Why `previous` is null, in Chinese (e.g. "2024 年 3 月数据不全"). */
  previous_missing?: string;
  warningAt?: number;
  exceededAt?: number;
}

export interface QuotaJudgement {
  year: number;
  to: string;
  /** The year to date in the indicator's unit (per m², per person or the total); null when missing. */
  ytd: number | null;
  /** Share of the year's quota due by `to`, 0–1. */
  share: number;
  /** quota × share. */
  prorated: number;
  /** Year to date ÷ share: the year-end figure at this pace; null when the year to date is missing. */
  projection: number | null;
  /** Year to date ÷ prorated quota (= projection ÷ quota). */
  ratio: number | null;
  status: QuotaStatus;
  status_zh: string;
  method: 'previous_year_shape' | 'days';
  method_text: string;
  /** Projection against the standard's levels: 先进 / 合理 / 达标 / 需整改; null without a limit level. */
  rating: string | null;
}

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const dayOfYear = (date: string) =>
  Math.round(
    (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${date.slice(0, 4)}-01-01T00:00:00Z`)) / 86_400_000,
  ) + 1;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The share of the year due by `to` (inclusive), by last year's months or by days. */
export function quotaShare(
  to: string,
  previous: readonly number[] | null,
  previousMissing?: string,
): { share: number; method: QuotaJudgement['method']; text: string } {
  const year = Number(to.slice(0, 4));
  const month = Number(to.slice(5, 7));
  const day = Number(to.slice(8, 10));
  const total = previous?.reduce((a, b) => a + b, 0) ?? 0;
  if (previous && previous.length === 12 && total > 0) {
    const dim = daysInMonth(year, month);
    const gone = previous.slice(0, month - 1).reduce((a, b) => a + b, 0);
    const share = Math.min(1, (gone + (previous[month - 1] ?? 0) * (day / dim)) / total);
    const months = month === 1 ? '' : `1–${month - 1} 月及 `;
    return {
      share,
      method: 'previous_year_shape',
      text: `按上年（${year - 1} 年）逐月用量分摊：${months}${month} 月 ${day}/${dim} 天占上年全年 ${pct(share)}；${PRORATE_NOTE}`,
    };
  }
  const days = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 366 : 365;
  const n = dayOfYear(to);
  const why = previousMissing ?? `上年（${year - 1} 年）无逐月数据`;
  return {
    share: n / days,
    method: 'days',
    text: `${why}，按天数分摊：${n}/${days} 天 = ${pct(n / days)}（标记：非按上年逐月分摊）；${PRORATE_NOTE}`,
  };
}

/** The status of a ratio: 正常, 预警 from `warningAt`, 超定额 from `exceededAt`. */
export function statusOf(
  ratio: number,
  warningAt = QUOTA_WARNING_AT,
  exceededAt = QUOTA_EXCEEDED_AT,
): QuotaStatus {
  if (ratio >= exceededAt) return 'exceeded';
  if (ratio >= warningAt) return 'warning';
  return 'normal';
}

/** 先进 (≤ guide), 合理 (≤ baseline), 达标 (≤ limit), 需整改 (above the limit) — DB37/T 2672-2019's bands. */
function ratingOf(projection: number, levels: ResolvedQuota['levels']): string | null {
  if (levels.limit === undefined) return null;
  if (levels.guide !== undefined && projection <= levels.guide) return '先进';
  if (levels.baseline !== undefined && projection <= levels.baseline) return '合理';
  if (projection <= levels.limit) return '达标';
  return '需整改';
}

/** Judges one quota's year to date (see the file comment). */
export function judgeQuota(input: QuotaInput): QuotaJudgement {
  const { quota, to } = input;
  const year = Number(to.slice(0, 4));
  const per = quotaIndicatorInfo[quota.indicator].per;
  const { share, method, text } = quotaShare(to, input.previous, input.previous_missing);
  const prorated = quota.value * share;
  const divisor = per === null ? 1 : input.divisor;
  const ytd = input.ytd === null || divisor === null || divisor <= 0 ? null : input.ytd / divisor;
  if (ytd === null || share <= 0) {
    const why =
      input.ytd === null
        ? (input.ytd_missing ?? `缺数据：${year}-01-01 至 ${to}`)
        : `缺${per === 'area' ? '建筑面积' : '用能人数'}`;
    return {
      year,
      to,
      ytd: null,
      share,
      prorated,
      projection: null,
      ratio: null,
      status: 'incomplete',
      status_zh: `${quotaStatusZh.incomplete}（${why}）`,
      method,
      method_text: text,
      rating: null,
    };
  }
  const ratio = ytd / prorated;
  const projection = ytd / share;
  const status = statusOf(ratio, input.warningAt, input.exceededAt);
  return {
    year,
    to,
    ytd,
    share,
    prorated,
    projection,
    ratio,
    status,
    status_zh: quotaStatusZh[status],
    method,
    method_text: text,
    rating: quota.standard === null ? null : ratingOf(projection, quota.levels),
  };
}

/** One quota row of a report (report.quotas.rows): the quota, its provenance and its year to date. */
export interface QuotaRow extends QuotaJudgement {
  building: string;
  name: string;
  indicator: ResolvedQuota['indicator'];
  /** 单位建筑面积能耗 … */
  indicator_name: string;
  unit: string;
  /** The year's quota in `unit`. */
  quota: number;
  level_name: string;
  standard: string | null;
  category: string | null;
  source: string;
  verified: boolean;
  note: string | null;
  basis_text: string | null;
}

/** A building's GB/T 51161-2016 office comparison: its non-heating electricity per m² against the zone's values. */
export interface OfficeBenchmarkRow {
  building: string;
  name: string;
  standard: string;
  type: 'government' | 'commercial';
  class: 'A' | 'B';
  zone: string;
  unit: string;
  limit: number;
  guide: number;
  /** The year's electricity per m² (the year to date projected as the quota rows are); null when missing. */
  value: number | null;
  /** ≤ 引导值, ≤ 约束值, 超约束值, or 缺数据. */
  status_zh: string;
  source: string;
  verified: boolean;
  note: string | null;
  corrections_verified: boolean;
  corrections_text: string;
}

/** The report's quota section: the year judged, each quota, each office benchmark, and what they rest on. */
export interface QuotaSection {
  year: number;
  /** YYYY-MM-DD, the last day counted. */
  to: string;
  rows: QuotaRow[];
  benchmarks: OfficeBenchmarkRow[];
  notes: string[];
}
