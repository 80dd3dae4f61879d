import type { EnergyType, UsedFactor } from '../../core/reports/report.ts';
import { type Factors, type Fuel, fuelCo2, fuelKgce, fuelNames, gridCo2 } from '../factors.ts';

/** The organization's own factors (site file `reports.factor_overrides`). */
export type Overrides = Partial<
  Record<Fuel | 'electricity_co2', { value: number; source: string; verified: boolean }>
>;

/** What converts a period's quantities: its electricity kgce factor (the basis and coal-rate choice) and its year's CO₂ factors. */
export interface Conversion {
  factors: Factors;
  /** kgce/kWh for this period (当量值, or the chosen 等价值 coal rate). */
  electricityKgce: UsedFactor;
  /** The year whose grid CO₂ factor applies. */
  year: number;
  region: string;
  overrides: Overrides;
  /** Every factor a conversion used, by what it converts: the report lists them. */
  used: Map<string, UsedFactor>;
}

const fuelOf: Partial<Record<EnergyType, Fuel>> = {
  natural_gas: 'natural_gas',
  gasoline: 'gasoline',
  diesel: 'diesel',
  lpg: 'lpg',
  heat: 'heat',
  coal: 'coal',
};

function override(c: Conversion, key: Fuel | 'electricity_co2', base: UsedFactor): UsedFactor {
  const o = c.overrides[key];
  return o
    ? {
        ...base,
        ...o,
        what: `${base.what}（本单位自定）`,
        note: `替代 ${base.value} ${base.unit}（${base.source}）`,
      }
    : base;
}

/** Whether a type counts in 综合能耗 (water is reported in m³ and never converted). */
export const hasKgce = (t: EnergyType) => t !== 'water';

/**
 * kgce and kgCO₂ per unit of an energy type in this period (null: not converted), with a note
 * when a type has no CO₂ factor.
 */
export function perUnit(
  c: Conversion,
  t: EnergyType,
): { kgce: number | null; kgco2: number | null; note?: string } {
  const use = (f: UsedFactor) => {
    c.used.set(f.what, f);
    return f.value;
  };
  if (t === 'water') return { kgce: null, kgco2: null };
  if (t === 'electricity')
    return {
      kgce: use(c.electricityKgce),
      kgco2: use(override(c, 'electricity_co2', gridCo2(c.factors, c.year, c.region))),
    };
  if (t === 'other_kgce')
    return {
      kgce: 1,
      kgco2: null,
      note: '其他能源按 kgce 填报：无 CO₂ 排放因子，不计入碳排放',
    };
  const fuel = fuelOf[t];
  if (!fuel) return { kgce: null, kgco2: null };
  const co2 = fuelCo2(c.factors, fuel);
  return {
    kgce: use(override(c, fuel, fuelKgce(c.factors, fuel))),
    kgco2: co2 ? use(co2) : null,
    ...(co2 ? {} : { note: `${fuelNames[fuel]}：无 CO₂ 排放因子，不计入碳排放` }),
  };
}
