import type { EnergyType } from '../core/reports/report.ts';

/** The unit each energy type is counted in, and the units an entry may use (with their factor). */
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
