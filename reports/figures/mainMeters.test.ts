import { describe, expect, it } from 'vitest';
import type { SiteConfig } from '../../core/config/siteSchema.ts';
import type { RollupRow } from '../../core/store/store.ts';
import { intensityReport } from './intensity.ts';
import { coveredTotals } from './mainMeters.ts';
import { emptyInput, meteredDays, testBuilding, testSite } from './testData.ts';

/** Second review, defect 1: the sub-meters' sum is not a building's consumption when it has a 总表. */
const meter = (id: string, building: string, role: 'main' | 'sub', subitem?: string) => ({
  id,
  name: id,
  device: 'd1',
  point: 'kwh',
  category: 'electricity' as const,
  building,
  role,
  ...(subitem ? { subitem } : {}),
});
const site = {
  ...testSite([testBuilding('dangan', '档案馆', 10_000, 400), testBuilding('annex', '附楼', 1_000, 40)]),
  meters: [
    meter('dangan-main', 'dangan', 'main'),
    ...['a', 'b', 'c', 'd'].map((x) => meter(`dangan-${x}`, 'dangan', 'sub', 'lighting')),
    meter('annex-a', 'annex', 'sub', 'lighting'),
    meter('annex-b', 'annex', 'sub', 'hvac'),
  ],
} as SiteConfig;
const row = (id: string, building: string, value: number): RollupRow => ({
  period: 'day',
  meter: id,
  start: Date.parse('2025-03-01T00:00:00+08:00'),
  value,
  estimated: 0,
  unit: 'kWh',
  building,
  category: 'electricity',
  role: id.endsWith('main') ? 'main' : 'sub',
});
const subs = ['a', 'b', 'c', 'd'].map((x) => row(`dangan-${x}`, 'dangan', 200));

describe('a building with a main meter is not covered on a day it did not report', () => {
  it('drops the day instead of reading the sub-meters (800) as the building (was 800 "complete")', () => {
    const out = coveredTotals([...subs, row('annex-a', 'annex', 10), row('annex-b', 'annex', 5)], site);
    expect(out.map((t) => [t.key, t.value])).toEqual([['annex', 15]]);
  });
  it('reads the main meter when it reported', () => {
    const out = coveredTotals([...subs, row('dangan-main', 'dangan', 1_000)], site);
    expect(out.map((t) => [t.key, t.value])).toEqual([['dangan', 1_000]]);
  });
  it('says in Chinese when a building without a main meter is the sum of its sub-meters', () => {
    const r = intensityReport({
      ...emptyInput(site, '2025-03-01', '2025-03-31'),
      baselineYear: 2020,
      metered: meteredDays('annex', 'electricity', '2025-03-01', '2025-03-31', 15),
    });
    expect(r.buildings[1]?.notes).toContain(
      '电：未配置总表，按各分表之和计（annex-a、annex-b），未计量部分不在其中',
    );
    expect(r.buildings[0]?.notes.some((n) => n.includes('未配置总表'))).toBe(false);
  });
});
