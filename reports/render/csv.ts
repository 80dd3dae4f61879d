import { stringify } from 'csv-stringify/sync';
import { strToU8, zipSync } from 'fflate';
import type { IntensityReport } from '../../core/reports/report.ts';
import { type Cell, type Column, cellNumber, headerText, isAbsent, isNum, type Table } from './model.ts';
import { reportTables } from './reportTables.ts';

/** A header as in the CSV: a share or change column says its numbers are fractions ("变化（比例）"). */
export const csvHeader = (c: Column): string =>
  c.kind === 'percent' ? `${headerText(c)}（比例）` : headerText(c);

/**
 * One table as CSV for Excel: UTF-8 with a BOM (so Excel in Chinese opens it intact), CRLF line
 * ends, a header row, numbers as numbers (a change is −0.0604, not "−6.04 %"), missing figures empty.
 */
export function tableCsv(t: Table): string {
  const cell = (c: Cell): string | number => {
    if (c === null || isAbsent(c)) return '';
    if (typeof c === 'number' || isNum(c)) return cellNumber(c) ?? '';
    return c;
  };
  const body = stringify([t.columns.map(csvHeader), ...t.rows.map((row) => row.map(cell))], {
    record_delimiter: '\r\n',
  });
  return `\uFEFF${body}`;
}

/** The CSV file names in the zip: "01-摘要.csv", numbered in reading order. */
export const csvFileName = (t: Table, i: number): string => `${String(i + 1).padStart(2, '0')}-${t.name}.csv`;

/**
 * The report as a zip of CSV files, one table per file (see reportTables). Shares and changes are
 * fractions (−0.0604 is −6.04 %), said in the 说明 table; missing figures are empty cells, and the
 * 说明 and 覆盖率 tables say what is missing.
 */
export function reportCsvZip(r: IntensityReport): Uint8Array {
  const tables = reportTables(r);
  const notes = tables[tables.length - 1];
  notes?.rows.unshift(['CSV', '比例与变化以小数表示（-0.0604 即 -6.04%）；缺数据的单元格留空，见覆盖率表。']);
  const files: Record<string, Uint8Array> = {};
  tables.forEach((t, i) => {
    files[csvFileName(t, i)] = strToU8(tableCsv(t));
  });
  // Zip times are DOS times (from 1980): the report's own date, so the same report zips the same.
  const made = Date.parse(r.origin.made_at);
  return zipSync(files, { level: 6, mtime: new Date(Number.isFinite(made) ? made : Date.UTC(2000, 0, 1)) });
}
