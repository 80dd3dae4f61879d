import { describe, expect, it } from 'vitest';
import type { SiteConfig } from '../../core/config/siteSchema.ts';
import type { IntensityReport } from '../../core/reports/report.ts';
import type { RollupRow } from '../../core/store/store.ts';
import { itemCodeTable, subitemTable } from '../render/detailTables.ts';
import { itemCodesOf } from './itemCodes.ts';
import { subitemsOf } from './subitems.ts';
import { testBuilding, testSite } from './testData.ts';

type Meter = SiteConfig['meters'][number];
const meter = (id: string, extra: Partial<Meter>): Meter => ({
  id,
  name: id,
  device: 'd1',
  point: 'kwh',
  category: 'electricity',
  building: 'hq',
  role: 'sub',
  replacements: [],
  ...extra,
});
/**
 * 综合楼: a main meter; 空调 as a chiller (01B1C) and terminals (01B20); 照明插座 by its sub-item's
 * code only (no item_code: 01A00); 特殊 as a kitchen (01D30), silent all period, and 01D60 (其它,
 * the one unverified code).
 */
const site = {
  ...testSite([testBuilding('hq', '综合楼', 10_000, 400)]),
  meters: [
    meter('main', { role: 'main', item_code: '01000' }),
    meter('chiller', { subitem: 'hvac', item_code: '01B1C' }),
    meter('terminal', { subitem: 'hvac', item_code: '01B20' }),
    meter('light', { subitem: 'lighting_socket' }),
    meter('kitchen', { subitem: 'special', item_code: '01D30' }),
    meter('misc', { subitem: 'special', item_code: '01D60' }),
  ],
} as SiteConfig;
const row = (id: string, day: number, value: number, estimated = 0): RollupRow => ({
  period: 'day',
  meter: id,
  start: Date.parse('2025-07-01T00:00:00+08:00') + day * 86_400_000,
  value,
  estimated,
  unit: 'kWh',
});
const rows = [
  row('main', 0, 1000),
  row('main', 1, 1100, 50),
  row('chiller', 0, 300),
  row('chiller', 1, 320),
  row('terminal', 0, 100),
  row('terminal', 1, 110, 10),
  row('light', 0, 200),
  row('light', 1, 210),
  row('misc', 0, 40),
];

describe('the report by item code (分项编码)', () => {
  const subitems = subitemsOf(rows, site, 2);
  const codes = itemCodesOf(rows, site, subitems, 2);

  it('gives each code its meters, the missing one null, and labels the 分项 with their codes', () => {
    // 01A00 200 + 210 = 410; 01B1C 300 + 320 = 620; 01B20 100 + 110 = 210 (10 est.); 01D30 silent;
    // 01D60 40 (1 of 2 days); other = 2100 − (620 + 210 + 410 + 40) = 820, est. min(820, 50 + 10) = 60
    expect(codes.map((x) => [x.code, x.name, x.parent, x.subitem, x.value, x.estimated, x.coverage])).toEqual(
      [
        ['01A00', '照明插座用电', '01000', 'lighting_socket', 410, 0, 1],
        ['01B1C', '冷机', '01B10', 'hvac', 620, 0, 1],
        ['01B20', '空调末端', '01B00', 'hvac', 210, 10, 1],
        ['01D30', '厨房餐厅', '01D00', 'special', null, 0, 0],
        ['01D60', '其它', '01D00', 'special', 40, 0, 0.5],
        ['other', '其他（未分项计量）', '01000', null, 820, 60, 1],
      ],
    );
    expect(codes.find((x) => x.code === '01D30')?.note).toBe('缺数据：kitchen 本期无数据');
    expect(codes.find((x) => x.code === '01D60')?.note).toContain('不完整：misc 1/2 天；编码 01D60 未经核实');
    expect(subitems.map((x) => [x.key, x.item_code])).toEqual([
      ['hvac', '01B00'],
      ['lighting_socket', '01A00'],
      ['special', '01D00'],
      ['other', undefined],
    ]);
  });

  it('rolled up to the sub-item, equals the report grouped by 分项', () => {
    const rolled = new Map<string, { value: number; estimated: number }>();
    for (const x of codes) {
      const key = x.subitem ?? x.code;
      const r = rolled.get(key) ?? { value: 0, estimated: 0 };
      rolled.set(key, { value: r.value + (x.value ?? 0), estimated: r.estimated + x.estimated });
    }
    // hvac 620 + 210 = 830 (10 est.); lighting 410; special 40 (the kitchen silent); other 820 (60 est.)
    const bySubitem = Object.fromEntries(
      subitems.map((x) => [x.key, { value: x.value, estimated: x.estimated }]),
    );
    expect(bySubitem).toEqual({
      hvac: { value: 830, estimated: 10 },
      lighting_socket: { value: 410, estimated: 0 },
      special: { value: 40, estimated: 0 },
      other: { value: 820, estimated: 60 },
    });
    expect(Object.fromEntries(rolled)).toEqual(bySubitem);
  });

  it('prints a 分项编码 table beside 分项 (with its codes) when a meter is coded below its sub-item', () => {
    const r = { subitems, item_codes: codes } as IntensityReport;
    expect(subitemTable(r).rows.map((x) => x.slice(0, 2))).toEqual([
      ['空调用电', '01B00'],
      ['照明插座用电', '01A00'],
      ['特殊用电', '01D00'],
      ['其他（未分项计量）', ''],
    ]);
    const t = itemCodeTable(r);
    expect(t?.rows.map((x) => x.slice(0, 5))).toEqual([
      ['01A00', '照明插座用电', '01000', '照明插座用电', 410],
      ['01B1C', '冷机', '01B10', '空调用电', 620],
      ['01B20', '空调末端', '01B00', '空调用电', 210],
      ['01D30', '厨房餐厅', '01D00', '特殊用电', { absent: '缺数据' }],
      ['01D60', '其它', '01D00', '特殊用电', 40],
      ['', '其他（未分项计量）', '01000', '', 820],
    ]);
    // coded at the sub-item level only, the 分项 table says it all: no second table
    const flat = itemCodesOf(
      rows,
      {
        ...site,
        meters: site.meters.filter((m) => m.id !== 'misc').map((m) => ({ ...m, item_code: undefined })),
      } as SiteConfig,
      subitems,
      2,
    );
    expect(itemCodeTable({ subitems, item_codes: flat } as IntensityReport)).toBeUndefined();
  });
});
