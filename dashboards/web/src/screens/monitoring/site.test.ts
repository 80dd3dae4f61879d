import { describe, expect, it } from 'vitest';
import { siteIndexOf, type TreeMeter } from './site';

const meter = (id: string, over: Partial<TreeMeter> = {}): TreeMeter => ({
  id,
  name: `${id} 表`,
  category: 'electricity',
  subitem: null,
  role: 'main',
  building: 'b1',
  device: id,
  ...over,
});

describe('the site tree as the monitoring screens use it', () => {
  it('names buildings, finds their main electricity meters (in areas too) and labels devices by their meters', () => {
    const index = siteIndexOf({
      organization: {
        buildings: [
          {
            id: 'b1',
            name: '综合办公楼',
            meters: [meter('main-1'), meter('water', { category: 'water' })],
            areas: [{ meters: [meter('main-2'), meter('hvac', { role: 'sub', subitem: 'hvac' })] }],
          },
          { id: 'b2', name: '仓库', meters: [meter('w2', { category: 'water', building: 'b2' })], areas: [] },
        ],
      },
    });
    expect(index.buildingNames.get('b2')).toBe('仓库');
    // A building without a main electricity meter has no heat map.
    expect(index.buildings).toEqual([{ id: 'b1', name: '综合办公楼', meters: ['main-1', 'main-2'] }]);
    expect(index.deviceLabels.get('hvac')).toBe('hvac 表');
  });
});
