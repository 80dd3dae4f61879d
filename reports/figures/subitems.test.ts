import { describe, expect, it } from 'vitest';
import type { SiteConfig } from '../../core/config/siteSchema.ts';
import type { RollupRow } from '../../core/store/store.ts';
import { subitemsOf } from './subitems.ts';
import { testBuilding, testSite } from './testData.ts';

const meter = (id: string, role: 'main' | 'sub', subitem?: string) => ({
  id,
  name: id,
  device: 'd1',
  point: 'kwh',
  category: 'electricity' as const,
  building: 'hq',
  role,
  ...(subitem ? { subitem } : {}),
});
const site = {
  ...testSite([testBuilding('hq', '综合楼', 10_000, 400)]),
  meters: [meter('main1', 'main'), meter('light1', 'sub', 'lighting')],
} as SiteConfig;
const row = (m: (typeof site.meters)[number], day: number, value: number): RollupRow => ({
  period: 'day',
  meter: m.id,
  start: Date.parse('2025-01-01T00:00:00+08:00') + day * 86_400_000,
  value,
  estimated: 0,
  unit: 'kWh',
  building: 'hq',
  category: 'electricity',
  role: m.role,
  ...(m.subitem ? { subitem: m.subitem } : {}),
});

describe('分项 other without the main meter', () => {
  const [main, light] = site.meters as [(typeof site.meters)[number], (typeof site.meters)[number]];
  it('is 缺数据 (null), not 0, when the main meter reported nothing in the period', () => {
    const out = subitemsOf([row(light, 0, 50), row(light, 1, 50)], site, 2);
    const other = out.find((x) => x.virtual);
    expect(other).toMatchObject({ value: null, coverage: 0 });
    expect(other?.note).toBe('缺数据：综合楼 总表（main1）本期无数据，其他/未计量无法计算');
    expect(out.find((x) => x.key === 'lighting')?.value).toBe(100);
  });
  it('is main − Σ subs when the main meter reported', () => {
    const out = subitemsOf([row(main, 0, 80), row(light, 0, 50)], site, 1);
    expect(out.find((x) => x.virtual)?.value).toBe(30);
  });

  it('is 缺数据 when one building’s main meter is silent, even if another’s reported (defect 5)', () => {
    const two = {
      ...testSite([testBuilding('hq', '综合楼', 10_000, 400), testBuilding('new', '新楼', 1_000, 40)]),
      meters: [...site.meters, { ...meter('main2', 'main'), building: 'new' }],
    } as SiteConfig;
    const out = subitemsOf([row(main, 0, 80), row(light, 0, 50)], two, 1);
    const other = out.find((x) => x.virtual);
    // was 30 (hq's 80 − 50) as if 新楼 used nothing unmetered
    expect(other).toMatchObject({ value: null, coverage: 0 });
    expect(other?.note).toBe('缺数据：新楼 总表（main2）本期无数据，其他/未计量无法计算');
  });
  it('rests its coverage on the main meter’s days', () => {
    // main1 reported 1 of 2 days, light1 both: coverage 1/2 (was 1, from the sub-meters)
    const out = subitemsOf([row(main, 0, 80), row(light, 0, 50), row(light, 1, 50)], site, 2);
    const other = out.find((x) => x.virtual);
    expect(other?.coverage).toBe(0.5);
    expect(other?.note).toContain('不完整：综合楼 总表 1/2 天');
  });
});
