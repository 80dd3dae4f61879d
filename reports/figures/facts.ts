import type { SiteConfig } from '../../core/config/siteSchema.ts';
import type { BuildingFact } from '../../core/reports/report.ts';
import { dateOf, dayNumber, type Period } from './dates.ts';

type Building = SiteConfig['organization']['buildings'][number];

/** One dated value: it holds from its day until the next one's. */
interface Step {
  from: number;
  value: number;
}

/** A fact time-weighted over a period: the mean by day, or null when no value holds on any day. */
export interface WeightedFact {
  value: number | null;
  /** How it was weighted, in words. */
  text: string;
}

const round1 = (x: number) => String(Math.round(x * 10) / 10);

/** The site file's dated values, then the imported facts (an import on the same date replaces it). */
function timeline(b: Building, facts: BuildingFact[], key: 'floor_area' | 'headcount'): Step[] {
  const steps = b[key].map((f) => ({ from: dayNumber(f.from), value: f.value }));
  for (const f of facts) {
    if (f.building !== b.id) continue;
    const from = dayNumber(f.effective_from);
    const i = steps.findIndex((s) => s.from === from);
    if (i >= 0) steps.splice(i, 1);
    steps.push({ from, value: key === 'floor_area' ? f.floor_area_m2 : f.headcount });
  }
  // A value repeated (e.g. an import that changed only the headcount) is no new step.
  return steps.sort((a, b) => a.from - b.from).filter((s, i, all) => s.value !== all[i - 1]?.value);
}

/**
 * A dated value's mean over the period, weighted by day. Before the first value the building did not
 * exist for the report (defect 6: a building opened mid-period), so those days count as 0 — its
 * energy is not expected for them either (pairOver from openedOn); no value at all gives null, never 0.
 */
function weigh(steps: Step[], p: Period, label: string, unit: string): WeightedFact {
  if (steps.length === 0) return { value: null, text: `${label}：无数据` };
  const parts: string[] = [];
  let sum = 0;
  let known = 0;
  steps.forEach((s, i) => {
    const start = Math.max(p.from, s.from);
    const end = Math.min(p.to, steps[i + 1]?.from ?? Number.POSITIVE_INFINITY);
    if (end <= start) return;
    sum += s.value * (end - start);
    known += end - start;
    parts.push(`${round1(s.value)} ${unit} ${dateOf(s.from)} 起`);
  });
  const days = p.to - p.from;
  const value = sum / days;
  if (known === 0)
    return { value: 0, text: `${label} 0 ${unit}（${dateOf(steps[0]?.from ?? p.from)} 起才有此建筑）` };
  const before = known < days ? `0 ${unit} ${dateOf(p.from)} 起（${days - known} 天尚无此建筑）` : null;
  const all = before ? [before, ...parts] : parts;
  if (all.length === 1) return { value, text: `${label} ${all[0]}` };
  return { value, text: `${label}按天加权：${all.join('，')} → ${round1(value)}` };
}

/**
 * The day number of a building's first fact (site file or imported, floor area or headcount):
 * before it the building did not exist for the report — no area, no people, no energy expected.
 * −∞ when it has none.
 */
export function openedOn(b: Building, facts: BuildingFact[]): number {
  const days = [
    ...b.floor_area.map((f) => dayNumber(f.from)),
    ...b.headcount.map((f) => dayNumber(f.from)),
    ...facts.filter((f) => f.building === b.id).map((f) => dayNumber(f.effective_from)),
  ];
  return days.length === 0 ? Number.NEGATIVE_INFINITY : Math.min(...days);
}

/** A building's floor area (m²) and headcount (persons) over a period, time-weighted. */
export function buildingFacts(
  b: Building,
  facts: BuildingFact[],
  p: Period,
): { floor_area_m2: number | null; headcount: number | null; facts_text: string } {
  const area = weigh(timeline(b, facts, 'floor_area'), p, '建筑面积', 'm²');
  const people = weigh(timeline(b, facts, 'headcount'), p, '用能人数', '人');
  return { floor_area_m2: area.value, headcount: people.value, facts_text: `${area.text}；${people.text}` };
}

/** The organization's: the sum of its buildings', null when any building's is unknown. */
export function organizationFacts(buildings: { floor_area_m2: number | null; headcount: number | null }[]): {
  floor_area_m2: number | null;
  headcount: number | null;
  facts_text: string;
} {
  const sum = (k: 'floor_area_m2' | 'headcount') =>
    buildings.some((b) => b[k] === null) ? null : buildings.reduce((s, b) => s + (b[k] ?? 0), 0);
  const area = sum('floor_area_m2');
  const people = sum('headcount');
  const show = (v: number | null, unit: string) => (v === null ? '缺数据' : `${round1(v)} ${unit}`);
  return {
    floor_area_m2: area,
    headcount: people,
    facts_text: `各建筑之和（各自按天加权）：建筑面积 ${show(area, 'm²')}；用能人数 ${show(people, '人')}`,
  };
}
