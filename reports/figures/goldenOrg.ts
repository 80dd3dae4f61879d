import { siteSchema } from '../../core/config/siteSchema.ts';
import type { EnergyEntry } from '../../core/reports/report.ts';
import { loadFactors } from '../factors.ts';
import type { IntensityInput, MeteredDay } from './intensity.ts';
import { testBuilding } from './testData.ts';

/**
 * The golden organization: three buildings, 2020 from bills (entries), 2025 metered plus fuel
 * entries, building C metered only from July (its bills count before), and building A's headcount
 * rising from 300 to 400 on 2025-07-01. Every expected figure is worked out by hand beside it.
 */
/** A building of the golden site; building A has a metered area of its own. */
const building = (id: string, name: string, area: number, people: number) => ({
  ...testBuilding(id, name, area, people),
  areas: id === 'a' ? [{ id: 'f1', name: '一层 办事大厅', area: 2_000 }] : [],
});
export const site = siteSchema.parse({
  version: 1,
  site: { id: 'golden', name: '黄金园区' },
  organization: {
    id: 'golden-org',
    name: '某市机关事务管理局',
    buildings: [
      building('a', '综合楼', 10_000, 300),
      building('b', '服务楼', 4_000, 100),
      building('c', '档案楼', 6_000, 50),
    ],
  },
});

export function days(
  b: string,
  category: string,
  from: string,
  to: string,
  perDay: number,
  estimatedDays = 0,
): MeteredDay[] {
  const out: MeteredDay[] = [];
  for (
    let t = Date.parse(`${from}T00:00:00Z`), i = 0;
    t < Date.parse(`${to}T00:00:00Z`);
    t += 86_400_000, i++
  )
    out.push({
      building: b,
      category,
      date: new Date(t).toISOString().slice(0, 10),
      value: perDay,
      estimated: i < estimatedDays ? perDay : 0,
    });
  return out;
}
export const entry = (
  b: string,
  energy_type: EnergyEntry['energy_type'],
  period_start: string,
  period_end: string,
  quantity: number,
): EnergyEntry => ({
  building: b,
  energy_type,
  period_start,
  period_end,
  quantity,
  source: '2020 年能源资源消费统计报表',
});

/** A figure that must be there (NaN fails every closeTo when it is null). */
export const num = (x: number | null | undefined) => x ?? Number.NaN;

export const goldenInput: IntensityInput = {
  site: site,
  factors: loadFactors(),
  from: '2025-01-01',
  to: '2025-12-31', // the last day, included
  baselineYear: 2020,
  basis: 'equivalent',
  metered: [
    ...days('a', 'electricity', '2025-01-01', '2026-01-01', 2_600, 10), // 10 days estimated (a gap)
    ...days('a', 'water', '2025-01-01', '2026-01-01', 40),
    ...days('b', 'electricity', '2025-01-01', '2026-01-01', 1_000),
    ...days('b', 'gas', '2025-01-01', '2026-01-01', 50),
    ...days('b', 'water', '2025-01-01', '2026-01-01', 13),
    ...days('c', 'electricity', '2025-07-01', '2026-01-01', 800), // meter installed in July
    ...days('c', 'water', '2025-01-01', '2026-01-01', 2.5),
    // A's ground floor has its own sub-meter: 300 kWh a day, inside A's main meter
    ...days('a', 'electricity', '2025-01-01', '2026-01-01', 300).map((d) => ({ ...d, area: 'f1' })),
  ],
  entries: [
    entry('a', 'electricity', '2020-01-01', '2020-12-31', 1_000_000),
    entry('a', 'water', '2020-01-01', '2020-12-31', 15_000),
    entry('a', 'gasoline', '2020-01-01', '2020-12-31', 10_000),
    entry('b', 'electricity', '2020-01-01', '2020-12-31', 400_000),
    entry('b', 'natural_gas', '2020-01-01', '2020-12-31', 20_000),
    entry('b', 'water', '2020-01-01', '2020-12-31', 5_000),
    entry('c', 'electricity', '2020-01-01', '2020-12-31', 300_000),
    entry('c', 'water', '2020-01-01', '2020-12-31', 1_000),
    entry('a', 'gasoline', '2025-01-01', '2025-12-31', 9_000), // vehicle fuel cards
    entry('c', 'electricity', '2025-01-01', '2025-12-31', 292_000), // bills, overlapping the meter from July
  ],
  facts: [{ building: 'a', effective_from: '2025-07-01', floor_area_m2: 10_000, headcount: 400 }],
};
