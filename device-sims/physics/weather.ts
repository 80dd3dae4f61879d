import { localParts } from '../../core/localTime.ts';
import type { WeatherSim } from '../scenario/schema.ts';
import { normal } from './random.ts';

export interface Outdoor {
  /** Dry-bulb temperature, °C. */
  temperature: number;
  /** Relative humidity, %. */
  humidity: number;
  /** Solar heat gain through the envelope, W per m² of floor. */
  solarGain: number;
}

const DAY_MS = 86_400_000;
const midMonthDay = [15, 45, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349];

/** Day of year 0–365 of a local date YYYY-MM-DD. */
function dayOfYear(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return (Date.UTC(y, m - 1, d) - Date.UTC(y, 0, 1)) / DAY_MS;
}

/** The monthly normals interpolated linearly between mid-months (wrapping December → January). */
function seasonal(values: readonly number[], doy: number): number {
  for (let i = 0; i < 12; i++) {
    const a = midMonthDay[i] ?? 0;
    const b = i === 11 ? (midMonthDay[0] ?? 0) + 365 : (midMonthDay[i + 1] ?? 0);
    const d = doy < (midMonthDay[0] ?? 0) ? doy + 365 : doy;
    if (d >= a && d < b)
      return (values[i] ?? 0) + (((values[(i + 1) % 12] ?? 0) - (values[i] ?? 0)) * (d - a)) / (b - a);
  }
  return values[0] ?? 0;
}

/**
 * Outdoor conditions: the site's monthly normals (interpolated through the year), a smooth
 * day-to-day departure drawn from the seed, a diurnal swing with the minimum near 05:00 and the
 * maximum near 14:00, humidity moving against temperature, and solar gain by sun height and season.
 */
export class WeatherModel {
  private readonly anomalies = new Map<number, number>();

  constructor(
    private readonly weather: WeatherSim,
    private readonly options: { seed: string | number; timeZone: string },
  ) {}

  /** Day-to-day departure of local day number `day` (days since the epoch), K; smoothed over three days. */
  private anomaly(day: number): number {
    let a = this.anomalies.get(day);
    if (a === undefined) {
      const n = (d: number) => normal(this.options.seed, 'weather', d);
      // Weights 0.5/0.3/0.2 have a combined standard deviation of √0.38.
      a = ((0.5 * n(day) + 0.3 * n(day - 1) + 0.2 * n(day - 2)) / Math.sqrt(0.38)) * this.weather.day_to_day;
      this.anomalies.set(day, a);
    }
    return a;
  }

  at(ms: number): Outdoor {
    const { date, hour } = localParts(ms, this.options.timeZone);
    return this.atLocal(date, hour);
  }

  /** Conditions at local `date` (YYYY-MM-DD) and fractional `hour`. */
  atLocal(date: string, hour: number): Outdoor {
    const doy = dayOfYear(date);
    const day = Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
    // Interpolate the departure between this day's noon and the neighbouring day's, so midnight has no step.
    const toward = hour < 12 ? day - 1 : day + 1;
    const w = Math.abs(hour - 12) / 24;
    const anomaly = (1 - w) * this.anomaly(day) + w * this.anomaly(toward);
    const diurnal = Math.cos((2 * Math.PI * (hour - 14)) / 24);
    const temperature =
      seasonal(this.weather.monthly_mean_temperature, doy) +
      anomaly +
      (this.weather.daily_range / 2) * diurnal;
    const humidity = Math.min(
      100,
      Math.max(20, seasonal(this.weather.monthly_mean_humidity, doy) - 12 * diurnal - 2 * anomaly),
    );
    const sun = Math.max(0, Math.sin((Math.PI * (hour - 6)) / 12));
    const season = 0.55 + 0.45 * Math.cos((2 * Math.PI * (doy - 172)) / 365);
    return { temperature, humidity, solarGain: this.weather.peak_solar_gain * sun * season };
  }
}
