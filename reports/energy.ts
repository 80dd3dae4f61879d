import type { EnergyType } from '../core/reports/report.ts';

/**
 * Energy types and the units an entry may use. `unit` is what the ledger stores and every report
 * counts in; `accepts` are the units an officer may enter with their fixed factor to `unit`
 * (litres of fuel are converted by density instead: see `volumeFuels`).
 */
export const energyUnits: Record<EnergyType, { unit: string; accepts: Record<string, number> }> = {
  electricity: { unit: 'kWh', accepts: { kWh: 1, MWh: 1000 } },
  water: { unit: 'm³', accepts: { 'm³': 1, m3: 1, t: 1 } },
  natural_gas: { unit: 'm³', accepts: { 'm³': 1, m3: 1 } },
  gasoline: { unit: 'kg', accepts: { kg: 1, t: 1000 } },
  diesel: { unit: 'kg', accepts: { kg: 1, t: 1000 } },
  lpg: { unit: 'kg', accepts: { kg: 1, t: 1000 } },
  heat: { unit: 'MJ', accepts: { MJ: 1, GJ: 1000 } },
  coal: { unit: 'kg', accepts: { kg: 1, t: 1000 } },
  other_kgce: { unit: 'kgce', accepts: { kgce: 1, tce: 1000 } },
};

/** Every energy type, in the order the ledger and its template list them. */
export const energyTypes = Object.keys(energyUnits) as EnergyType[];

/** Fuels a vehicle log gives in litres (L, 升): converted to kg with the densities in data/densities.yaml. */
export const volumeFuels = ['gasoline', 'diesel'] as const satisfies readonly EnergyType[];
export type VolumeFuel = (typeof volumeFuels)[number];
export const isVolumeFuel = (t: EnergyType): t is VolumeFuel =>
  (volumeFuels as readonly string[]).includes(t);

/** The units a type may be entered in: its fixed-factor units, and L (升) for gasoline and diesel. */
export const unitsFor = (t: EnergyType): string[] => [
  ...Object.keys(energyUnits[t].accepts),
  ...(isVolumeFuel(t) ? ['L'] : []),
];

/**
 * Chinese names an officer may write for each energy type (the first is the label the template
 * offers in its drop-down list), as in the 公共机构能源资源消费统计 forms.
 */
export const energyTypeNames: Record<EnergyType, readonly string[]> = {
  electricity: ['电力', '电'],
  water: ['水'],
  natural_gas: ['天然气'],
  gasoline: ['汽油'],
  diesel: ['柴油'],
  lpg: ['液化石油气', '液化气'],
  heat: ['热力', '热'],
  coal: ['原煤', '煤', '煤炭'],
  other_kgce: ['其他(折标煤)', '其他', '折标煤'],
};

/** Chinese or variant spellings of units, mapped to the unit `energyUnits` accepts. */
export const unitAliases: Record<string, string> = {
  kwh: 'kWh',
  千瓦时: 'kWh',
  度: 'kWh',
  mwh: 'MWh',
  兆瓦时: 'MWh',
  立方米: 'm³',
  方: 'm³',
  吨: 't',
  千克: 'kg',
  公斤: 'kg',
  升: 'L',
  l: 'L',
  兆焦: 'MJ',
  mj: 'MJ',
  吉焦: 'GJ',
  gj: 'GJ',
  千克标准煤: 'kgce',
  吨标准煤: 'tce',
};

/**
 * The largest quantity one entry may hold, in the type's unit. A city-sized compound of public
 * buildings uses about 1e7 kWh of electricity, 1e6 m³ of water or gas and 1e5 GJ of heat a year;
 * each bound is about 100 times that, so a real bill always fits and a slipped exponent
 * (1e300 kWh) or a unit mix-up by 1000 twice does not.
 */
export const maxQuantity: Record<EnergyType, number> = {
  electricity: 1e9,
  water: 1e8,
  natural_gas: 1e8,
  gasoline: 1e8,
  diesel: 1e8,
  lpg: 1e8,
  heat: 1e10,
  coal: 1e9,
  other_kgce: 1e9,
};

/** The largest cost one entry may hold, yuan: 1e10, a thousand times a large compound's yearly bill. */
export const maxCostYuan = 1e10;

/**
 * The energy types with their Chinese names and units, one line each, for help pages
 * (`jieneng import --help`): "electricity 电力/电: kWh, MWh".
 */
export function energyTypesText(): string {
  return energyTypes.map((t) => `${t} ${energyTypeNames[t].join('/')}: ${unitsFor(t).join(', ')}`).join('\n');
}
