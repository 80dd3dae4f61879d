import { type CounterSample, hourlyConsumption } from '../core/rollup/consumption.ts';

const METERS = 500;
const PER_YEAR = 365 * 96; // 15-minute readings

/**
 * Time to compute a year of hourly consumption for 500 meters from 15-minute counter readings
 * (17.5 million readings, with a reset and a glitch in each meter's year), against a baseline
 * measured in the same run: a bare loop that sums the same readings' differences into UTC hours
 * with no cleaning and no time zone — the least any rollup has to do.
 */
export async function benchRollups(): Promise<string[]> {
  const t0 = Date.parse('2025-01-01T00:00:00+08:00');
  const series = (m: number): CounterSample[] => {
    const out: CounterSample[] = new Array(PER_YEAR);
    let v = 1000 * m;
    for (let i = 0; i < PER_YEAR; i++) {
      v += 0.5 + ((i * 7 + m) % 11) / 10;
      let value = v;
      if (i === 10_000) value = 0; // glitch
      if (i === 20_000) v = 0.3; // reset
      out[i] = { ts: t0 + i * 900_000, value, quality: 'good' };
    }
    return out;
  };
  let baselineMs = 0;
  let rollupMs = 0;
  let hours = 0;
  for (let m = 0; m < METERS; m++) {
    const samples = series(m);
    let start = performance.now();
    const sums = new Float64Array(366 * 24 + 1);
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1] as CounterSample;
      const b = samples[i] as CounterSample;
      const k = Math.floor((b.ts - t0) / 3_600_000);
      sums[k] = (sums[k] ?? 0) + (b.value ?? 0) - (a.value ?? 0);
    }
    baselineMs += performance.now() - start;
    if (Number.isNaN(sums[5])) throw new Error('baseline went wrong'); // keep the loop from being optimised away
    start = performance.now();
    const r = hourlyConsumption(samples, { timeZone: 'Asia/Shanghai' });
    rollupMs += performance.now() - start;
    hours += r.hours.length;
  }
  return [
    `${METERS} meters × ${PER_YEAR} readings (a year at 15 min): hourly rollups in ${(rollupMs / 1000).toFixed(2)} s (${hours} hours, cleaned, local time) | bare UTC difference loop ${(baselineMs / 1000).toFixed(2)} s | ratio ${(baselineMs / rollupMs).toFixed(2)}`,
  ];
}
