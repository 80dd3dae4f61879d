import ExcelJS from 'exceljs';
import type { IntensityReport } from '../../core/reports/report.ts';
import {
  type Cell,
  type Column,
  cellNumber,
  cellText,
  headerText,
  isAbsent,
  isNum,
  type Table,
} from './model.ts';
import { reportTables } from './reportTables.ts';

/** Excel number format of a column: thousands separators, or a percentage of a fraction. */
export function numFmt(kind: 'number' | 'percent', digits: number): string {
  const decimals = digits > 0 ? `.${'0'.repeat(digits)}` : '';
  return kind === 'percent' ? `0${decimals}%` : `#,##0${decimals}`;
}

/** The widest a column gets, in Excel's character units; longer text wraps. */
const MAX_WIDTH = 60;

/** Display width of a text in Excel's character units: a CJK character counts as two. */
const textWidth = (s: string): number =>
  Math.max(
    0,
    ...s.split('\n').map((line) => [...line].reduce((a, ch) => a + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)),
  );

function columnWidth(t: Table, col: Column, i: number): number {
  const widths = [
    textWidth(headerText(col)),
    ...t.rows.map((row) => textWidth(cellText(row[i] ?? null, col))),
  ];
  return Math.min(MAX_WIDTH, Math.max(8, ...widths) + 2);
}

function writeCell(cell: ExcelJS.Cell, c: Cell, col: Column): void {
  if (c === null) return;
  if (isAbsent(c)) {
    // Empty, never 0: the words (缺数据, 无基期数据…) are the cell's comment.
    cell.note = c.absent;
    return;
  }
  if (typeof c === 'string') {
    cell.value = c;
    return;
  }
  cell.value = cellNumber(c);
  cell.numFmt = isNum(c)
    ? numFmt(c.kind, c.digits)
    : numFmt(col.kind === 'percent' ? 'percent' : 'number', col.digits ?? 2);
  cell.alignment = { horizontal: 'right' };
}

/** One table on its own sheet: a bold, frozen header row, column widths from the content. */
function addSheet(wb: ExcelJS.Workbook, t: Table): void {
  const ws = wb.addWorksheet(t.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = t.columns.map((col, i) => ({ header: headerText(col), width: columnWidth(t, col, i) }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).alignment = { vertical: 'middle', wrapText: true };
  for (const row of t.rows) {
    const xr = ws.addRow([]);
    row.forEach((c, i) => {
      const col = t.columns[i];
      if (col) writeCell(xr.getCell(i + 1), c, col);
    });
  }
  // A text wider than its (capped) column wraps inside it instead of running over the next cells.
  ws.columns.forEach((c, i) => {
    if (t.columns[i]?.kind === 'text' && c.width === MAX_WIDTH)
      c.eachCell?.((cell, row) => {
        if (row > 1) cell.alignment = { wrapText: true, vertical: 'top' };
      });
  });
  if (t.rows.length > 0)
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: t.columns.length } };
}

/**
 * The report as an Excel workbook (exceljs), one table per sheet (see reportTables): 摘要, 指标,
 * 建筑, 分类, 覆盖率, 同比环比, 分项, 排名, (分区), 预测, 系数, 填报数据, 说明. Numbers are numbers with
 * thousands separators, shares and changes fractions formatted as %, missing figures empty cells
 * whose comment says why (缺数据).
 */
export async function reportXlsx(r: IntensityReport): Promise<Buffer> {
  return tablesXlsx(reportTables(r), r.origin.made_at);
}

/** Tables as a workbook, one per sheet, as reportXlsx lays them out (another report kind's tables too). */
export async function tablesXlsx(tables: Table[], madeAt: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'jieneng';
  const made = Date.parse(madeAt);
  if (Number.isFinite(made)) wb.created = new Date(made);
  for (const t of tables) addSheet(wb, t);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
