import type { IntensityReport, MissingItem, TargetIndicator } from '../../core/reports/report.ts';
import { energyName } from './labels.ts';
import { absent, type Cell, formatNumber, MISSING, share, type Table } from './model.ts';

/*
 * In a report where much is missing the engine names the same items in the overall status, each
 * comparison's reason, the coverage notes and the ranking (about six times in the CLI test's
 * January). The PDF says them once, in the 缺数据清单, and refers to it elsewhere (see referToList).
 */

/** What a PDF cell or note says in place of the items the 缺数据清单 lists. */
export const SEE_LIST = '见缺数据清单';

interface Listed extends MissingItem {
  period: '本期' | '基准期';
}

/** Every missing item of the report's period and of its baseline, each once. */
export function missingList(r: IntensityReport): Listed[] {
  const seen = new Set<string>();
  const out: Listed[] = [];
  const add = (items: MissingItem[], period: Listed['period']) => {
    for (const m of items)
      if (!seen.has(m.text)) {
        seen.add(m.text);
        out.push({ ...m, period });
      }
  };
  for (const s of [...r.buildings, r.organization]) add(s.missing, '本期');
  if (r.baseline)
    for (const s of [...r.baseline.buildings, r.baseline.organization]) add(s.missing, '基准期');
  return out;
}

const nameOf = (r: IntensityReport, id: string) =>
  r.buildings.find((b) => b.id === id)?.name ?? (id === r.organization.id ? r.organization.name : id);

/** Why an item is listed, as the engine's text says it: each cause the PDF row and note name. */
export type MissingCause = 'overlap' | 'today' | 'no_data';

/**
 * The causes in an item's text (reports/figures/scope.ts missingItems): 录入重叠 (two stored
 * entries share days, neither counted), 未满一天 (today's day has not ended), else days without
 * data. Read from the words because the item carries no cause field; a text naming neither is
 * days without data.
 */
export function causesOf(m: Pick<MissingItem, 'text'>): MissingCause[] {
  const out: MissingCause[] = [];
  if (m.text.includes('录入重叠')) out.push('overlap');
  if (m.text.includes('未满一天')) out.push('today');
  return out.length > 0 ? out : ['no_data'];
}

const causeWords = (m: MissingItem) =>
  causesOf(m)
    .map((c) =>
      c === 'overlap'
        ? '录入重叠：改正后 --replace 重新导入'
        : c === 'today'
          ? '今日未满一天'
          : m.share > 0
            ? '部分日期无数据'
            : '无数据',
    )
    .join('；');

/** What to do, one sentence per cause present in the list; the rule on 达标 always. */
function listNotes(items: MissingItem[]): string[] {
  const causes = new Set(items.flatMap(causesOf));
  return [
    ...(causes.has('overlap')
      ? ['录入重叠：重叠的天两条均未计入，改正账单后用 jieneng import entries FILE --replace 重新导入。']
      : []),
    ...(causes.has('today') ? ['今日未满一天：当日数据不计，次日重新生成报告即可，无需补录。'] : []),
    ...(causes.has('no_data') ? ['无数据：补录所缺账单或恢复计量后重新生成报告。'] : []),
    '所列数据不全时，相关指标不判定达标。',
  ];
}

/** 缺数据清单: each item missing or partly covered, once: which building, energy, days, coverage and why. */
export function missingTable(r: IntensityReport): Table {
  const items = missingList(r);
  return {
    name: '缺数据',
    title: '缺数据清单',
    columns: [
      { header: '期别', kind: 'text' },
      { header: '建筑', kind: 'text' },
      { header: '能源', kind: 'text' },
      { header: '期间', kind: 'text' },
      { header: '覆盖率', kind: 'percent' },
      { header: '原因', kind: 'text' },
      // the engine's words for the row, which its columns already say in the PDF
      { header: '说明', kind: 'text', pdf: false },
    ],
    rows: items.map((m): Cell[] => [
      m.period,
      nameOf(r, m.building),
      energyName(m.energy_type),
      `${m.from} 至 ${m.to}`,
      m.share > 0 ? share(m.share) : absent(MISSING),
      causeWords(m),
      m.text,
    ]),
    notes: listNotes(items),
  };
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `text` with the items of the 缺数据清单 replaced by one reference to it: "数据不全，未评价达标：
 * a；b；c" → "数据不全，未评价达标：见缺数据清单". Text naming none of them is returned as it is.
 */
export function referToList(text: string, items: string[]): string {
  if (items.length === 0 || !items.some((m) => text.includes(m))) return text;
  const mark = '\u0000';
  let out = text;
  for (const m of [...items].sort((a, b) => b.length - a.length))
    out = out.replace(new RegExp(esc(m), 'g'), mark);
  return out
    .replace(/[；;]\s*等共 \d+ 项（见各建筑缺数据清单）/g, '')
    .replace(new RegExp(`${mark}(?:\\s*[；;，、]\\s*${mark})*`, 'g'), SEE_LIST);
}

/** The energy types an indicator rests on: water for 人均用水量, every other type for the rest. */
const restsOn = (indicator: TargetIndicator, type: string) =>
  indicator === 'water_per_capita_m3' ? type === 'water' : type !== 'water';

/** The lowest coverage of the energy types an indicator of a scope rests on; null when no type. */
function coverageOf(
  scopes: { id: string; totals: { energy_type: string; coverage: { share: number } }[] }[],
  scope: string,
  indicator: TargetIndicator,
): number | null {
  const s = scopes.find((x) => x.id === scope);
  const shares = (s?.totals ?? [])
    .filter((t) => restsOn(indicator, t.energy_type))
    .map((t) => t.coverage.share);
  return shares.length > 0 ? Math.min(...shares) : null;
}

/** As the 覆盖率 columns print it (91.78%); a share under 1 never reads 100.00% (99.996 % → 99.99%). */
const pct = (x: number) => formatNumber(Math.min(x, 0.9999), 'percent', 2);

/**
 * The coverage a comparison's status cell shows when a side is partly covered: "覆盖 91.78%",
 * "基准期覆盖 80.00%"; "" when both sides are
 * complete or a side has nothing (its figure already reads 缺数据).
 */
export function coverageNote(r: IntensityReport, scope: string, indicator: TargetIndicator): string {
  const now = coverageOf([...r.buildings, r.organization], scope, indicator);
  const base = r.baseline
    ? coverageOf([...r.baseline.buildings, r.baseline.organization], scope, indicator)
    : null;
  const parts = [
    now !== null && now > 0 && now < 1 ? `覆盖 ${pct(now)}` : '',
    base !== null && base > 0 && base < 1 ? `基准期覆盖 ${pct(base)}` : '',
  ].filter(Boolean);
  return parts.join('，');
}
