import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { siteSchema } from '../../core/config/siteSchema.ts';
import type { RollupRow } from '../../core/store/store.ts';
import { testBuilding } from '../figures/testData.ts';
import { statisticsKind } from '../kinds/statistics.ts';
import { Ledger } from '../ledger/ledger.ts';
import { LAYOUT } from './xlsx.ts';

/*
 * A hand-computed organization, 2025 (365 days), made on 2026-02-10:
 *
 * 综合楼 zhl (10 000 m², 300 人): main electricity meter, 1 kWh every hour (24 kWh a day); main
 *   water meter, 2 m³ a day. Tariffs (site file):
 *   - electricity from 2025-01-01, time of use: 谷 0–8 h 0.30, 峰 8–20 h 1.00, 平 20–24 h 0.60 元/kWh
 *     → a day costs 8 × 0.30 + 12 × 1.00 + 4 × 0.60 = 2.40 + 12.00 + 2.40 = 16.80 元
 *   - water 3.00 元/m³ from 2025-01-01, 3.50 from 2025-07-01
 *     → Jan–Jun 181 days × 2 m³ × 3.00 = 1 086.00; Jul–Dec 184 × 2 × 3.50 = 1 288.00; 2 374.00 元 (计算值)
 *   - January's electricity bill: 744 kWh, 600.00 元 (账单): it wins over the tariff for its 31 days;
 *     the meter's 744 kWh are counted (metered wins) → Feb–Dec 334 days × 16.80 = 5 611.20 元 计算值
 *   electricity 365 × 24 = 8 760 kWh, 600.00 + 5 611.20 = 6 211.20 元
 * 服务楼 fwl (2 000 m², 50 人): no meters.
 *   - twelve monthly electricity bills, 1 000 kWh and 650.00 元 each → 12 000 kWh, 7 800.00 元
 *   - four quarterly gas bills, 500 m³ and 1 750.00 元 each → 2 000 m³, 7 000.00 元
 *   - the year's fuel card: 1 000 L gasoline × 0.73 kg/L = 730 kg, 7 800.00 元
 * The return:
 *   电 8 760 + 12 000 = 20 760 千瓦时, 6 211.20 + 7 800.00 = 14 011.20 元, 账单+计算值
 *     (账单 600.00 + 7 800.00 = 8 400.00, 计算值 5 611.20)
 *   水 730 吨, 2 374.00 元 计算值; 天然气 2 000 立方米, 7 000.00 元 账单; 汽油 730 千克, 7 800.00 元 账单
 *   建筑面积 12 000 m², 用能人数 350, 编制人数 280, 使用人数 340, 单位性质 01 国家机关
 */

const now = Date.parse('2026-02-10T10:00:00+08:00');
const HOUR = 3_600_000;
const DAY = 86_400_000;
const jan1 = Date.parse('2025-01-01T00:00:00+08:00');

const meter = (id: string, category: string, building: string) => ({
  id,
  device: 'd',
  point: 'p',
  category,
  building,
  role: 'main',
});

const siteOf = (reports: object, extra: ReturnType<typeof testBuilding>[] = []) =>
  siteSchema.parse({
    version: 1,
    site: { id: 'test', name: '测试园区' },
    organization: {
      id: 'org',
      name: '某机关',
      buildings: [
        testBuilding('zhl', '综合楼', 10_000, 300),
        testBuilding('fwl', '服务楼', 2_000, 50),
        ...extra,
      ],
    },
    meters: [meter('a-el', 'electricity', 'zhl'), meter('a-water', 'water', 'zhl')],
    reports,
  });

const tou = {
  energy_type: 'electricity',
  effective_from: '2025-01-01',
  time_of_use: {
    prices: { valley: 0.3, peak: 1, flat: 0.6 },
    hours: [
      { period: 'valley', from: 0, to: 8 },
      { period: 'peak', from: 8, to: 20 },
      { period: 'flat', from: 20, to: 24 },
    ],
  },
  source: '测试电价（非实际电价）',
};
const water = (from: string, price: number) => ({
  energy_type: 'water',
  effective_from: from,
  price,
  source: '测试水价',
  verified: true,
});
const people = {
  unit_nature: { code: '01', name: '国家机关' },
  staff_quota: [{ from: '2024-01-01', value: 280 }],
  users: [{ from: '2024-01-01', value: 340 }],
};

/** A store of rollups: zhl's electricity by hour and day, its water by day; `skip` days have none, `noHours` days no hours. */
function store(opts: { skip?: string[]; noHours?: string[] } = {}) {
  const rows: RollupRow[] = [];
  for (let d = 0; d < 365; d++) {
    const start = jan1 + d * DAY;
    const date = new Date(start + 8 * HOUR).toISOString().slice(0, 10);
    if (opts.skip?.includes(date)) continue;
    rows.push({ period: 'day', meter: 'a-el', start, value: 24, estimated: 0, unit: 'kWh' });
    rows.push({ period: 'day', meter: 'a-water', start, value: 2, estimated: 0, unit: 'm³' });
    if (opts.noHours?.includes(date)) continue;
    for (let h = 0; h < 24; h++)
      rows.push({
        period: 'hour',
        meter: 'a-el',
        start: start + h * HOUR,
        value: 1,
        estimated: 0,
        unit: 'kWh',
      });
  }
  return {
    kind: 'memory',
    queryRollups: async (q: { period: string; from?: number; to?: number }) =>
      rows.filter(
        (r) => r.period === q.period && r.start >= (q.from ?? -Infinity) && r.start < (q.to ?? Infinity),
      ),
  };
}

const last = (m: number) => new Date(Date.UTC(2025, m, 0)).getUTCDate();
const mm = (m: number) => String(m).padStart(2, '0');
const entry = (
  b: string,
  type: string,
  from: string,
  to: string,
  quantity: number,
  unit: string,
  cost?: number,
) => ({
  building: b,
  period_start: from,
  period_end: to,
  energy_type: type,
  quantity,
  unit,
  source: '测试账单',
  ...(cost === undefined ? {} : { cost_yuan: cost }),
});
const monthlyBills = (skip: number[] = []) =>
  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    .filter((m) => !skip.includes(m))
    .map((m) =>
      entry('fwl', 'electricity', `2025-${mm(m)}-01`, `2025-${mm(m)}-${last(m)}`, 1000, 'kWh', 650),
    );
const gasBills = [1, 4, 7, 10].map((m) =>
  entry('fwl', 'natural_gas', `2025-${mm(m)}-01`, `2025-${mm(m + 2)}-${last(m + 2)}`, 500, 'm³', 1750),
);

async function returnOf(site: ReturnType<typeof siteOf>, items: object[], st = store()) {
  const dir = mkdtempSync(join(tmpdir(), 'jn-stat-'));
  const ledger = new Ledger(join(dir, 'ledger.db'));
  try {
    ledger.enter('entries', items, 'test', site, new Date(now));
    const report = await statisticsKind.build(
      {
        site: { config: site, file: 'site.yaml' } as never,
        store: st as never,
        ledger,
        dataDir: dir,
        now: () => now,
      },
      { year: 2025 },
    );
    return report;
  } finally {
    ledger.close();
  }
}

/** The cells of a sheet as [address, value] for the non-empty ones of `rows`. */
function cellsOf(
  ws: ExcelJS.Worksheet,
  from: number,
  to: number,
  cols: number,
): (string | number | null)[][] {
  const out: (string | number | null)[][] = [];
  for (let r = from; r <= to; r++) {
    const row: (string | number | null)[] = [];
    for (let c = 1; c <= cols; c++) {
      const v = ws.getCell(r, c).value;
      row.push(v === null || v === undefined ? null : (v as string | number));
    }
    out.push(row);
  }
  return out;
}

describe('the annual statistics return', () => {
  it('fills the form of a hand-computed organization, quantity and cost, cell by cell', async () => {
    const site = siteOf({
      tariffs: [tou, water('2025-01-01', 3), water('2025-07-01', 3.5)],
      statistics: people,
    });
    const r = await returnOf(site, [
      entry('zhl', 'electricity', '2025-01-01', '2025-01-31', 744, 'kWh', 600),
      ...monthlyBills(),
      ...gasBills,
      entry('fwl', 'gasoline', '2025-01-01', '2025-12-31', 1000, 'L', 7800),
    ]);
    expect(r.checklist).toEqual([]);
    expect(r.ready).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await statisticsKind.render(r, 'xlsx')) as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['基层表', '核对清单', '明细', '价格', '说明']);
    const ws = wb.getWorksheet('基层表');
    if (!ws) throw new Error('no 基层表');
    expect(ws.getCell(LAYOUT.title, 1).value).toBe('公共机构能源资源消费状况（2025 年）');
    expect(ws.getCell(2, 2).value).toBe('未核实（见“说明”）');
    expect(cellsOf(ws, LAYOUT.basicFirst, LAYOUT.basicFirst + 5, 4)).toEqual([
      [null, '单位名称', '', '某机关'],
      [null, '单位性质', '', '01 国家机关'],
      [null, '建筑面积', 'm²', 12_000],
      [null, '用能人数', '人', 350],
      [null, '编制人数', '人', 280],
      [null, '使用人数', '人', 340],
    ]);
    expect(cellsOf(ws, LAYOUT.energyHeader, LAYOUT.energyFirst + 11, 6)).toEqual([
      ['序号', '品种', '计量单位', '数量', '费用（元）', '费用来源'],
      [1, '电', '千瓦时', 20_760, 14_011.2, '账单+计算值'],
      [2, '水', '吨', 730, 2_374, '计算值'],
      [3, '煤炭', '吨', null, null, null],
      [4, '天然气', '立方米', 2_000, 7_000, '账单'],
      [5, '液化石油气', '千克', null, null, null],
      [6, '人工煤气', '立方米', null, null, null],
      [7, '汽油', '千克', 730, 7_800, '账单'],
      [8, '柴油', '千克', null, null, null],
      [9, '煤油', '千克', null, null, null],
      [10, '其他用油', '千克', null, null, null],
      [11, '热力(按热量收费)', '百万千焦', null, null, null],
      [12, '其他能源', '吨标准煤', null, null, null],
    ]);
    // the mixed cost says its parts; an empty cell says why in its comment, never 0
    expect(ws.getCell(LAYOUT.energyFirst, 7).value).toBe(
      '费用：账单+计算值（账单 8400.00 元，计算值 5611.20 元）',
    );
    expect(ws.getCell(LAYOUT.energyFirst + 5, 4).note).toBe('台账尚无此品种');
    expect(ws.getCell(LAYOUT.energyFirst + 2, 4).note).toBe('本年无记录');
    // each building's part: zhl's electricity 600.00 billed + 5 611.20 computed
    const detail = wb.getWorksheet('明细');
    expect(detail?.getRow(2).values).toEqual([
      undefined,
      ...['zhl', '综合楼', '电', '千瓦时', 8760, 365, 0, 365, 6211.2, 600, 5611.2, 0],
    ]);
    const check = wb.getWorksheet('核对清单');
    expect(check?.getCell(2, 5).value).toBe('无缺项，可以报送');
    // the unverified form number, field list and the unverified electricity tariff are said
    const notes = (wb.getWorksheet('说明')?.getColumn(2).values ?? []).slice(2).map(String);
    expect(notes.some((n) => n.startsWith('现行表号') && n.includes('未核实'))).toBe(true);
    expect(notes).toContain(
      '价格未核对：谷 0–8 时 0.3 元/kWh；峰 8–20 时 1 元/kWh；平 20–24 时 0.6 元/kWh（2025-01-01 起，测试电价（非实际电价））——计算值费用以此为据。',
    );
    expect(wb.getWorksheet('说明')?.getCell(2, 3).value).toBe('否（未核实）');
  });

  it('names each gap of a deliberately incomplete year in its check list', async () => {
    // 档案楼 has electricity in 2025 but a floor area only from 2026; nothing of 单位性质, 编制人数, 使用人数;
    // zhl's meters missed 10–12 March and 5 May has no hourly values (time of use cannot price it);
    // water is priced only from July; fwl's bills of August and October to December are missing; the gasoline has no cost.
    const dangan = {
      ...testBuilding('dal', '档案楼', 1_500, 20),
      floor_area: [{ from: '2026-01-01', value: 1_500 }],
    };
    const site = siteOf({ tariffs: [tou, water('2025-07-01', 3.5)] }, [dangan]);
    const r = await returnOf(
      site,
      [
        ...monthlyBills([8, 10, 11, 12]),
        entry('fwl', 'gasoline', '2025-01-01', '2025-12-31', 1000, 'L'),
        entry('dal', 'electricity', '2025-01-01', '2025-12-31', 5000, 'kWh', 3250),
      ],
      store({ skip: ['2025-03-10', '2025-03-11', '2025-03-12'], noHours: ['2025-05-05'] }),
    );
    expect(r.ready).toBe(false);
    expect(r.checklist.map((c) => c.text)).toEqual([
      '单位性质未填：在站点文件 reports.statistics.unit_nature 写明代码与名称（如 01 国家机关）',
      '建筑「档案楼」（dal）：2025-12-31 无建筑面积，而本年有用能记录；在站点文件或台账（建筑信息）中补录',
      '编制人数未填：在站点文件 reports.statistics.staff_quota 写明（含生效日期与来源）',
      '使用人数未填：在站点文件 reports.statistics.users 写明（含生效日期与来源）',
      '「综合楼」电：2025 年 3 月缺 3 天数据（无计量数据，也无账单或台账记录）',
      '「综合楼」电：2025-05-05（1 天）无费用——无账单费用；分时价格需逐时计量数据，该日无完整的小时数据',
      '「综合楼」水：2025 年 3 月缺 3 天数据（无计量数据，也无账单或台账记录）',
      '「综合楼」水：2025-01-01 至 2025-03-09（68 天）无费用——无账单费用，站点文件 reports.tariffs 也无在用价格',
      '「综合楼」水：2025-03-13 至 2025-06-30（110 天）无费用——无账单费用，站点文件 reports.tariffs 也无在用价格',
      '「服务楼」电：2025 年 8 月缺 31 天数据（无计量数据，也无账单或台账记录）',
      '「服务楼」电：2025 年 10 月至 12 月缺 92 天数据（无计量数据，也无账单或台账记录）',
      '「服务楼」汽油：2025-01-01 至 2025-12-31（365 天）无费用——台账记录未填费用',
    ]);
    // the form says what it has: water's 362 days and known cost (184 × 2 × 3.50 = 1 288.00), gasoline's none
    const water2 = r.rows.find((x) => x.item === 'water');
    expect(water2).toMatchObject({
      quantity: 724,
      cost_yuan: 1288,
      cost_complete: false,
      state: 'incomplete',
    });
    expect(r.rows.find((x) => x.item === 'gasoline')).toMatchObject({ quantity: 730, cost_yuan: null });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await statisticsKind.render(r, 'xlsx')) as never);
    const check = wb.getWorksheet('核对清单');
    expect(check?.getCell(2, 2).value).toBe('单位性质');
    expect(check?.getCell(13, 5).value).toBe(
      '「服务楼」汽油：2025-01-01 至 2025-12-31（365 天）无费用——台账记录未填费用',
    );
    const ws = wb.getWorksheet('基层表');
    expect(ws?.getCell(LAYOUT.basicFirst + 2, 4).value).toBeNull(); // 建筑面积: empty, not 12 000
    expect(ws?.getCell(LAYOUT.energyFirst + 6, 5).note).toBe('无费用（见核对清单）');
  });
});
