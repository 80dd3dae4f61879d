import { describe, expect, it } from 'vitest';
import { siteSchema } from '../config/siteSchema.ts';
import type { RollupRow } from '../store/store.ts';
import { aggregate } from './aggregate.ts';

const building = (id: string) => ({
  id,
  name: id,
  category: 'office',
  climate_zone: 'hot_summer_warm_winter',
  floor_area: [{ from: '2020-01-01', value: 1000 }],
  headcount: [{ from: '2020-01-01', value: 10 }],
  areas: [{ id: 'f1', name: '一层', area: 500 }],
});

/** Two buildings: A with a main meter and three sub-meters, B with sub-meters only; a water meter. */
const site = siteSchema.parse({
  version: 1,
  site: { id: 's', name: '园区' },
  organization: { id: 'org', name: '机关事务管理局', buildings: [building('a'), building('b')] },
  meters: [
    { id: 'a-main', device: 'd1', point: 'p', category: 'electricity', building: 'a', role: 'main' },
    {
      id: 'a-light',
      device: 'd2',
      point: 'p',
      category: 'electricity',
      subitem: 'lighting_socket',
      building: 'a',
      area: 'f1',
      role: 'sub',
    },
    {
      id: 'a-hvac',
      device: 'd3',
      point: 'p',
      category: 'electricity',
      subitem: 'hvac',
      building: 'a',
      role: 'sub',
    },
    { id: 'a-water', device: 'd4', point: 'p', category: 'water', building: 'a', role: 'main' },
    {
      id: 'b-light',
      device: 'd5',
      point: 'p',
      category: 'electricity',
      subitem: 'lighting_socket',
      building: 'b',
      role: 'sub',
    },
    {
      id: 'b-hvac',
      device: 'd6',
      point: 'p',
      category: 'electricity',
      subitem: 'hvac',
      building: 'b',
      role: 'sub',
    },
  ],
});

const h = (meter: string, start: number, value: number, estimated = 0, unit = 'kWh'): RollupRow => ({
  period: 'hour',
  meter,
  start,
  value,
  estimated,
  unit,
});

// Two hours of rollups.
const rows = [
  h('a-main', 0, 100),
  h('a-main', 1, 110, 10),
  h('a-light', 0, 30),
  h('a-light', 1, 35),
  h('a-hvac', 0, 50),
  h('a-hvac', 1, 55, 5),
  h('a-water', 0, 2, 0, 'm³'),
  h('a-water', 1, 3, 0, 'm³'),
  h('b-light', 0, 20),
  h('b-hvac', 0, 40),
];

describe('aggregation through the site tree', () => {
  it('per meter: the sum of its hours', () => {
    const got = aggregate(rows, site, 'meter');
    expect(got.find((g) => g.key === 'a-main')).toEqual({
      key: 'a-main',
      category: 'electricity',
      value: 210,
      estimated: 10,
      unit: 'kWh',
    });
  });

  it('per building: the main meter, never main plus subs; sub-meters only where there is no main meter', () => {
    const got = aggregate(rows, site, 'building');
    expect(got).toEqual([
      // a: main 100 + 110 = 210 (10 est.) — not 210 + 65 + 105
      { key: 'a', category: 'electricity', value: 210, estimated: 10, unit: 'kWh' },
      { key: 'a', category: 'water', value: 5, estimated: 0, unit: 'm³' },
      // b: no main meter → 20 + 40 = 60
      {
        key: 'b',
        category: 'electricity',
        value: 60,
        estimated: 0,
        unit: 'kWh',
        note: 'no main meter (总表): the sum of the sub-meters',
      },
    ]);
  });

  it('for the organization: the building totals added up per category', () => {
    // electricity 210 + 60 = 270 (10 est.); water 5
    expect(aggregate(rows, site, 'organization')).toEqual([
      { key: 'org', category: 'electricity', value: 270, estimated: 10, unit: 'kWh' },
      { key: 'org', category: 'water', value: 5, estimated: 0, unit: 'm³' },
    ]);
  });

  it('per sub-item (分项), with the virtual "other" = main − Σ sub-meters so they add up', () => {
    const got = aggregate(rows, site, 'subitem');
    // lighting 65 + 20 = 85; hvac 105 + 40 = 145; other (a only, b has no main) = 210 − 65 − 105 = 40,
    // of which estimated min(40, 10 + 5) = 15
    expect(got).toEqual([
      { key: 'lighting_socket', category: 'electricity', value: 85, estimated: 0, unit: 'kWh' },
      { key: 'hvac', category: 'electricity', value: 145, estimated: 5, unit: 'kWh' },
      {
        key: 'other',
        category: 'electricity',
        value: 40,
        estimated: 15,
        unit: 'kWh',
        virtual: true,
        note: 'main meter − Σ sub-meters (未计量/其他)',
      },
    ]);
    // The sub-items add up to the organization's electricity: 85 + 145 + 40 = 270
    expect(got.reduce((s, g) => s + g.value, 0)).toBe(270);
  });

  it('says so when the sub-meters exceed the main meter, instead of a negative "other"', () => {
    const got = aggregate([h('a-main', 0, 50), h('a-light', 0, 30), h('a-hvac', 0, 40)], site, 'subitem');
    const other = got.find((g) => g.key === 'other');
    expect(other?.value).toBe(0);
    expect(other?.note).toContain('a: sub-meters exceed the main meter by 20.000 kWh');
  });

  it('per area: meters that serve an area', () => {
    expect(aggregate(rows, site, 'area')).toEqual([
      { key: 'a/f1', category: 'electricity', value: 65, estimated: 0, unit: 'kWh' },
    ]);
  });
});
