import { describe, expect, it } from 'vitest';
import { localTimestamp } from './build.ts';

describe('made_at', () => {
  it('is local time with its offset', () => {
    // 2025-12-31T16:05:09Z is 2026-01-01 00:05:09 in Shanghai (+08:00, no daylight saving)
    expect(localTimestamp(Date.parse('2025-12-31T16:05:09.700Z'), 'Asia/Shanghai')).toBe(
      '2026-01-01T00:05:09+08:00',
    );
    // and a zone west of Greenwich: New York in winter is −05:00
    expect(localTimestamp(Date.parse('2025-01-15T12:00:00Z'), 'America/New_York')).toBe(
      '2025-01-15T07:00:00-05:00',
    );
  });
});

describe('分项 from the store', () => {
  it('counts only ended days: today’s unfinished rollup is left out (second review, defect 5)', async () => {
    const { buildReport } = await import('./build.ts');
    const { testBuilding, testSite } = await import('./testData.ts');
    const config = {
      ...testSite([testBuilding('hq', '综合楼', 10_000, 400)]),
      meters: [
        {
          id: 'main1',
          name: 'main1',
          device: 'd',
          point: 'p',
          category: 'electricity',
          building: 'hq',
          role: 'main',
        },
        {
          ...{ id: 'light1', name: 'light1', device: 'd', point: 'p', category: 'electricity' },
          ...{ building: 'hq', role: 'sub', subitem: 'lighting' },
        },
      ],
    };
    const day = (d: number) => Date.parse('2025-03-01T00:00:00+08:00') + d * 86_400_000;
    const rows = [0, 1].flatMap((d) => [
      { period: 'day', meter: 'main1', start: day(d), value: 80, estimated: 0, unit: 'kWh' },
      { period: 'day', meter: 'light1', start: day(d), value: 50, estimated: 0, unit: 'kWh' },
    ]);
    const r = await buildReport({
      site: { config, file: 'site.yaml' } as never,
      store: { kind: 'memory', queryRollups: async () => rows } as never,
      ledger: { entries: () => [], facts: () => [] } as never,
      from: '2025-03-01',
      to: '2025-03-02',
      baselineYear: 2020,
      basis: 'equivalent',
      now: () => Date.parse('2025-03-02T10:00:00+08:00'),
    });
    // 2025-03-02 is today: only 03-01 counts — lighting 50 (was 100), other 80 − 50 = 30 (was 60)
    expect(r.counted_to).toBe('2025-03-01');
    expect(r.subitems.find((x) => x.key === 'lighting')?.value).toBe(50);
    expect(r.subitems.find((x) => x.virtual)?.value).toBe(30);
  });
});
