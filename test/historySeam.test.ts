import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCompound } from '../bench/savings.ts';
import { dayInfo } from '../core/calendar.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { localParts } from '../core/localTime.ts';
import { simulatedHistory } from '../device-sims/history/history.ts';
import { dayTemperature, type LiveProfile, profileFile } from '../device-sims/history/liveProfile.ts';

/**
 * The seam between the demo's simulated history and the live simulated building: `jieneng start`
 * writes the history up to the start, then the simulator (with control running: schedules, optimal
 * start, lighting sweeps, demand limiting) counts on. The live building is measured here the way
 * bench/savings.ts runs it — the simulated compound managed by the real control service with the
 * demo site's strategy, hourly kWh from the meters' registers — and the history of the same dates
 * must be within BOUND of it, hour by hour, on each building's main meter.
 *
 * `JN_HISTORY_PROFILE=write npx vitest run test/historySeam.test.ts` measures every day of 2025
 * of the live building (about a minute) and writes device-sims/history/live-profile.json (then
 * `npx biome check --write` it), what the history is made from.
 */
const site = loadSite(join(import.meta.dirname, '../examples/demo-site.yaml'));
const HOUR = 3_600_000;
/**
 * ±15 % per hour, the bound the issue asks for: the history's own day-to-day noise (±6 % per
 * sub-meter), and the live day's air-conditioning against the two measured 2025 days of the most
 * alike weather (the hour the units start, 07:00–08:00, moves with the morning's temperature and
 * optimal start's learned rates: the widest gap, −12 % at 档案与会议楼 07:00 on 12-01).
 */
const BOUND = 0.15;

type Hours = Record<string, number[]>; // `${building}|${meter}` → kWh (m³) of each hour of one local day

/** Hourly consumption of every building's meters on each local day from `from` + 1 (the first day warms up). */
async function measureLive(from: string, days: number): Promise<Map<string, Hours>> {
  const out = new Map<string, Hours>();
  let prev: Map<string, number> | undefined;
  await runCompound({
    mode: 'managed',
    from,
    days,
    site,
    onStep: (now, sim) => {
      if (now % HOUR !== 0) return;
      const cur = new Map<string, number>();
      for (const b of sim.buildings) {
        cur.set(`${b.spec.id}|main`, b.counters.main);
        for (const [k, v] of Object.entries(b.counters.subitems)) cur.set(`${b.spec.id}|${k}`, v);
        cur.set(`${b.spec.id}|water`, b.counters.water);
        cur.set(`${b.spec.id}|gas`, b.counters.gas);
      }
      if (prev) {
        const { date, hour } = localParts(now - HOUR, site.config.site.timezone);
        if (date > from) {
          const day = out.get(date) ?? {};
          out.set(date, day);
          for (const [k, v] of cur) {
            const hours = day[k] ?? [];
            hours[Math.floor(hour)] = v - (prev.get(k) ?? v);
            day[k] = hours;
          }
        }
      }
      prev = cur;
    },
  });
  return out;
}

/** The average hours of each day type over the measured days. */
function byDayType(days: Map<string, Hours>): Record<'work' | 'rest', Hours> {
  const sums: Record<'work' | 'rest', { hours: Hours; n: number }> = {
    work: { hours: {}, n: 0 },
    rest: { hours: {}, n: 0 },
  };
  for (const [date, hours] of days) {
    const s = sums[dayInfo(date).working ? 'work' : 'rest'];
    s.n++;
    for (const [k, v] of Object.entries(hours)) {
      const acc = s.hours[k] ?? (Array(24).fill(0) as number[]);
      v.forEach((x, h) => {
        acc[h] = (acc[h] ?? 0) + x;
      });
      s.hours[k] = acc;
    }
  }
  const avg = (s: { hours: Hours; n: number }) =>
    Object.fromEntries(
      Object.entries(s.hours).map(([k, v]) => [k, v.map((x) => Math.round((x / s.n) * 1000) / 1000)]),
    );
  return { work: avg(sums.work), rest: avg(sums.rest) };
}

const historyHours = (meter: string, date: string, until: number) => {
  const start = Date.parse(`${date}T00:00:00+08:00`);
  return simulatedHistory(site, { from: date, until })
    .filter(
      (r) => r.period === 'hour' && r.meter === meter && r.start >= start && r.start < start + 86_400_000,
    )
    .sort((a, b) => a.start - b.start)
    .map((r) => r.value);
};

const mains = site.config.meters.filter((m) => m.category === 'electricity' && m.role === 'main');

describe('the seam between the simulated history and the live simulated building', () => {
  if (process.env.JN_HISTORY_PROFILE === 'write')
    it('measures a year of the live building with control (writes the profile)', async () => {
      const profile: LiveProfile = {
        measured:
          'test/historySeam.test.ts: bench/savings.ts runCompound (managed, the demo site), every day of 2025',
        months: [],
        hvacDays: [],
      };
      // The whole of 2025, its first day after a day of warming up.
      const days = await measureLive('2024-12-31', 366);
      for (let m = 1; m <= 12; m++) {
        const mm = String(m).padStart(2, '0');
        profile.months.push(byDayType(new Map([...days].filter(([date]) => date.slice(5, 7) === mm))));
      }
      for (const [date, hours] of days) {
        if (!dayInfo(date).working) continue;
        const hvac = Object.entries(hours).filter(([k]) => k.endsWith('|hvac') || k.endsWith('|power'));
        profile.hvacDays.push({
          date,
          temperature: Math.round(dayTemperature(date) * 100) / 100,
          hours: Object.fromEntries(hvac.map(([k, v]) => [k, v.map((x) => Math.round(x * 100) / 100)])),
        });
      }
      writeFileSync(profileFile, `${JSON.stringify(profile)}\n`);
    }, 600_000);

  /** The live building from Monday 11-23: lights and the learned optimal start as a running demo has them. */
  const liveDays = measureLive('2026-11-22', 10);

  for (const [type, date] of [
    ['working day', '2026-12-01'],
    ['rest day', '2026-11-29'],
  ] as const)
    it(`has the last seeded ${type} (${date}) within ±${BOUND * 100} % of the live building, hour by hour, on every main meter`, async () => {
      const live = (await liveDays).get(date);
      if (!live) throw new Error(`no live day ${date}`);
      const until = Date.parse(`${date}T00:00:00+08:00`) + 86_400_000;
      const lines: string[] = [];
      const off: string[] = [];
      for (const meter of mains) {
        const seeded = historyHours(meter.id, date, until);
        const measured = live[`${meter.building}|main`] ?? [];
        expect(seeded, meter.id).toHaveLength(24);
        lines.push(
          `${meter.id} ${date}: live ${measured.reduce((a, b) => a + b, 0).toFixed(0)} kWh, history ${seeded.reduce((a, b) => a + b, 0).toFixed(0)} kWh; per hour live/history ${measured.map((v, h) => `${v.toFixed(0)}/${(seeded[h] ?? 0).toFixed(0)}`).join(' ')}`,
        );
        measured.forEach((v, h) => {
          const s = seeded[h] ?? 0;
          if (Math.abs(s - v) > BOUND * v)
            off.push(
              `${meter.id} ${String(h).padStart(2, '0')}:00 live ${v.toFixed(1)} history ${s.toFixed(1)}`,
            );
        });
      }
      console.log(lines.join('\n'));
      expect(off).toEqual([]);
    }, 120_000);
});
