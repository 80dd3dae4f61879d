import ExcelJS from 'exceljs';
import type { LedgerKind } from '../../core/reports/port.ts';
import { energyTypeNames, energyTypes, energyUnits, unitsFor } from '../energy.ts';
import { type BuildingRef, columnsOf, EXAMPLE_BUILDING, EXAMPLE_SOURCE, headerNames } from './schema.ts';

/** Rows of the template that carry the drop-down lists (an officer's year of monthly bills fits many times). */
const ROWS = 500;

/** Every unit any energy type is entered in, for the unit column's drop-down list. */
const allUnits = (): string[] => [...new Set(energyTypes.flatMap(unitsFor))];

/** An Excel list validation: the allowed values, and what to say when another is typed. */
const listOf = (values: string[], what: string): ExcelJS.DataValidation => ({
  type: 'list',
  allowBlank: true,
  // An inline list is "a,b,c" in quotes; Excel caps it at 255 characters, which these fit.
  formulae: [`"${values.join(',')}"`],
  showErrorMessage: true,
  errorTitle: what,
  error: `${what}: ${values.join(', ')}`,
});

const utcDay = (iso: string) => new Date(`${iso}T00:00:00Z`);

/** The example row: a real-looking entry marked by its source, or a fact marked by its building. */
const exampleRow = (kind: LedgerKind, buildings: BuildingRef[]): Record<string, unknown> =>
  kind === 'facts'
    ? {
        building: EXAMPLE_BUILDING,
        effective_from: utcDay('2025-01-01'),
        floor_area_m2: 12000,
        headcount: 350,
      }
    : {
        building: buildings[0]?.id ?? EXAMPLE_BUILDING,
        period_start: utcDay('2025-01-01'),
        period_end: utcDay('2025-01-31'),
        energy_type: energyTypeNames.electricity[0],
        quantity: 120000,
        unit: energyUnits.electricity.unit,
        source: EXAMPLE_SOURCE,
        cost_yuan: 96000,
      };

/** How to fill the template in, for its second sheet (Chinese first, English after). */
function instructions(kind: LedgerKind): string[][] {
  const common = [
    ['填写说明 How to fill in'],
    [
      '第 1 行是表头，请勿修改；第 2 行是示例，导入前删除或改写。 Row 1 is the header; row 2 is an example: delete or overwrite it.',
    ],
    [
      '日期为 Excel 日期或 YYYY-MM-DD 文本，起止日期均含当天。 Dates are Excel dates or YYYY-MM-DD text; both days are included.',
    ],
  ];
  if (kind === 'facts')
    return [
      ...common,
      ['建筑面积单位 m²；用能人数为 1 以上的整数。 Floor area in m²; headcount a whole number ≥ 1.'],
    ];
  return [
    ...common,
    [
      '同一建筑、同一能源类型的期间不得重叠（年度账单与月度账单只能保留一种）。 Periods of one building and energy type may not overlap.',
    ],
    [
      '汽油、柴油可按升 (L) 填写，按密度折算为 kg。 Gasoline and diesel may be given in L, converted to kg by density.',
    ],
    ['费用(元) 可留空。 Cost (yuan) may be left empty.'],
    ['能源类型 energy type', '单位 units'],
    ...energyTypes.map((t) => [`${energyTypeNames[t].join('/')} (${t})`, unitsFor(t).join(', ')]),
  ];
}

/**
 * An XLSX template to fill in and import with `jieneng import`: Chinese headers (which the import
 * reads back), the site's buildings, the energy types and units as drop-down lists, dates as
 * Excel dates, and one example row the import refuses until it is overwritten.
 */
export async function writeTemplate(kind: LedgerKind, file: string, buildings: BuildingRef[]): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(kind === 'facts' ? '建筑信息 facts' : '能源台账 entries', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  const columns = columnsOf(kind);
  ws.columns = columns.map((c) => ({
    header: headerNames[c]?.[0] ?? c,
    key: c,
    width: c === 'source' ? 40 : 16,
  }));
  ws.getRow(1).font = { bold: true };
  ws.addRow(exampleRow(kind, buildings));
  ws.getRow(2).font = { italic: true, color: { argb: 'FF808080' } };
  const lists: Record<string, ExcelJS.DataValidation> = {
    building: listOf(
      buildings.map((b) => b.id),
      '建筑 building',
    ),
    energy_type: listOf(
      energyTypes.map((t) => energyTypeNames[t][0] ?? t),
      '能源类型 energy type',
    ),
    unit: listOf(allUnits(), '单位 unit'),
  };
  columns.forEach((c, k) => {
    if (['period_start', 'period_end', 'effective_from'].includes(c))
      ws.getColumn(k + 1).numFmt = 'yyyy-mm-dd';
    const list = lists[c];
    if (list) for (let r = 2; r <= ROWS + 1; r++) ws.getCell(r, k + 1).dataValidation = list;
  });
  const notes = wb.addWorksheet('说明 notes');
  notes.addRows(instructions(kind));
  notes.getColumn(1).width = 90;
  notes.getColumn(2).width = 30;
  await wb.xlsx.writeFile(file);
}
