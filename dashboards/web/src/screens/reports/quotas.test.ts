import { describe, expect, it } from 'vitest';
import { messages } from './messages';
import { quotaTables } from './quotas';
import type { IntensityReport } from './report';

/** zh-CN from the catalogue, the key itself when missing (so a missing key shows in the assertion). */
const t = (key: string, named?: Record<string, unknown>) => {
  let v: unknown = messages['zh-CN'];
  for (const k of key.replace(/^reports\./, '').split('.'))
    v = (v as Record<string, unknown> | undefined)?.[k];
  let s = typeof v === 'string' ? v : key;
  for (const [k, x] of Object.entries(named ?? {})) s = s.replace(`{${k}}`, String(x));
  return s;
};

const quotas: NonNullable<IntensityReport['quotas']> = {
  year: 2026,
  to: '2026-06-30',
  rows: [
    {
      building: 'h',
      name: '手算楼',
      indicator: 'energy_per_area_kgce_m2',
      indicator_name: '单位建筑面积能耗',
      unit: 'kgce/(m²·a)',
      quota: 20,
      level_name: '约束值',
      standard: 'DB37/T 2672-2019',
      category: '市级及以下党政机关 A 区',
      source: 'DB37/T 2672-2019 表',
      verified: false,
      ytd: 7.533,
      share: 0.45,
      prorated: 9,
      projection: 16.74,
      ratio: 0.837,
      status: 'warning',
      status_zh: '预警',
      method: 'previous_year_shape',
      method_text: '按上年（2025 年）逐月用量分摊',
      rating: '达标',
    },
  ],
  benchmarks: [
    {
      building: 'h',
      name: '手算楼',
      type: 'government',
      class: 'A',
      zone: 'hot_summer_warm_winter',
      limit: 65,
      guide: 50,
      value: 54,
      status_zh: '≤ 约束值',
      source: 'GB/T 51161-2016 表',
      verified: false,
      note: '回忆值，未核实',
    },
  ],
  notes: ['定额按统计年度考核', 'GB/T 51161-2016 办公建筑非供暖能耗指标为第二基准'],
};

describe('the 报表 page’s quota tables', () => {
  it('shows quota, year to date, share, projection, status in words, source and 未核对', () => {
    const [q, b] = quotaTables({ quotas } as IntensityReport, t);
    expect(q?.title).toBe('2026 年能耗定额（1 月 1 日至 2026-06-30）');
    expect(q?.columns.map((c) => c.label)).toEqual([
      '范围',
      '指标',
      '单位',
      '定额（年）',
      '定额依据',
      '本年至今',
      '分摊比例',
      '按进度应用定额',
      '预计全年',
      '占按进度定额',
      '状态',
      '分摊方法',
      '来源',
      '核对',
    ]);
    expect(q?.rows[0]).toMatchObject({
      quota: { t: 'num', v: 20 },
      ytd: { t: 'num', v: 7.533 },
      share: { t: 'pct', v: 0.45 },
      ratio: { t: 'pct', v: 0.837 },
      status: { t: 'text', v: '预警（达标）' },
      verified: { t: 'text', v: '未核对' },
    });
    expect(q?.note).toBe('定额按统计年度考核');
    expect(b?.rows[0]?.kind).toEqual({ t: 'text', v: '党政机关办公 A · 夏热冬暖' });
    expect(b?.note).toContain('第二基准');
  });
  it('is no table when the site sets no quota', () => {
    expect(quotaTables({ quotas: null } as IntensityReport, t)).toEqual([]);
  });
});
