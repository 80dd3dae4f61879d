import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WeatherModel } from '../physics/weather.ts';
import { defaultScenarioFile, loadScenario } from '../scenario/load.ts';

/**
 * The live simulated building measured: for each month (January first) and day type, the hourly
 * consumption of every building's meters (`${building}|${meter}`: main, lighting_socket, hvac,
 * power, special in kWh; water, gas in m³), averaged over that month of 2025 of the simulated
 * compound run with the demo site's control (schedules, optimal start, lighting sweeps, demand
 * limiting) — what `jieneng start` serves. The history is made from it, so that its hours meet the
 * live simulator's at the seam. Measured and written by test/historySeam.test.ts
 * (`JN_HISTORY_PROFILE=write npx vitest run test/historySeam.test.ts`) after the physics, the
 * scenario or the demo's strategy change.
 */
export interface LiveProfile {
  measured: string;
  months: Record<'work' | 'rest', Record<string, number[]>>[];
  /**
   * The air-conditioning of each measured working day, which follows the day's weather (and
   * optimal start the morning's), and the pumps (动力), which run harder while it does: the day's
   * mean outdoor temperature and each building's hours (`${building}|hvac`, `${building}|power`).
   */
  hvacDays: { date: string; temperature: number; hours: Record<string, number[]> }[];
}

export const profileFile = join(import.meta.dirname, 'live-profile.json');

let weather: WeatherModel | undefined;
const temperatures = new Map<string, number>();

/** The simulated weather's mean outdoor temperature of a local day, °C (the default scenario's). */
export function dayTemperature(date: string): number {
  let t = temperatures.get(date);
  if (t === undefined) {
    if (!weather) {
      const { scenario } = loadScenario(defaultScenarioFile);
      weather = new WeatherModel(scenario.weather, { seed: scenario.seed, timeZone: scenario.timezone });
    }
    let sum = 0;
    for (let h = 0; h < 24; h++) sum += weather.atLocal(date, h + 0.5).temperature;
    t = sum / 24;
    temperatures.set(date, t);
  }
  return t;
}

let cached: LiveProfile | undefined;

/** The measured profile; undefined when it has not been written (the history falls back to its per-m² model). */
export function liveProfile(): LiveProfile | undefined {
  if (cached) return cached;
  if (!existsSync(profileFile)) return undefined;
  cached = JSON.parse(readFileSync(profileFile, 'utf8')) as LiveProfile;
  return cached;
}
