import { describe, expect, it } from 'vitest';
import { donutOption, rankingOption } from './overviewCharts';

type Any = Record<string, unknown> & { series: { data: unknown[] }[] };

describe('能耗总览 charts (ECharts options)', () => {
  it('draws a donut of the known slices only: a missing slice is not a 0 slice', () => {
    const o = donutOption(
      [
        { name: '电力', value: 51618 },
        { name: '天然气', value: null },
        { name: '其他', value: -3 },
      ],
      { description: '分类能耗', unit: 'kgce', empty: '缺数据' },
    ) as unknown as Any;
    expect(o.series[0]?.data).toEqual([{ name: '电力', value: 51618 }]);
    expect((o.series[0] as unknown as { type: string }).type).toBe('pie');
    expect(o.aria).toMatchObject({
      enabled: true,
      decal: { show: true },
      label: { description: '分类能耗' },
    });
    expect((o.tooltip as { trigger: string }).trigger).toBe('item');
    expect(o.title).toBeUndefined();
  });

  it('says 缺数据 in words where nothing can be drawn', () => {
    const pie = donutOption([{ name: '电力', value: null }], {
      description: 'd',
      unit: 'kgce',
      empty: '缺数据',
    });
    expect(pie).toMatchObject({ title: { text: '缺数据' } });
    const bars = rankingOption([], { description: 'd', unit: 'kgce/m²', empty: '缺数据' });
    expect(bars).toMatchObject({ title: { text: '缺数据' } });
  });

  it('ranks buildings as horizontal bars, the best (lowest) at the top', () => {
    const o = rankingOption(
      [
        { name: '档案与会议楼', value: 1.229 },
        { name: '综合办公楼', value: 1.3876 },
      ],
      { description: '单位建筑面积能耗排名', unit: 'kgce/m²', empty: '缺数据' },
    ) as unknown as Any & {
      yAxis: { type: string; inverse: boolean; data: string[] };
      xAxis: { name: string };
    };
    expect(o.yAxis).toMatchObject({ type: 'category', inverse: true, data: ['档案与会议楼', '综合办公楼'] });
    expect(o.xAxis.name).toBe('kgce/m²');
    expect(o.series[0]?.data).toEqual([1.229, 1.3876]);
    expect(o.aria).toMatchObject({ label: { description: '单位建筑面积能耗排名' } });
  });
});
