import { describe, expect, it } from 'vitest';
import { tableCsv } from './csv.ts';
import { cellText, formatNumber, isAbsent, type Table } from './model.ts';
import { reportTables } from './reportTables.ts';
import { sampleReport } from './sampleReport.ts';
import { numFmt } from './xlsx.ts';

const table = (name: string, missingBill = false): Table => {
  const t = reportTables(sampleReport({ missingBill })).find((x) => x.name === name);
  if (!t) throw new Error(`no table ${name}`);
  return t;
};
const rowOf = (t: Table, ...keys: string[]) => t.rows.find((r) => keys.every((k, i) => r[i] === k)) ?? [];

describe('the report tables every format draws', () => {
  it('has the sheets the officer asked for, in reading order', () => {
    expect(reportTables(sampleReport()).map((t) => t.name)).toEqual([
      '摘要',
      '指标',
      '建筑',
      '分类',
      '覆盖率',
      '同比环比',
      '分项',
      '排名',
      '分区',
      '预测',
      '系数',
      '填报数据',
      '说明',
    ]);
  });

  it('prints numbers with thousands separators and changes as percentages', () => {
    expect(formatNumber(240_405.918, 'number', 2)).toBe('240,405.92');
    expect(formatNumber(-0.0604, 'percent', 2)).toBe('-6.04%');
    // a change that rounds to zero is not "-0.00%"
    expect(formatNumber(-0.00001, 'percent', 2)).toBe('0.00%');
    expect([numFmt('number', 2), numFmt('number', 0), numFmt('percent', 2)]).toEqual([
      '#,##0.00',
      '#,##0',
      '0.00%',
    ]);
  });

  it('says 缺数据 for a building without its bill and leaves it out of the ranking', () => {
    const buildings = table('建筑', true);
    const archive = rowOf(buildings, '档案楼 (archive)');
    // 综合能耗 and 单位建筑面积能耗 are absent, not 0; floor area 6,000 m² is there
    expect(archive[1]).toBe(6_000);
    expect([archive[3], archive[5]].map((c = null) => isAbsent(c) && c.absent)).toEqual(['缺数据', '缺数据']);
    const ranking = table('排名', true);
    expect(rowOf(ranking, '单位建筑面积能耗', 'kgce/m²').length).toBeGreaterThan(0);
    const unranked = ranking.rows.find((r) => r[3] === '档案楼' && r[0] === '单位建筑面积能耗');
    expect(unranked?.[5]).toBe('电力 2025 年缺数据');
    // CSV: empty cells, never 0 — "档案楼 (archive),6000,50,,,…"
    expect(tableCsv(buildings)).toContain('档案楼 (archive),6000,50,,,');
  });

  it('names the base period, says 无基期数据 and says a whole year’s 环比 once', () => {
    const t = table('同比环比');
    // only 同比 rows: 环比 of a whole year is 同比
    expect(new Set(t.rows.map((r) => r[0]))).toEqual(new Set(['同比']));
    expect(t.notes).toContain('环比：整年的环比（与上年比较）即同比，见同比各行，不重复列出。');
    const gas = rowOf(t, '同比', '2024-01-01 至 2024-12-31', '天然气');
    expect(cellText(gas[5] ?? null, t.columns[5] ?? { header: '', kind: 'number' })).toBe('无基期数据');
    expect(cellText(gas[6] ?? null, t.columns[6] ?? { header: '', kind: 'number' })).toBe('无基期数据');
    // 用水量 13,100 m³ against 13,500: 13,100 ÷ 13,500 − 1 = −2.96 %, in the CSV as a fraction
    expect(tableCsv(t)).toContain('同比,2024-01-01 至 2024-12-31,用水量,m³,13100,13500,-0.02963,1,1');
  });

  it('explains the time-weighted headcount where it is shown', () => {
    const t = table('建筑');
    // 综合楼: 300 人 for 181 days, 400 人 for 184: 127,900 ÷ 365 = 350.41 人
    expect(rowOf(t, '综合楼 (hq)')[2]).toBeCloseTo(350.411, 3);
    expect(t.notes.join('\n')).toContain(
      '综合楼：300 人 2025-01-01 至 2025-06-30，400 人 2025-07-01 起，按天加权 350.4 人',
    );
  });

  it('shows a projection with its method, coverage and warning', () => {
    const r = sampleReport();
    r.projection = {
      year: 2026,
      days_elapsed: 90,
      days_in_year: 365,
      method: 'linear',
      method_text: '上年同期覆盖率 12%，不足以按上年形状外推，改为按天线性外推',
      coverage: { ytd: 1, previous_same: 0.12, previous_full: 0.4 },
      warning: '上年数据稀疏，预测仅供参考',
      energy_kgce: 240_000,
      carbon_kgco2: null,
      water_m3: 13_000,
      indicators: {
        energy_per_area_kgce_m2: 240_000 / 22_000,
        energy_per_capita_kgce: null,
        water_per_capita_m3: null,
        carbon_per_area_kgco2_m2: null,
      },
    };
    const t = reportTables(r).find((x) => x.name === '预测');
    const text = (t?.rows ?? []).map((row) =>
      row.map((c, i) => cellText(c, t?.columns[i] ?? { header: '', kind: 'number' })).join(' '),
    );
    expect(text).toContain('上年同期覆盖率 12.00% ');
    expect(text).toContain('预测碳排放 缺数据 kgCO₂');
    expect(t?.notes).toEqual([
      '方法：按天线性外推。上年同期覆盖率 12%，不足以按上年形状外推，改为按天线性外推',
      '注意：上年数据稀疏，预测仅供参考',
    ]);
  });
});
