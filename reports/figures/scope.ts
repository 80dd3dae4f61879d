import type { SiteConfig } from '../../core/config/siteSchema.ts';
import type { BuildingFact, EnergyType, MissingItem, Scope, TypeTotal } from '../../core/reports/report.ts';
import { energyUnits } from '../energy.ts';
import { type Conversion, hasKgce, perUnit } from './convert.ts';
import type { Period } from './dates.ts';
import { conflictText } from './entries.ts';
import { buildingFacts, openedOn, organizationFacts } from './facts.ts';
import { subMeterNotes } from './mainMeters.ts';
import { coverageOf, type DataIndex, type PairFigures, pairOver } from './quantities.ts';

type Building = SiteConfig['organization']['buildings'][number];

/** The Chinese label of each energy type, as a missing-data line names it. */
export const typeLabel: Record<EnergyType, string> = {
  electricity: '电',
  water: '水',
  natural_gas: '天然气',
  gasoline: '汽油',
  diesel: '柴油',
  lpg: '液化石油气',
  heat: '热力',
  coal: '煤',
  other_kgce: '其他能源',
};

/** A scope with the building × type figures it was added up from (what coverage checks read). */
export interface ScopeCalc {
  scope: Scope;
  pairs: PairFigures[];
}

const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
const round3 = (x: number) => String(Math.round(x * 1000) / 1000);
const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

/** One type's total over its pairs (one per building); null quantity as soon as one building has none. */
function totalOf(t: EnergyType, pairs: PairFigures[], conv: Conversion, notes: Set<string>): TypeTotal {
  const sum = (k: 'metered' | 'entered' | 'estimated') => pairs.reduce((s, x) => s + x[k], 0);
  const c = (k: 'days' | 'metered_days' | 'entered_days') => pairs.reduce((s, x) => s + x.coverage[k], 0);
  const metered = sum('metered');
  const entered = sum('entered');
  const estimated = sum('estimated');
  const all = metered + entered;
  const coverage = coverageOf(
    c('days'),
    c('metered_days'),
    c('entered_days'),
    all > 0 ? Math.max(0, Math.min(1, estimated / all)) : 0,
  );
  const quantity = pairs.some((x) => x.coverage.state === 'missing') ? null : all;
  const f = perUnit(conv, t);
  if (f.note) notes.add(f.note);
  if (quantity !== null && quantity > 0 && estimated > 0)
    notes.add(`${typeLabel[t]}：${percent(estimated / quantity)} 为估算（缺测、冻结或复位期间插补）`);
  return {
    energy_type: t,
    quantity,
    unit: energyUnits[t].unit,
    kgce: quantity === null || f.kgce === null ? null : quantity * f.kgce,
    kgco2: quantity === null || f.kgco2 === null ? null : quantity * f.kgco2,
    metered,
    entered,
    estimated,
    coverage,
  };
}

/** What is missing, in words: "综合楼 电 2025-01-01 至 2025-12-31 缺数据". */
export function missingItems(pairs: PairFigures[], names: Map<string, string>): MissingItem[] {
  return pairs
    .filter((x) => x.coverage.state !== 'complete' && x.gap)
    .map((x) => {
      const gap = x.gap ?? { from: '', to: '' };
      const what = `${names.get(x.building) ?? x.building} ${typeLabel[x.energy_type]} ${gap.from} 至 ${gap.to}`;
      return {
        building: x.building,
        energy_type: x.energy_type,
        from: gap.from,
        to: gap.to,
        share: x.coverage.share,
        text: [
          x.coverage.state === 'missing'
            ? `${what} 缺数据`
            : `${what} 有缺（覆盖 ${percent(x.coverage.share)}）`,
          ...(x.absent_until
            ? [`该建筑的首个事实日期为 ${x.absent_until}，此期间尚无此建筑，无此期数据（非 0）`]
            : []),
          ...(x.not_ended_from ? [`${x.not_ended_from} 起的数据未满一天（今日数据未满一天），不计`] : []),
          ...x.conflicts.map(conflictText),
        ].join('，'),
      };
    });
}

/** A scope's figures from its facts and its building × type pairs. */
function scopeOf(
  head: Pick<Scope, 'id' | 'name' | 'floor_area_m2' | 'headcount' | 'facts_text'>,
  pairs: PairFigures[],
  conv: Conversion,
  names: Map<string, string>,
): ScopeCalc {
  const notes = new Set<string>();
  const types = [...new Set(pairs.map((x) => x.energy_type))].sort();
  const totals = types.map((t) =>
    totalOf(
      t,
      pairs.filter((x) => x.energy_type === t),
      conv,
      notes,
    ),
  );
  const energyTypes = totals.filter((x) => hasKgce(x.energy_type));
  const unknown = energyTypes.length === 0 || energyTypes.some((x) => x.quantity === null);
  const energy = unknown ? null : energyTypes.reduce((s, x) => s + (x.kgce ?? 0), 0);
  const carbon = unknown ? null : energyTypes.reduce((s, x) => s + (x.kgco2 ?? 0), 0);
  const quantity = (t: EnergyType) => totals.find((x) => x.energy_type === t)?.quantity ?? null;
  const states = new Set(totals.map((x) => x.coverage.state));
  for (const x of pairs)
    if (x.before_opened)
      notes.add(
        `${names.get(x.building) ?? x.building} ${typeLabel[x.energy_type]}：${x.before_opened.from} 至 ${x.before_opened.to} 有 ${round3(x.before_opened.quantity)} ${energyUnits[x.energy_type].unit} 的计量或录入，早于该建筑的首个事实日期，未计入——请核对建筑面积/人数的起始日期`,
      );
  return {
    pairs,
    scope: {
      ...head,
      totals,
      energy_kgce: energy,
      carbon_kgco2: carbon,
      indicators: {
        energy_per_area_kgce_m2: ratio(energy, head.floor_area_m2),
        energy_per_capita_kgce: ratio(energy, head.headcount),
        water_per_capita_m3: ratio(quantity('water'), head.headcount),
        carbon_per_area_kgco2_m2: ratio(carbon, head.floor_area_m2),
        electricity_per_area_kwh_m2: ratio(quantity('electricity'), head.floor_area_m2),
      },
      coverage:
        states.size === 1 && states.has('complete')
          ? 'complete'
          : states.size === 1 && states.has('missing')
            ? 'missing'
            : 'partial',
      missing: missingItems(pairs, names),
      notes: [...notes],
    },
  };
}

/** What the scopes of one period are computed from. */
export interface PeriodInput {
  site: SiteConfig;
  index: DataIndex;
  facts: BuildingFact[];
  /** The energy types each building is expected to have. */
  expected: Map<string, EnergyType[]>;
}

/** Each building and the organization over one period. */
export function scopesOver(
  input: PeriodInput,
  p: Period,
  conv: Conversion,
): { buildings: ScopeCalc[]; organization: ScopeCalc } {
  const org = input.site.organization;
  const names = new Map(org.buildings.map((b) => [b.id, b.name]));
  const buildings = org.buildings.map((b: Building) => {
    const calc = scopeOf(
      { id: b.id, name: b.name, ...buildingFacts(b, input.facts, p) },
      (input.expected.get(b.id) ?? []).map((t) =>
        pairOver(input.index, b.id, t, p, openedOn(b, input.facts)),
      ),
      conv,
      names,
    );
    calc.scope.notes.push(...subMeterNotes(input.site, b.id, typeLabel));
    return calc;
  });
  const organization = scopeOf(
    { id: org.id, name: org.name, ...organizationFacts(buildings.map((b) => b.scope)) },
    buildings.flatMap((b) => b.pairs),
    conv,
    names,
  );
  return { buildings, organization };
}
