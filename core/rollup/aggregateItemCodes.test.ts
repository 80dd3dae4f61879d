import { describe, expect, it } from 'vitest';
import { siteSchema } from '../config/siteSchema.ts';
import type { RollupRow } from '../store/store.ts';
import { aggregate } from './aggregate.ts';

/**
 * A hand-computed organization coded below the sub-item level: building a has a main meter, a
 * chiller (01B1C) and a terminal (01B20) meter under 空调, lighting (01A10) and corridor (01A20)
 * meters under 照明插座, and an uncoded 动力 meter (its code comes from its subitem: 01C00);
 * building b has no main meter and one uncoded 空调 sub-meter (01B00).
 */
const building = (id: string) => ({
  id,
  name: id,
  category: 'office',
  climate_zone: 'hot_summer_warm_winter',
  floor_area: [{ from: '2020-01-01', value: 1000 }],
  headcount: [{ from: '2020-01-01', value: 10 }],
});
const meter = (id: string, b: string, extra: Record<string, string>) => ({
  id,
  device: id,
  point: 'p',
  category: 'electricity',
  building: b,
  role: 'sub',
  ...extra,
});
const site = siteSchema.parse({
  version: 1,
  site: { id: 's', name: '园区' },
  organization: { id: 'org', name: '机关事务管理局', buildings: [building('a'), building('b')] },
  meters: [
    meter('a-main', 'a', { role: 'main', item_code: '01000' }),
    meter('a-chiller', 'a', { subitem: 'hvac', item_code: '01B1C' }),
    meter('a-terminal', 'a', { subitem: 'hvac', item_code: '01B20' }),
    meter('a-light', 'a', { subitem: 'lighting_socket', item_code: '01A10' }),
    meter('a-corridor', 'a', { subitem: 'lighting_socket', item_code: '01A20' }),
    meter('a-power', 'a', { subitem: 'power' }),
    meter('b-hvac', 'b', { subitem: 'hvac' }),
    {
      id: 'a-water',
      device: 'w',
      point: 'p',
      category: 'water',
      building: 'a',
      role: 'main',
      item_code: '02000',
    },
  ],
});

const day = (m: string, start: number, value: number, estimated = 0): RollupRow => ({
  period: 'day',
  meter: m,
  start,
  value,
  estimated,
  unit: 'kWh',
});
const rows = [
  day('a-main', 0, 500),
  day('a-main', 1, 520, 20),
  day('a-chiller', 0, 120),
  day('a-chiller', 1, 130),
  day('a-terminal', 0, 60),
  day('a-terminal', 1, 65, 5),
  day('a-light', 0, 90),
  day('a-light', 1, 95),
  day('a-corridor', 0, 10),
  day('a-corridor', 1, 12),
  day('a-power', 0, 40),
  day('a-power', 1, 42),
  day('b-hvac', 0, 70),
  day('a-water', 0, 8),
];

describe('aggregation by item code (分项编码)', () => {
  it('gives each code its meters, named, with its parent and 分项; other as by 分项', () => {
    // 01A10 90 + 95 = 185; 01A20 10 + 12 = 22; 01B00 (b-hvac, derived) 70; 01B1C 120 + 130 = 250;
    // 01B20 60 + 65 = 125 (5 est.); 01C00 (a-power, derived) 40 + 42 = 82;
    // other = a's main 1020 − Σ a's subs (250 + 125 + 185 + 22 + 82 = 664) = 356, estimated min(356, 20 + 5) = 25
    const got = aggregate(rows, site, 'item_code');
    expect(got.map((g) => [g.key, g.value, g.estimated, g.name, g.parent, g.subitem])).toEqual([
      ['01A10', 185, 0, '照明与插座', '01A00', 'lighting_socket'],
      ['01A20', 22, 0, '走廊与应急', '01A00', 'lighting_socket'],
      ['01B00', 70, 0, '空调用电', '01000', 'hvac'],
      ['01B1C', 250, 0, '冷机', '01B10', 'hvac'],
      ['01B20', 125, 5, '空调末端', '01B00', 'hvac'],
      ['01C00', 82, 0, '动力用电', '01000', 'power'],
      ['other', 356, 25, '其他（未分项计量）', '01000', undefined],
    ]);
  });

  it('rolled up to the sub-item, equals the grouping by 分项 (subitem)', () => {
    const bySubitem = aggregate(rows, site, 'subitem');
    const byCode = aggregate(rows, site, 'item_code');
    const rolled = new Map<string, { value: number; estimated: number }>();
    for (const g of byCode) {
      const key = g.subitem ?? g.key;
      const r = rolled.get(key) ?? { value: 0, estimated: 0 };
      rolled.set(key, { value: r.value + g.value, estimated: r.estimated + g.estimated });
    }
    // by 分项: lighting 185 + 22 = 207; hvac 250 + 125 + 70 = 445 (5 est.); power 82; other 356 (25 est.)
    expect(
      Object.fromEntries(bySubitem.map((g) => [g.key, { value: g.value, estimated: g.estimated }])),
    ).toEqual({
      lighting_socket: { value: 207, estimated: 0 },
      hvac: { value: 445, estimated: 5 },
      power: { value: 82, estimated: 0 },
      other: { value: 356, estimated: 25 },
    });
    expect(Object.fromEntries(rolled)).toEqual(
      Object.fromEntries(bySubitem.map((g) => [g.key, { value: g.value, estimated: g.estimated }])),
    );
  });
});
