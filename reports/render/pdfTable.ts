import type PDFDocument from 'pdfkit';
import { statusNames } from './labels.ts';
import { type Cell, type Column, cellText, isAbsent, type Table } from './model.ts';
import { fitColumns, headerLabel, isNumeric } from './pdfColumns.ts';
import { type Measure, wrap } from './pdfText.ts';

type Doc = InstanceType<typeof PDFDocument>;

/** Colours of the status words; the words carry the meaning, the colour only helps. */
const statusColours: Record<string, string> = {
  [statusNames.on_track]: '#1b7a34',
  [statusNames.at_risk]: '#b3261e',
  [statusNames.incomplete]: '#9a5b00',
  [statusNames.no_target]: '#555555',
};
/** The status word of a cell that adds its coverage: "数据不完整（覆盖 91.8 %）" → "数据不完整". */
const statusOf = (text: string) => text.replace(/（.*$/, '');
const BLACK = '#000000';
const GREY = '#666666';
const RULE = '#9e9e9e';

/** How a table is drawn. */
export interface TableStyle {
  /** Font size to start from, in points; shrunk (down to 6 pt) until the unbreakable pieces fit. */
  fontSize: number;
  /** Space inside each cell, in points. */
  padding: number;
  /** Draw the header row (and repeat it on each page the table continues on). */
  header: boolean;
}

/** A table laid out on the page: where it starts, its columns' widths and its type. */
interface Grid {
  doc: Doc;
  columns: Column[];
  x0: number;
  width: number;
  widths: number[];
  size: number;
  pad: number;
  lineHeight: number;
  measure: Measure;
}

/** Each cell's text wrapped to its column. */
const cellLines = (g: Grid, cells: string[]) =>
  cells.map((s, i) => wrap(s, (g.widths[i] ?? 0) - 2 * g.pad, g.measure));
const heightOf = (g: Grid, lines: string[][]) =>
  Math.max(1, ...lines.map((l) => l.length)) * g.lineHeight + 2 * g.pad;
const bottomOf = (doc: Doc) => doc.page.height - doc.page.margins.bottom;

function rule(g: Grid, y: number, heavy: boolean): void {
  g.doc
    .moveTo(g.x0, y)
    .lineTo(g.x0 + g.width, y)
    .lineWidth(heavy ? 0.8 : 0.3)
    .strokeColor(heavy ? BLACK : RULE)
    .stroke();
}

/** One row at doc.y: numbers right-aligned, absent figures grey, status words in their colour. */
function drawRow(g: Grid, lines: string[][], cells: Cell[] | null): void {
  const { doc } = g;
  const h = heightOf(g, lines);
  const y = doc.y;
  if (!cells) doc.rect(g.x0, y, g.width, h).fill('#eeeeee');
  let x = g.x0;
  lines.forEach((cell, i) => {
    const w = g.widths[i] ?? 0;
    const raw = cells?.[i] ?? null;
    doc.fillColor(!cells ? BLACK : isAbsent(raw) ? GREY : (statusColours[statusOf(cell.join(''))] ?? BLACK));
    cell.forEach((line, k) => {
      const tx = isNumeric(g.columns[i] as Column) ? x + w - g.pad - g.measure(line) : x + g.pad;
      doc.text(line, tx, y + g.pad + k * g.lineHeight, { lineBreak: false });
    });
    x += w;
  });
  doc.fillColor(BLACK);
  rule(g, y + h, !cells);
  doc.y = y + h;
}

/** A row taller than what is left of the page continues on the next pages, never off the page. */
function drawLongRow(g: Grid, lines: string[][], cells: Cell[], newPage: () => void): void {
  let rest = lines;
  if (g.doc.y + heightOf(g, rest) > bottomOf(g.doc)) newPage();
  while (g.doc.y + heightOf(g, rest) > bottomOf(g.doc)) {
    const fit = Math.max(1, Math.floor((bottomOf(g.doc) - g.doc.y - 2 * g.pad) / g.lineHeight));
    drawRow(
      g,
      rest.map((l) => l.slice(0, fit)),
      cells,
    );
    rest = rest.map((l) => l.slice(fit));
    newPage();
  }
  drawRow(g, rest, cells);
}

/**
 * Draws a table at the current position across the page's text width: ruled rows, numbers
 * right-aligned, text wrapped inside its column (units kept with their numbers), the header
 * repeated at the top of every page the table runs on; leaves doc.y under the table.
 */
export function drawTable(doc: Doc, t: Table, style: TableStyle): void {
  const x0 = doc.page.margins.left;
  const width = doc.page.width - x0 - doc.page.margins.right;
  const texts = t.rows.map((row) => t.columns.map((c, i) => cellText(row[i] ?? null, c)));
  const { size, widths, measure } = fitColumns(doc, t, {
    texts,
    width,
    padding: style.padding,
    fontSize: style.fontSize,
  });
  const g: Grid = {
    doc,
    columns: t.columns,
    x0,
    width,
    widths,
    size,
    pad: style.padding,
    lineHeight: size * 1.3,
    measure,
  };
  const headerLines = cellLines(g, t.columns.map(headerLabel));
  const startPage = () => {
    rule(g, doc.y, true);
    if (style.header) drawRow(g, headerLines, null);
  };
  const newPage = () => {
    doc.addPage();
    doc.fontSize(size);
    startPage();
  };
  if (doc.y + heightOf(g, headerLines) + g.lineHeight * 2 > bottomOf(doc)) doc.addPage();
  doc.fontSize(size);
  startPage();
  texts.forEach((cells, r) => {
    drawLongRow(g, cellLines(g, cells), t.rows[r] ?? [], newPage);
  });
  if (t.rows.length === 0) {
    doc.fillColor(GREY).text('（无）', x0 + g.pad, doc.y + g.pad, { lineBreak: false });
    doc.fillColor(BLACK);
    doc.y += g.lineHeight + 2 * g.pad;
  }
  doc.x = x0;
}
