import type { TariffUsed } from '../../core/reports/statistics.ts';
import type { CostTariff, TouPeriod } from '../../core/reports/statisticsConfig.ts';
import { dayNumber } from '../figures/dates.ts';

/** Chinese names of the time-of-use periods. */
export const periodNames: Record<TouPeriod, string> = { sharp: '尖峰', peak: '峰', flat: '平', valley: '谷' };

const unitOf = (t: CostTariff['energy_type']) => (t === 'electricity' ? '元/kWh' : '元/m³');

/**
 * The tariff of a building and energy type in force on a day: the latest effective_from on or
 * before it, one naming the building winning over one for every building from the same day on.
 */
export function tariffOn(
  tariffs: readonly CostTariff[],
  building: string,
  type: string,
  day: number,
): CostTariff | undefined {
  let best: CostTariff | undefined;
  let bestKey = Number.NEGATIVE_INFINITY;
  for (const t of tariffs) {
    if (t.energy_type !== type) continue;
    if (t.buildings && !t.buildings.includes(building)) continue;
    const from = dayNumber(t.effective_from);
    if (from > day) continue;
    const key = from * 2 + (t.buildings ? 1 : 0);
    if (key > bestKey) {
      best = t;
      bestKey = key;
    }
  }
  return best;
}

/** The price of a local hour (0–23) under a tariff, 元 per unit. */
export function priceAt(t: CostTariff, hour: number): number | undefined {
  if (t.price !== undefined) return t.price;
  const tou = t.time_of_use;
  if (!tou) return undefined;
  const h = tou.hours.find((x) =>
    x.from < x.to ? hour >= x.from && hour < x.to : hour >= x.from || hour < x.to % 24,
  );
  return h ? tou.prices[h.period] : undefined;
}

/** A tariff as the return lists it: its prices in words. */
export function tariffUsed(t: CostTariff): TariffUsed {
  const unit = unitOf(t.energy_type);
  const prices =
    t.price !== undefined
      ? `${t.price} ${unit}`
      : (t.time_of_use?.hours ?? [])
          .map(
            (h) => `${periodNames[h.period]} ${h.from}–${h.to} 时 ${t.time_of_use?.prices[h.period]} ${unit}`,
          )
          .join('；');
  return {
    energy_type: t.energy_type,
    effective_from: t.effective_from,
    buildings: t.buildings ?? 'all',
    prices,
    source: t.source,
    verified: t.verified,
  };
}
