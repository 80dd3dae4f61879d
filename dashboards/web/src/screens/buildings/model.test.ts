import { describe, expect, it } from 'vitest';
import { axisLabel, bucketLabel, subitemChartOption, subitemTableRows, trendOption } from './charts';
import {
  type BalanceGroup,
  balanceOf,
  bucketKey,
  bucketsOf,
  changeOf,
  electricityGroups,
  granularityOf,
  type Meter,
  meterLabel,
  presentSubitems,
  type Series,
  type SiteTree,
  seriesOf,
  subitemRows,
  treeNodes,
} from './model';

const meter = (id: string, role: 'main' | 'sub', subitem: string | null = null, building = 'b1'): Meter => ({
  id,
  name: id,
  category: 'electricity',
  subitem,
  role,
  building,
  area: null,
  unit: 'kWh',
});

const tree: SiteTree = {
  timezone: 'Asia/Shanghai',
  organization: {
    id: 'org',
    name: '机关事务管理局',
    buildings: [
      {
        id: 'b1',
        name: '综合办公楼',
        floor_area_m2: 1000,
        headcount: 10,
        areas: [{ id: 'a1', name: '一层', area_m2: 500, meters: [] }],
        meters: [
          meter('b1-main', 'main'),
          meter('b1-light', 'sub', 'lighting_socket'),
          meter('b1-hvac', 'sub', 'hvac'),
          { ...meter('b1-water', 'main'), category: 'water', unit: 'm³' },
        ],
      },
      {
        id: 'b2',
        name: '服务楼',
        floor_area_m2: 500,
        headcount: 5,
        areas: [],
        meters: [meter('b2-main', 'main', null, 'b2'), meter('b2-light', 'sub', 'lighting_socket', 'b2')],
      },
    ],
  },
};

const series = (values: Record<string, number>): Series =>
  new Map(Object.entries(values).map(([k, v]) => [k, { value: v, estimated: 0 }]));

describe('the site tree', () => {
  it('nests organization → buildings → areas and meters, with ids by kind', () => {
    const nodes = treeNodes(tree, (m) => m.name ?? m.id);
    expect(nodes[0]?.label).toBe('机关事务管理局');
    const b1 = nodes[0]?.children?.[0];
    expect(b1?.id).toBe('building:b1');
    expect(b1?.children?.map((c) => c.id)).toEqual([
      'area:b1/a1',
      'meter:b1-main',
      'meter:b1-light',
      'meter:b1-hvac',
      'meter:b1-water',
    ]);
  });

  it('labels a meter under its building without the building’s name in front', () => {
    expect(meterLabel({ ...meter('x', 'sub'), name: '综合办公楼照明插座' }, '综合办公楼')).toBe('照明插座');
    expect(meterLabel({ ...meter('x', 'main'), name: '综合办公楼' }, '综合办公楼')).toBe('综合办公楼');
    expect(meterLabel({ ...meter('x', 'main'), name: null }, '综合办公楼')).toBe('x');
  });

  it('groups electricity meters by building for the node', () => {
    expect(electricityGroups(tree, 'organization', 'org').map((g) => g.building)).toEqual(['b1', 'b2']);
    const [g] = electricityGroups(tree, 'building', 'b1');
    expect(g?.mains.map((m) => m.id)).toEqual(['b1-main']);
    expect(g?.subs.map((m) => m.id)).toEqual(['b1-light', 'b1-hvac']);
    expect(electricityGroups(tree, 'meter', 'b1-water')[0]?.subs.map((m) => m.id)).toEqual(['b1-water']);
    expect(electricityGroups(tree, 'area', 'b1/a1')).toEqual([{ building: 'b1', mains: [], subs: [] }]);
  });
});

describe('buckets of a period', () => {
  it('hours for one day, days otherwise, up to now (later ones are not yet)', () => {
    expect(granularityOf({ from: '2026-12-02', to: '2026-12-02' })).toBe('hour');
    expect(granularityOf({ from: '2026-12-01', to: '2026-12-02' })).toBe('day');
    expect(bucketsOf({ from: '2026-12-02', to: '2026-12-02' }, 'hour', '2026-12-02 02')).toEqual([
      '2026-12-02 00',
      '2026-12-02 01',
      '2026-12-02 02',
    ]);
    expect(bucketsOf({ from: '2026-11-29', to: '2026-12-31' }, 'day', '2026-12-01 13')).toEqual([
      '2026-11-29',
      '2026-11-30',
      '2026-12-01',
    ]);
  });

  it('keys instants by the site’s local day and hour', () => {
    expect(bucketKey('2026-12-01T16:00:00.000Z', 'day', 'Asia/Shanghai')).toBe('2026-12-02');
    expect(bucketKey('2026-12-02T13:00:00+08:00', 'hour', 'Asia/Shanghai')).toBe('2026-12-02 13');
    const s = seriesOf(
      [{ start: '2026-12-02T00:00:00+08:00', value: 4, estimated: 1 }],
      'day',
      'Asia/Shanghai',
    );
    expect(s.get('2026-12-02')).toEqual({ value: 4, estimated: 1 });
  });
});

describe('分项 with 其他/未计量 = main − Σ subs', () => {
  const [b1] = electricityGroups(tree, 'building', 'b1') as [BalanceGroup];

  it('is what the main meter has beyond its sub-meters', () => {
    const s = new Map([
      ['b1-main', series({ d1: 100 })],
      ['b1-light', series({ d1: 30 })],
      ['b1-hvac', series({ d1: 50 })],
    ]);
    const [r] = subitemRows([b1], s, ['d1']);
    expect(r).toMatchObject({
      total: 100,
      subs: 80,
      other: 20,
      excess: 0,
      subitems: { lighting_socket: 30, hvac: 50 },
    });
  });

  it('is never negative: sub-meters above the main meter are a balance problem, said so', () => {
    const s = new Map([
      ['b1-main', series({ d1: 70 })],
      ['b1-light', series({ d1: 30 })],
      ['b1-hvac', series({ d1: 50 })],
    ]);
    const rows = subitemRows([b1], s, ['d1']);
    expect(rows[0]).toMatchObject({ total: 70, subs: 80, other: null, excessIn: ['b1'] });
    expect(rows[0]?.excess).toBeCloseTo(10);
    const option = subitemChartOption(rows, presentSubitems(rows), 'day', {
      description: 'x',
      unit: 'kWh',
      subitem: (x) => x,
      other: '其他/未计量',
      total: '总表',
    }) as { series: { name: string; data: (number | null)[] }[] };
    const other = option.series.find((x) => x.name === '其他/未计量');
    expect(other?.data).toEqual([null]);
    for (const x of option.series) for (const v of x.data) expect(v === null || v >= 0).toBe(true);
    const [row] = subitemTableRows(rows, presentSubitems(rows), 'day', {
      excess: (a, b) => `分表之和超出总表 ${a.toFixed(1)}（${b.join('、')}）`,
      estimated: () => '估算',
      balance: '平衡问题',
      missing: '缺数据',
      ok: '正常',
    });
    expect(row?.other).toBe('分表之和超出总表 10.0（b1）');
    expect(row?.note).toBe('平衡问题');
  });

  it('leaves a gap where a meter has no value (缺数据), never 0', () => {
    const s = new Map([
      ['b1-main', series({ d1: 100 })],
      ['b1-light', series({ d1: 30, d2: 20 })],
      ['b1-hvac', series({ d1: 50, d2: 10 })],
    ]);
    const rows = subitemRows([b1], s, ['d1', 'd2']);
    expect(rows[1]).toMatchObject({ total: null, other: null, subs: 30, subitems: { hvac: 10 } });
    const table = subitemTableRows(rows, presentSubitems(rows), 'day', {
      excess: () => 'x',
      estimated: () => '估算',
      balance: '平衡问题',
      missing: '缺数据',
      ok: '正常',
    });
    expect(table[1]).toMatchObject({ total: null, other: null, note: '缺数据' });
    expect(table[0]?.note).toBe('正常');
  });

  it('adds buildings for the organization; one building above its main meter makes the other unknown', () => {
    const groups = electricityGroups(tree, 'organization', 'org');
    const s = new Map([
      ['b1-main', series({ d1: 100, d2: 100 })],
      ['b1-light', series({ d1: 30, d2: 30 })],
      ['b1-hvac', series({ d1: 50, d2: 50 })],
      ['b2-main', series({ d1: 40, d2: 40 })],
      ['b2-light', series({ d1: 10, d2: 45 })],
    ]);
    const [d1, d2] = subitemRows(groups, s, ['d1', 'd2']);
    expect(d1).toMatchObject({
      total: 140,
      subs: 90,
      other: 50,
      subitems: { lighting_socket: 40, hvac: 50 },
    });
    expect(d2).toMatchObject({ total: 140, other: null, excess: 5, excessIn: ['b2'] });
  });
});

describe('总分表平衡 and comparisons', () => {
  it('states the difference, its share of the main meter and whether it is within the tolerance', () => {
    expect(balanceOf(100, 97, 0.05)).toMatchObject({
      difference: 3,
      share: 0.03,
      within: true,
      excess: false,
    });
    expect(balanceOf(100, 80, 0.05)).toMatchObject({ within: false, excess: false });
    expect(balanceOf(100, 110, 0.05)).toMatchObject({ difference: -10, within: false, excess: true });
    expect(balanceOf(0, 0, 0.05).share).toBeNull();
  });

  it('gives the change against the base period, none against a missing or zero base', () => {
    expect(changeOf(110, 100)).toBeCloseTo(0.1);
    expect(changeOf(110, 0)).toBeNull();
    expect(changeOf(null, 100)).toBeNull();
  });

  it('draws the trend of this period against the base period bucket by bucket', () => {
    const o = trendOption(
      [
        { key: '2026-12-01', value: 5 },
        { key: '2026-12-02', value: null },
      ],
      [4],
      'day',
      { description: 'd', unit: 'kWh', current: '本期', base: '基期' },
    ) as { series: { data: (number | null)[] }[]; xAxis: { data: string[] } };
    expect(o.xAxis.data).toEqual(['12-01', '12-02']);
    expect(o.series[0]?.data).toEqual([5, null]);
    expect(o.series[1]?.data).toEqual([4, null]);
    expect(o).not.toHaveProperty('dataZoom');
    const year = Array.from({ length: 100 }, (_, i) => ({ key: `d${i}`, value: i }));
    expect(
      trendOption(year, [], 'day', { description: 'd', unit: 'kWh', current: 'a', base: 'b' }),
    ).toHaveProperty('dataZoom');
    expect(axisLabel('2026-12-02 13', 'hour')).toBe('13:00');
    expect(bucketLabel('2026-12-02 09', 'hour')).toBe('09:00–10:00');
    expect(bucketLabel('2026-12-02', 'day')).toBe('2026-12-02');
  });
});
