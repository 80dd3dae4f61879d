import ExcelJS from 'exceljs';
import type { StatisticsReport, StatisticsRow } from '../../core/reports/statistics.ts';

/** Where the form's parts sit on the 基层表 sheet (rows are 1-based), for readers and tests. */
export const LAYOUT = {
  title: 1,
  basicHeading: 3,
  basicFirst: 4,
  energyHeading: 11,
  energyHeader: 12,
  energyFirst: 13,
} as const;

const MONEY = '#,##0.00';
const qtyFormat = (unit: string) =>
  ['吨', '吨标准煤', '百万千焦'].includes(unit) ? '#,##0.000' : '#,##0.00';
const basisNames = { billed: '账单', computed: '计算值', mixed: '账单+计算值' } as const;

const bold = { bold: true } as const;
const thin = { style: 'thin' } as const;
const box = { top: thin, left: thin, bottom: thin, right: thin } as const;

/** A number cell, or an empty one whose comment says why (never 0 for missing). */
function put(cell: ExcelJS.Cell, v: number | null, fmt: string, why: string): void {
  if (v === null) {
    cell.note = why;
    return;
  }
  cell.value = v;
  cell.numFmt = fmt;
}

function stateWhy(r: StatisticsRow): string {
  if (r.state === 'not_tracked') return '台账尚无此品种';
  if (r.state === 'none') return '本年无记录';
  return '缺数据';
}

/** 基层表: 公共机构基本信息 and 公共机构能源资源消费状况, laid out as the form, with the signature line. */
function formSheet(wb: ExcelJS.Workbook, r: StatisticsReport): void {
  const ws = wb.addWorksheet('基层表', { pageSetup: { paperSize: 9, orientation: 'portrait' } });
  ws.columns = [
    { width: 8 },
    { width: 22 },
    { width: 12 },
    { width: 18 },
    { width: 16 },
    { width: 14 },
    { width: 40 },
  ];
  ws.mergeCells(LAYOUT.title, 1, LAYOUT.title, 7);
  const title = ws.getCell(LAYOUT.title, 1);
  title.value = `${r.form.name}（${r.year} 年）`;
  title.font = { bold: true, size: 14 };
  title.alignment = { horizontal: 'center' };
  ws.getCell(2, 1).value = '表号：';
  ws.getCell(2, 2).value = r.form.number ?? '未核实（见“说明”）';
  ws.getCell(2, 4).value = '报告期：';
  ws.getCell(2, 5).value = `${r.year} 年`;
  ws.getCell(2, 6).value = '计量单位见各栏';
  ws.getCell(LAYOUT.basicHeading, 1).value = '一、公共机构基本信息';
  ws.getCell(LAYOUT.basicHeading, 1).font = bold;
  r.basic.forEach((f, i) => {
    const row = LAYOUT.basicFirst + i;
    ws.getCell(row, 2).value = f.label;
    const v = ws.getCell(row, 4);
    if (f.value === null) v.note = f.text;
    else if (typeof f.value === 'number') {
      v.value = f.value;
      v.numFmt = f.unit === 'm²' ? '#,##0.00' : '#,##0';
    } else v.value = f.value;
    ws.getCell(row, 3).value = f.unit;
    ws.getCell(row, 7).value = f.value === null ? `缺数据：${f.text}` : f.text;
    for (let c = 2; c <= 7; c++) ws.getCell(row, c).border = box;
  });
  ws.getCell(LAYOUT.energyHeading, 1).value = '二、能源资源消费状况';
  ws.getCell(LAYOUT.energyHeading, 1).font = bold;
  const header = ['序号', '品种', '计量单位', '数量', '费用（元）', '费用来源', '说明'];
  header.forEach((h, i) => {
    const c = ws.getCell(LAYOUT.energyHeader, i + 1);
    c.value = h;
    c.font = bold;
    c.border = box;
    c.alignment = { horizontal: 'center' };
  });
  r.rows.forEach((x, i) => {
    const row = LAYOUT.energyFirst + i;
    ws.getCell(row, 1).value = i + 1;
    ws.getCell(row, 2).value = x.label;
    ws.getCell(row, 3).value = x.unit;
    put(ws.getCell(row, 4), x.quantity, qtyFormat(x.unit), stateWhy(x));
    put(ws.getCell(row, 5), x.cost_yuan, MONEY, x.quantity === null ? stateWhy(x) : '无费用（见核对清单）');
    ws.getCell(row, 6).value = x.cost_basis ? basisNames[x.cost_basis] : null;
    ws.getCell(row, 7).value = x.note;
    for (let c = 1; c <= 7; c++) ws.getCell(row, c).border = box;
  });
  const sign = LAYOUT.energyFirst + r.rows.length + 1;
  ws.getCell(sign, 1).value = '单位负责人：';
  ws.getCell(sign, 3).value = '统计负责人：';
  ws.getCell(sign, 5).value = '填表人：';
  ws.getCell(sign, 6).value = '报出日期：';
  ws.getCell(sign + 1, 1).value = r.ready
    ? '核对清单无缺项。'
    : `尚有 ${r.checklist.length} 项缺数据，报送前请补齐（见“核对清单”）。`;
  ws.getCell(sign + 2, 1).value =
    `数据来源：${r.origin.organization}（${r.origin.site_file}），${r.origin.data_dir}；生成于 ${r.origin.made_at}`;
}

/** A plain sheet: a bold frozen header, then the rows. */
function table(
  wb: ExcelJS.Workbook,
  name: string,
  header: string[],
  rows: (string | number | null)[][],
  widths: number[],
) {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = header.map((h, i) => ({ header: h, width: widths[i] ?? 14 }));
  ws.getRow(1).font = bold;
  for (const row of rows) ws.addRow(row);
  return ws;
}

const kindNames = {
  unit_nature: '单位性质',
  floor_area: '建筑面积',
  people: '人数',
  month_without_data: '缺月份数据',
  cost_missing: '缺费用',
  not_tracked: '未记录品种',
} as const;

/**
 * The statistics return as an Excel workbook: 基层表 (the form), 核对清单 (what is missing before
 * filing), 明细 (each building's part), 价格 (the tariffs computed costs rest on), 说明 (what rests
 * on unverified facts).
 */
export async function statisticsXlsx(r: StatisticsReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'jieneng';
  const made = Date.parse(r.origin.made_at);
  if (Number.isFinite(made)) wb.created = new Date(made);
  formSheet(wb, r);
  const checks = r.checklist.map((c, i) => [
    i + 1,
    kindNames[c.kind],
    c.building ?? '',
    c.item ?? '',
    c.text,
  ]);
  table(
    wb,
    '核对清单',
    ['序号', '类别', '建筑', '品种', '缺项'],
    checks.length > 0 ? checks : [[null, '', '', '', '无缺项，可以报送']],
    [6, 12, 14, 16, 90],
  );
  const detail = table(
    wb,
    '明细',
    [
      '建筑',
      '建筑名称',
      '品种',
      '计量单位',
      '数量',
      '计量天数',
      '台账天数',
      '天数',
      '费用（元）',
      '其中账单',
      '其中计算值',
      '无费用天数',
    ],
    r.buildings.map((b) => [
      b.building,
      b.name,
      b.label,
      b.unit,
      b.quantity,
      b.metered_days,
      b.entered_days,
      b.days,
      b.cost_yuan,
      b.cost_billed_yuan,
      b.cost_computed_yuan,
      b.cost_missing_days,
    ]),
    [14, 16, 16, 10, 14, 10, 10, 8, 14, 12, 12, 10],
  );
  for (const c of [9, 10, 11]) detail.getColumn(c).numFmt = MONEY;
  table(
    wb,
    '价格',
    ['能源', '生效日期', '适用建筑', '价格', '来源', '已核对'],
    r.tariffs_used.map((t) => [
      t.energy_type,
      t.effective_from,
      t.buildings === 'all' ? '全部' : t.buildings.join('、'),
      t.prices,
      t.source,
      t.verified ? '是' : '否（未核实）',
    ]),
    [12, 12, 16, 60, 50, 12],
  );
  table(
    wb,
    '说明',
    ['序号', '说明', '依据已核实'],
    r.notes.map((n, i) => [i + 1, n.text, n.verified ? '是' : '否（未核实）']),
    [6, 100, 14],
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}
