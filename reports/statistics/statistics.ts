import type { SiteConfig } from '../../core/config/siteSchema.ts';
import type { BuildingFact, EnergyEntry, EnergyType } from '../../core/reports/report.ts';
import type {
  CheckItem,
  CostBasis,
  StatisticsBuildingRow,
  StatisticsReport,
  StatisticsRow,
} from '../../core/reports/statistics.ts';
import type { CostTariff } from '../../core/reports/statisticsConfig.ts';
import { dayNumber, periodOf, yearPeriod } from '../figures/dates.ts';
import { openedOn } from '../figures/facts.ts';
import { expectedTypes, indexData, type MeteredDay, pairOver } from '../figures/quantities.ts';
import { basicInformation } from './basic.ts';
import { type CostGap, type HourlyDays, pairCost, toFen } from './costs.ts';
import type { FormItem, StatisticsForm } from './form.ts';
import { tariffUsed } from './tariffs.ts';

const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;

const gapWhy: Record<CostGap['reason'], string> = {
  no_tariff: '无账单费用，站点文件 reports.tariffs 也无在用价格',
  no_hours: '无账单费用；分时价格需逐时计量数据，该日无完整的小时数据',
  no_cost: '台账记录未填费用',
};

/** What the return is computed from: the site, the form, metered days and hours, the ledger. */
export interface StatisticsInput {
  site: SiteConfig;
  form: StatisticsForm;
  year: number;
  /** Today (YYYY-MM-DD, local): today and later days have not ended and are not counted. */
  today?: string | undefined;
  metered: MeteredDay[];
  /** Building \u0000 energy type → hourly values by day (only where a time-of-use tariff needs them). */
  hourly: Map<string, HourlyDays>;
  entries: EnergyEntry[];
  facts: BuildingFact[];
  origin: StatisticsReport['origin'];
}

/** One building's rows and check items for the energy types it has or is expected to have. */
function buildingPart(
  input: StatisticsInput,
  index: ReturnType<typeof indexData>,
  b: SiteConfig['organization']['buildings'][number],
) {
  const { site, form, year } = input;
  const p = yearPeriod(year);
  const opened = openedOn(b, input.facts);
  const rows: (StatisticsBuildingRow & { item: string })[] = [];
  const checks: CheckItem[] = [];
  const tariffs = new Set<CostTariff>();
  const order = (t: EnergyType) => form.items.findIndex((i) => i.energy_type === t);
  for (const type of expectedTypes(site, index, b.id, [p]).sort((x, y) => order(x) - order(y))) {
    const item = form.items.find((i) => i.energy_type === type);
    if (!item) continue;
    const pair = pairOver(index, b.id, type, p, opened);
    const k = `${b.id}\u0000${type}`;
    const start = Math.min(p.to, Math.max(p.from, opened));
    const limit = Math.min(p.to, index.today);
    const metered = new Map((index.metered.get(k) ?? []).map((d) => [d.day, d.value]));
    const cost = pairCost({
      building: b.id,
      type,
      period: { from: start, to: limit },
      metered,
      hourly: input.hourly.get(k),
      entries: index.entries.get(k) ?? [],
      tariffs: site.reports.tariffs,
    });
    for (const t of cost.tariffs) tariffs.add(t);
    const priced = cost.billed + cost.computed;
    rows.push({
      building: b.id,
      name: b.name,
      item: item.id,
      label: item.label,
      unit: item.unit,
      quantity: round((pair.metered + pair.entered) * item.factor),
      metered_days: pair.coverage.metered_days,
      entered_days: pair.coverage.entered_days,
      days: pair.coverage.days,
      cost_yuan:
        priced > 0 || cost.missingDays === 0 ? toFen(toFen(cost.billed) + toFen(cost.computed)) : null,
      cost_billed_yuan: toFen(cost.billed),
      cost_computed_yuan: toFen(cost.computed),
      cost_missing_days: cost.missingDays,
    });
    checks.push(...monthGaps(index, b, type, item, { year, opened }));
    for (const g of cost.gaps)
      checks.push({
        kind: 'cost_missing',
        building: b.id,
        item: item.id,
        text: `「${b.name}」${item.label}：${g.from === g.to ? g.from : `${g.from} 至 ${g.to}`}（${g.days} 天）无费用——${gapWhy[g.reason]}`,
      });
  }
  return { rows, checks, tariffs };
}

/** Each month of the year a building's energy type is not covered on every day, by metering or an entry. */
function monthGaps(
  index: ReturnType<typeof indexData>,
  b: SiteConfig['organization']['buildings'][number],
  type: EnergyType,
  item: FormItem,
  at: { year: number; opened: number },
): CheckItem[] {
  // Months without any day of data in a row are one item ("7 月至 12 月"), a month with some days
  // its own, so a year without a bill is one line and a meter's three lost days are another.
  const gaps: { first: number; last: number; lacking: number; whole: boolean; notEnded: string | null }[] =
    [];
  for (let m = 1; m <= 12; m++) {
    const mm = String(m).padStart(2, '0');
    const last = new Date(Date.UTC(at.year, m, 0)).getUTCDate();
    const month = periodOf(`${at.year}-${mm}-01`, `${at.year}-${mm}-${last}`);
    if (month.to <= at.opened) continue; // the building did not exist yet
    const pair = pairOver(index, b.id, type, month, at.opened);
    if (pair.coverage.state === 'complete') continue;
    const c = pair.coverage;
    const lacking = c.days - c.metered_days - c.entered_days;
    const whole = c.metered_days + c.entered_days === 0 && !pair.not_ended_from;
    const prev = gaps.at(-1);
    if (whole && prev?.whole && prev.last === m - 1) {
      prev.last = m;
      prev.lacking += lacking;
    } else gaps.push({ first: m, last: m, lacking, whole, notEnded: pair.not_ended_from });
  }
  return gaps.map((g) => ({
    kind: 'month_without_data',
    building: b.id,
    item: item.id,
    text: `「${b.name}」${item.label}：${at.year} 年 ${g.first === g.last ? `${g.first} 月` : `${g.first} 月至 ${g.last} 月`}缺 ${g.lacking} 天数据（无计量数据，也无账单或台账记录）${g.notEnded ? `（${g.notEnded} 起尚未结束）` : ''}`,
  }));
}

const basisOf = (billed: number, computed: number): CostBasis | null =>
  billed > 0 && computed > 0 ? 'mixed' : billed > 0 ? 'billed' : computed > 0 ? 'computed' : null;
const basisText: Record<CostBasis, string> = { billed: '账单', computed: '计算值', mixed: '账单+计算值' };

/** A row of the form from its buildings' parts. */
function formRow(item: FormItem, parts: StatisticsBuildingRow[], incomplete: boolean): StatisticsRow {
  const base = { item: item.id, label: item.label, unit: item.unit, unit_verified: item.unit_verified };
  if (item.energy_type === null)
    return {
      ...base,
      state: 'not_tracked',
      quantity: null,
      cost_yuan: null,
      cost_billed_yuan: 0,
      cost_computed_yuan: 0,
      cost_basis: null,
      cost_complete: true,
      note: '台账尚无此品种，如有消费请在表上手工填写',
    };
  if (parts.length === 0)
    return {
      ...base,
      state: 'none',
      quantity: null,
      cost_yuan: null,
      cost_billed_yuan: 0,
      cost_computed_yuan: 0,
      cost_basis: null,
      cost_complete: true,
      note: '本年无记录',
    };
  const billed = toFen(parts.reduce((s, r) => s + r.cost_billed_yuan, 0));
  const computed = toFen(parts.reduce((s, r) => s + r.cost_computed_yuan, 0));
  const missing = parts.reduce((s, r) => s + r.cost_missing_days, 0);
  const basis = basisOf(billed, computed);
  const notes = [
    basis
      ? `费用：${basisText[basis]}${basis === 'mixed' ? `（账单 ${billed.toFixed(2)} 元，计算值 ${computed.toFixed(2)} 元）` : ''}`
      : '',
    missing > 0 ? `${missing} 天无费用` : '',
    incomplete ? '数量不完整' : '',
  ].filter(Boolean);
  return {
    ...base,
    state: incomplete ? 'incomplete' : 'complete',
    quantity: round(parts.reduce((s, r) => s + r.quantity, 0)),
    cost_yuan: basis === null && missing > 0 ? null : toFen(billed + computed),
    cost_billed_yuan: billed,
    cost_computed_yuan: computed,
    cost_basis: basis,
    cost_complete: missing === 0,
    note: notes.join('；') || '—',
  };
}

/**
 * The annual statistics return of the organization for `year`: basic information, quantity and
 * cost of each item of 公共机构能源资源消费状况 (metered wins day by day, entries prorated, as in
 * the intensity report; costs from bills, else from tariffs), and the check list of what is missing
 * before it can be filed.
 */
export function statisticsReturn(input: StatisticsInput): StatisticsReport {
  const { site, form, year } = input;
  const index = indexData(input.metered, input.entries, input.today);
  const parts = site.organization.buildings.map((b) => buildingPart(input, index, b));
  const buildings = parts.flatMap((x) => x.rows);
  const energyChecks = parts.flatMap((x) => x.checks);
  const used = new Set(buildings.filter((r) => r.quantity > 0).map((r) => r.building));
  const { basic, checks: basicChecks } = basicInformation(site, input.facts, year, used);
  const rows = form.items.map((item) => {
    const mine = buildings.filter((r) => r.item === item.id);
    const incomplete = energyChecks.some((c) => c.kind === 'month_without_data' && c.item === item.id);
    return formRow(item, mine, incomplete);
  });
  const checklist = [...basicChecks, ...energyChecks];
  const tariffs = new Set(parts.flatMap((x) => [...x.tariffs]));
  const notes = [...form.notes];
  if (input.today !== undefined && dayNumber(input.today) <= dayNumber(`${year}-12-31`))
    notes.unshift({
      text: `${year} 年尚未结束（今天 ${input.today}）：本表只计已结束的日子，不能报送。`,
      verified: true,
    });
  for (const t of tariffs)
    if (!t.verified)
      notes.push({
        text: `价格未核对：${tariffUsed(t).prices}（${t.effective_from} 起，${t.source}）——计算值费用以此为据。`,
        verified: false,
      });
  return {
    kind: 'statistics',
    year,
    origin: input.origin,
    form: form.form,
    basic,
    rows,
    buildings,
    checklist,
    ready: checklist.length === 0,
    tariffs_used: [...tariffs].map(tariffUsed),
    notes,
  };
}
