import { siteSchema } from '../../core/config/siteSchema.ts';
import type { EnergyEntry, EnergyType, IntensityReport } from '../../core/reports/report.ts';
import { loadFactors } from '../factors.ts';
import { type IntensityInput, intensityReport, type MeteredDay } from '../figures/intensity.ts';

/*
 * The sample organization of the committed PDF (docs/examples) and of the renderers' read-back
 * test: 某市机关事务管理局, three buildings, 2025 against the 2020 baseline (十四五), 当量值.
 *   综合楼 hq     12,000 m², 300 人 → 400 人 from 2025-07-01; electricity and water metered in 2025
 *                (2,800 kWh and 27 m³ a day, three days estimated), natural gas by quarterly bills;
 *                一层办事大厅 metered apart; a January power bill the meters supersede.
 *   服务楼 annex   4,000 m², 120 人; everything by bills, and the official car's petrol in litres.
 *   档案楼 archive 6,000 m², 50 人; water metered; with `missingBill` its 2025 electricity bill
 *                was never entered (2020 and 2024 were).
 * 2020 and 2024 come from annual bills.
 */

const building = (id: string, name: string, area: number, headcount: { from: string; value: number }[]) => ({
  id,
  name,
  category: 'office',
  climate_zone: 'hot_summer_warm_winter',
  floor_area: [{ from: '2015-01-01', value: area }],
  headcount,
  areas: id === 'hq' ? [{ id: 'f1', name: '一层办事大厅', area: 2_000 }] : [],
});

/** The sample organization's site file (three buildings, 一层办事大厅 metered apart). */
export const sampleSite = siteSchema.parse({
  version: 1,
  site: { id: 'city-agency', name: '市级机关集中办公区' },
  organization: {
    id: 'city-agency',
    name: '某市机关事务管理局',
    buildings: [
      building('hq', '综合楼', 12_000, [
        { from: '2015-01-01', value: 300 },
        { from: '2025-07-01', value: 400 },
      ]),
      building('annex', '服务楼', 4_000, [{ from: '2015-01-01', value: 120 }]),
      building('archive', '档案楼', 6_000, [{ from: '2015-01-01', value: 50 }]),
    ],
  },
});

/** `perDay` on every day of [from, last], both included. */
function daily(
  b: string,
  category: string,
  from: string,
  last: string,
  perDay: number,
  area?: string,
): MeteredDay[] {
  const out: MeteredDay[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000)
    out.push({
      building: b,
      ...(area ? { area } : {}),
      category,
      date: new Date(t).toISOString().slice(0, 10),
      value: perDay,
      estimated: 0,
    });
  return out;
}

const sources: Partial<Record<EnergyType, string>> = {
  electricity: '国网电费账单',
  water: '自来水公司账单',
  natural_gas: '燃气公司账单',
  gasoline: '公务用车加油记录',
};
const bill = (
  building: string,
  type: EnergyType,
  from: string,
  last: string,
  quantity: number,
): EnergyEntry => ({
  building,
  energy_type: type,
  period_start: from,
  period_end: last,
  quantity,
  source: sources[type] ?? '账单',
});
const year = (y: number) => [`${y}-01-01`, `${y}-12-31`] as const;
const quarters = (y: number) =>
  [
    [`${y}-01-01`, `${y}-03-31`],
    [`${y}-04-01`, `${y}-06-30`],
    [`${y}-07-01`, `${y}-09-30`],
    [`${y}-10-01`, `${y}-12-31`],
  ] as const;
/** Petrol entered in litres, converted as the ledger does: × 0.725 kg/L (GB 17930-2016 中值, 未核对). */
const petrol = (from: string, last: string, litres: number): EnergyEntry => ({
  ...bill('annex', 'gasoline', from, last, litres * 0.725),
  quantity_given: litres,
  unit_given: 'L',
  conversion: `${litres.toLocaleString('en-US')} L × 0.725 kg/L（车用汽油密度，GB 17930-2016 中值，未核对）`,
});

function entries(missingBill: boolean): EnergyEntry[] {
  const annexPower = [78_000, 72_000, 86_000, 74_000];
  const hqGas = [12_000, 6_000, 5_000, 13_000];
  return [
    // 2020, the baseline year
    bill('hq', 'electricity', ...year(2020), 1_100_000),
    bill('hq', 'water', ...year(2020), 10_600),
    bill('hq', 'natural_gas', ...year(2020), 39_000),
    bill('annex', 'electricity', ...year(2020), 330_000),
    bill('annex', 'water', ...year(2020), 2_900),
    bill('annex', 'gasoline', ...year(2020), 900),
    bill('archive', 'electricity', ...year(2020), 280_000),
    bill('archive', 'water', ...year(2020), 760),
    // 2024, the 同比 base (no gas bill for 2024 was entered)
    bill('hq', 'electricity', ...year(2024), 1_050_000),
    bill('hq', 'water', ...year(2024), 10_100),
    bill('annex', 'electricity', ...year(2024), 318_000),
    bill('annex', 'water', ...year(2024), 2_700),
    bill('annex', 'gasoline', ...year(2024), 880),
    bill('archive', 'electricity', ...year(2024), 268_000),
    bill('archive', 'water', ...year(2024), 720),
    // 2025
    ...quarters(2025).map(([f, l], i) => bill('annex', 'electricity', f, l, annexPower[i] ?? 0)),
    ...quarters(2025).map(([f, l], i) => bill('hq', 'natural_gas', f, l, hqGas[i] ?? 0)),
    bill('annex', 'water', ...year(2025), 2_600),
    // 综合楼's January power bill, entered although the main meter has every day: metered wins
    bill('hq', 'electricity', '2025-01-01', '2025-01-31', 88_000),
    petrol('2025-01-01', '2025-06-30', 560),
    petrol('2025-07-01', '2025-12-31', 640),
    ...(missingBill ? [] : [bill('archive', 'electricity', ...year(2025), 260_000)]),
  ];
}

/** The engine's input for the sample organization's 2025 report (today: 2026-01-15). */
export function sampleInput(opts: { missingBill?: boolean } = {}): IntensityInput {
  return {
    site: sampleSite,
    factors: loadFactors(),
    from: '2025-01-01',
    to: '2025-12-31',
    today: '2026-01-15',
    baselineYear: 2020,
    basis: 'equivalent',
    metered: [
      // 2025-03-02 to 03-04 the main meter was offline: the collector's rollups estimated those days
      ...daily('hq', 'electricity', ...year(2025), 2_800).map((d) =>
        d.date >= '2025-03-02' && d.date <= '2025-03-04' ? { ...d, estimated: d.value } : d,
      ),
      ...daily('hq', 'water', ...year(2025), 27),
      ...daily('hq', 'electricity', ...year(2025), 540, 'f1'),
      ...daily('archive', 'water', ...year(2025), 2),
    ],
    entries: entries(opts.missingBill ?? false),
    facts: [],
    origin: {
      site_file: '/etc/jieneng/site.yaml',
      organization: sampleSite.organization.name,
      data_dir: '/var/lib/jieneng',
      store: 'embedded',
      made_at: '2026-01-15T09:30:00+08:00',
    },
  };
}

/**
 * The sample report from the engine, with the 分项 that build.ts would add from 综合楼's
 * sub-meters (1,022,000 kWh: 356,000 + 430,000 + 118,000 + 52,000 + 66,000 unmetered).
 */
export function sampleReport(opts: { missingBill?: boolean } = {}): IntensityReport {
  const r = intensityReport(sampleInput(opts));
  r.subitems = [
    { key: 'lighting_socket', value: 356_000, estimated: 0, unit: 'kWh', coverage: 1 },
    { key: 'hvac', value: 430_000, estimated: 2_400, unit: 'kWh', coverage: 1 },
    { key: 'power', value: 118_000, estimated: 0, unit: 'kWh', coverage: 1 },
    { key: 'special', value: 52_000, estimated: 0, unit: 'kWh', note: '信息机房', coverage: 1 },
    // the note as core/rollup/aggregate.ts writes it (in English: the PDF says it in Chinese)
    {
      key: 'other',
      value: 66_000,
      estimated: 0,
      unit: 'kWh',
      virtual: true,
      note: 'main meter − Σ sub-meters (未计量/其他)',
      coverage: 1,
    },
  ];
  return r;
}
