import { describe, expect, it } from 'vitest';
import { comfortBand, type RunResult, runCompound } from '../bench/savings.ts';
import { tariffPeriod } from '../control/strategies.ts';
import { loadSite } from '../core/config/loadSite.ts';

/**
 * jieneng's default strategy in the simulated compound (bench/savings.ts; `npm run bench --
 * savings` runs the month). Three July workdays here: the figures come from the meters' kWh
 * registers and the zones' temperatures, so a unit that does not follow its commands shows up in
 * them even though the strategy's plan is the same.
 */
const site = loadSite(new URL('../examples/demo-site.yaml', import.meta.url).pathname);
const use = (r: RunResult) => r.kwh.hvac + r.kwh.lighting;
const from = '2025-07-14';
const days = 3;

describe('savings and comfort, measured', () => {
  it('saves HVAC + lighting electricity on the meters and keeps the zones comfortable', async () => {
    const baseline = await runCompound({ mode: 'baseline', from, days, site });
    const managed = await runCompound({ mode: 'managed', from, days, site });
    const broken = await runCompound({
      mode: 'managed',
      from,
      days,
      site,
      disobedient: ['zonghe-lou-f4-8-ac'],
    });
    const saved = 1 - use(managed) / use(baseline);
    expect(saved).toBeGreaterThan(0.15);
    expect(managed.comfort.share).toBeGreaterThanOrEqual(0.95);
    expect(managed.estimatedShare).toBe(0);
    // The plan switched the stuck unit off every evening, as it did in the healthy run; the unit
    // ran on, and the meters say so.
    const offs = (r: RunResult) =>
      (r.service?.audit({ device: 'zonghe-lou-f4-8-ac', point: 'on_off', limit: 1000 }) ?? []).filter(
        (a) => (a as { action: string }).action === 'write' && (a as { requested: number }).requested === 0,
      ) as { outcome: string }[];
    expect(offs(managed).length).toBeGreaterThanOrEqual(days);
    expect(offs(broken).length).toBe(offs(managed).length);
    expect(offs(broken).every((a) => a.outcome === 'not_following')).toBe(true);
    expect(use(broken) - use(managed)).toBeGreaterThan(1000);
    expect(
      broken.service?.engine.conditions
        .list()
        .some((c) => c.rule === 'not_following' && c.device === 'zonghe-lou-f4-8-ac'),
    ).toBe(true);
    for (const r of [managed, broken]) r.service?.close();
  }, 120_000);

  it('keeps the building’s 15-minute demand under its limit in the peak periods, within policy', async () => {
    const limit = site.config.control.demand_limits[0];
    const tariff = site.config.control.tariff;
    if (!limit || !tariff) throw new Error('the demo site has a demand limit and a tariff');
    const peakDemand = (r: RunResult) =>
      Math.max(
        ...(r.demand.get(limit.building) ?? [])
          .filter(([start]) => tariffPeriod(tariff, start + 1, 'Asia/Shanghai') === 'peak')
          .map(([, kw]) => kw),
      );
    const baseline = await runCompound({ mode: 'baseline', from, days, site });
    const unlimited = await runCompound({ mode: 'managed', from, days, site, strategies: { demand: false } });
    const limited = await runCompound({ mode: 'managed', from, days, site });
    expect(peakDemand(baseline)).toBeGreaterThan(limit.limit_kw);
    expect(peakDemand(unlimited)).toBeGreaterThan(limit.limit_kw);
    expect(peakDemand(limited)).toBeLessThanOrEqual(limit.limit_kw);
    // Within policy: every setpoint the limiter wrote is between the 26 °C rule and the 28 °C limit.
    const written = (limited.service?.audit({ limit: 1000 }) ?? []).filter(
      (a) =>
        (a as { action: string }).action === 'write' &&
        (a as { source: string }).source === 'strategy:demand-limit',
    ) as { requested: number; outcome: string }[];
    expect(written.length).toBeGreaterThan(0);
    for (const w of written) {
      expect(w.requested).toBeGreaterThanOrEqual(26);
      expect(w.requested).toBeLessThanOrEqual(28);
      expect(w.outcome).toBe('written');
    }
    expect(limited.comfort.share).toBeGreaterThanOrEqual(0.95);
    expect(comfortBand.max).toBe(28);
    for (const r of [unlimited, limited]) r.service?.close();
  }, 120_000);

  it('starts early by the learned cool-down rate so the zone is at setpoint at 08:00; fixed lead without history', async () => {
    const at8 =
      (temps: number[]) =>
      (
        t: number,
        sim: { building(id: string): { zone(id: string): { temperature: number } | undefined } | undefined },
      ) => {
        if ((t + 8 * 3_600_000) % 86_400_000 === 8 * 3_600_000)
          temps.push(sim.building('zonghe-lou')?.zone('f1-3')?.temperature ?? Number.NaN);
      };
    const early: number[] = [];
    const late: number[] = [];
    const withStart = await runCompound({ mode: 'managed', from, days, site, onStep: at8(early) });
    const without = await runCompound({
      mode: 'managed',
      from,
      days,
      site,
      strategies: { optimalStart: false },
      onStep: at8(late),
    });
    expect(early).toHaveLength(days);
    // Setpoint 26 °C with a band of 1 °C.
    for (const t of early) expect(t).toBeLessThanOrEqual(27.2);
    for (const t of late) expect(t).toBeGreaterThan(27.8);
    const starts = (
      withStart.service?.audit({
        device: 'zonghe-lou-f1-3-ac',
        source: 'strategy:optimal-start',
        limit: 100,
      }) ?? []
    )
      .filter((a) => (a as { action: string }).action === 'set')
      .map((a) => (a as { reason: string }).reason)
      .reverse();
    expect(starts[0]).toMatch(/^early start 60 min before/); // no history yet: the fixed lead
    expect(starts.slice(1).every((r) => !r.startsWith('early start 60 min'))).toBe(true);
    expect(withStart.service?.optimalStart.rate('zonghe-lou-f1-3-ac', 'cool')).toBeGreaterThan(0);
    expect(withStart.comfort.share).toBeGreaterThan(without.comfort.share);
    for (const r of [withStart, without]) r.service?.close();
  }, 120_000);
});
