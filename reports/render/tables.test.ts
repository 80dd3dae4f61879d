import { describe, expect, it } from 'vitest';
import { tableCsv } from './csv.ts';
import { madeAt, planNoteText, zh } from './labels.ts';
import { cellNumber, cellText, formatNumber, headerText, isAbsent, type Table } from './model.ts';
import { headerLabel } from './pdfColumns.ts';
import { reportTables } from './reportTables.ts';
import { sampleReport } from './sampleInput.ts';
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
    expect(formatNumber(240_651.718, 'number', 2)).toBe('240,651.72');
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
    expect(unranked?.[5]).toBe('数据不全：档案楼 电 2025-01-01 至 2025-12-31 缺数据');
    // CSV: empty cells, never 0 — "档案楼 (archive),6000,50,,,…"
    expect(tableCsv(buildings)).toContain('档案楼 (archive),6000,50,,,');
  });

  it('says 缺数据, not 不计 or 0, for the organization’s electricity when one building’s is missing', () => {
    const t = table('分类', true);
    const power = rowOf(t, '某市机关事务管理局', '电力');
    const words = power.map((c, i) => cellText(c, t.columns[i] ?? { header: '', kind: 'text' }));
    // 用量, 单位, 折标准煤, 占综合能耗, 碳排放, 覆盖率 (2 of 3 buildings' days: 66.67 %)
    expect(words.slice(2)).toEqual(['缺数据', 'kWh', '缺数据', '缺数据', '缺数据', '66.67%']);
    // water is not converted: 不折标, and not 0
    const water = rowOf(t, '综合楼', '水').map((c, i) =>
      cellText(c, t.columns[i] ?? { header: '', kind: 'text' }),
    );
    expect(water.slice(2)).toEqual(['9,855.00', 'm³', '不折标', '不折标', '不计', '100.00%']);
  });

  it('says up to which day a report ending today counts, so 共 N 天 matches its figures', () => {
    const r = sampleReport();
    // a report asked for 2025-01-01 to 2025-09-15 on 2025-09-15: 2025-01-01 … 09-14 is 257 days
    Object.assign(r, {
      to: '2025-09-15',
      days: 257,
      counted_to: '2025-09-14',
      counted_text: '今日数据未满一天，统计至 2025-09-14',
    });
    const summary = reportTables(r)[0];
    expect(summary?.rows.find((row) => row[0] === '报告期')?.[1]).toBe(
      '2025-01-01 至 2025-09-15（含首尾；今日数据未满一天，统计至 2025-09-14，计 257 天）',
    );
    // without it, as before
    expect(reportTables(sampleReport())[0]?.rows.find((row) => row[0] === '报告期')?.[1]).toBe(
      '2025-01-01 至 2025-12-31（含首尾，共 365 天）',
    );
  });

  it('names the base period, says 无基期数据 or 基期数据不全 and says a whole year’s 环比 once', () => {
    const t = table('同比环比');
    // only 同比 rows: 环比 of a whole year is 同比
    expect(new Set(t.rows.map((r) => r[0]))).toEqual(new Set(['同比']));
    // the engine now says a partly covered base and gives no change: 2024 has no gas bill, so of the
    // 5 building × energy pairs of 综合能耗 (hq 电 + 气, annex 电 + 汽油, archive 电) 4 are covered: 80.0 %
    // (the engine's words, which may add the days of each side: matched, not pinned)
    expect(t.notes).toHaveLength(2);
    expect(t.notes[0]).toMatch(
      /^同比：与上年同期 2024-01-01 至 2024-12-31 比较.*；基期数据不全（覆盖 80\.0 %），未计算变化$/,
    );
    expect(t.notes[1]).toBe('环比：全年的上一期即上年，与同比相同，见同比');
    // 2024 has no gas bill, so the engine gives 综合能耗 no base; 4 of its 5 pairs are covered
    // (基期覆盖率 80.00 %), so base and change read 基期数据不全 — not 无基期数据 — and never 0
    const energy = rowOf(t, '同比', '2024-01-01 至 2024-12-31', '综合能耗');
    const text = (row: typeof energy, i: number) =>
      cellText(row[i] ?? null, t.columns[i] ?? { header: '', kind: 'number' });
    expect([text(energy, 5), text(energy, 6), text(energy, 8)]).toEqual([
      '基期数据不全',
      '基期数据不全',
      '80.00%',
    ]);
    // a base with nothing at all (coverage 0) still reads 无基期数据
    const r = sampleReport();
    const f = r.period_comparisons[0]?.figures.find((x) => x.name === '综合能耗');
    if (!f) throw new Error('sample: no 综合能耗 同比');
    f.base_coverage = 0;
    const none = reportTables(r).find((x) => x.name === '同比环比');
    const empty = none ? rowOf(none, '同比', '2024-01-01 至 2024-12-31', '综合能耗') : [];
    expect([text(empty, 5), text(empty, 6), text(empty, 8)]).toEqual([
      '无基期数据',
      '无基期数据',
      '无基期数据',
    ]);
    // 水 13,185 m³ (hq 27 × 365 = 9,855 + annex 2,600 + archive 2 × 365 = 730) against 2024's
    // 10,100 + 2,700 + 720 = 13,520: 13,185 ÷ 13,520 − 1 = −0.024778, in the CSV as a fraction
    expect(tableCsv(t)).toContain('同比,2024-01-01 至 2024-12-31,水,m³,13185,13520,-0.024778,1,1');
  });

  it('says beside 单位建筑面积碳排放 which grid CO₂ factor each year is on', () => {
    const r = sampleReport();
    r.grid_co2 = {
      mode: 'one_rate',
      text: '碳排放：各期均按报告年 2025 的电网 CO₂ 排放因子折算（0.5306 kgCO2/kWh）',
    };
    const t = reportTables(r).find((x) => x.name === '指标');
    expect(t?.notes).toContain('碳排放：各期均按报告年 2025 的电网 CO₂ 排放因子折算（0.5306 kgCO₂/kWh）');
  });

  it('breaks a long indicator header between its words in the PDF, and keeps it whole in CSV and XLSX', () => {
    const carbon = table('建筑').columns.find((c) => c.header === '单位建筑面积碳排放');
    if (!carbon) throw new Error('建筑: no 单位建筑面积碳排放 column');
    // drawn "单位建筑 / 面积 / 碳排放" in its narrow column, not "单位建筑 / 面积碳排 / 放"
    expect(headerLabel(carbon)).toBe('单位建筑面积\n碳排放\nkgCO₂/m²');
    expect(headerText(carbon)).toBe('单位建筑面积碳排放 (kgCO₂/m²)');
  });

  it('explains the time-weighted headcount where it is shown', () => {
    const t = table('建筑');
    // 综合楼: 300 人 for 181 days, 400 人 for 184: 127,900 ÷ 365 = 350.41 人
    // (a number in its own format: whole headcounts print without decimals, this one keeps its one)
    expect(cellNumber(rowOf(t, '综合楼 (hq)')[2] ?? null)).toBeCloseTo(350.411, 3);
    expect(cellText(rowOf(t, '综合楼 (hq)')[2] ?? null, { header: '', kind: 'number' })).toBe('350.4');
    // 服务楼 120 人 and the 2026 organization's 570 人 read "120", "570", not "120.0" (newcomer: "560.0", "1,200.0")
    expect(cellText(rowOf(t, '服务楼 (annex)')[2] ?? null, { header: '', kind: 'number' })).toBe('120');
    expect(t.notes).toContain(
      '综合楼：建筑面积 12000 m² 2015-01-01 起；用能人数按天加权：300 人 2015-01-01 起，400 人 2025-07-01 起 → 350.4',
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

describe('the engine’s English phrases in Chinese', () => {
  it('says the plan note in an officer’s words: no file path or flag, the rest of the note kept', () => {
    const engine =
      '十四五公共机构节约能源资源工作规划 的目标值未经核对（verified: false，reports/data/targets.yaml）：达标评价仅供参考；基准年 2019 不是十四五公共机构节约能源资源工作规划的基准年 2020，目标按规划进度对照';
    expect(planNoteText({ plan: { verified: false }, plan_note: engine })).toBe(
      '规划目标值尚未与正式文件逐项核对，达标评价仅供参考。基准年 2019 不是十四五公共机构节约能源资源工作规划的基准年 2020，目标按规划进度对照。',
    );
    expect(planNoteText({ plan: { verified: true }, plan_note: null })).toBeNull();
    // no plan: the engine's note (the year is outside every plan) is all there is to say
    expect(planNoteText({ plan: null, plan_note: '2026 年不在已配置的规划期内' })).toBe(
      '2026 年不在已配置的规划期内',
    );
  });

  it('names factors and notes in Chinese, and leaves other text alone', () => {
    expect(zh('grid electricity CO₂ national 2023')).toBe('电网排放因子 全国 2023');
    expect(zh('no 2025 value; 2023 used')).toBe('2025 年无值，用 2023 年');
    expect(zh('natural_gas 折标准煤 (organization override)')).toBe('天然气 折标准煤（本单位自定）');
    expect(zh('electricity: 0.8 % estimated (gaps, frozen or reset meters interpolated)')).toBe(
      '电力：0.8 % 为估算（缺测、冻结或复位期间插补）',
    );
    // core/rollup/aggregate.ts's note on the virtual 分项 other, with a building whose sub-meters exceed its main
    expect(
      zh('main meter − Σ sub-meters (未计量/其他); annex: sub-meters exceed the main meter by 12.500 kWh'),
    ).toBe('总表减各分项表（未计量/其他）；annex：各分项表之和超出总表 12.500 kWh');
    expect(zh('kgCO2/kWh')).toBe('kgCO₂/kWh');
    expect(zh('国网电费账单')).toBe('国网电费账单');
    expect(madeAt('2026-01-15T09:30:00+08:00')).toBe('2026-01-15 09:30 (UTC+08:00)');
  });
});
